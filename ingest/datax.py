"""DataX job files -> lineage: what each reader copies into each writer, column by column.

DataX (the transfer tool large warehouses run between databases and Hive) describes a job as
``{"job": {"content": [{"reader": {...}, "writer": {...}}]}}``. Readers and writers of MySQL,
PostgreSQL, SQL Server and Oracle name their tables through a ``jdbcUrl``; HDFS readers and writers
name a path, which ``--namespace-map`` can turn into the Hive table it holds. Columns are copied by
position; a reader's ``querySql`` is traced by the SQL extractor. Datasets are named by the
OpenLineage naming spec (``mysql://db1:3306`` + ``shop.users``, ``postgres://dw:5432`` +
``dw.public.users``). Credentials are never kept: a failure's payload has them masked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from tagline.errors import InvalidInput
from tagline.graph.model import (
    Column,
    ColumnEdge,
    ColumnRef,
    Dataset,
    DatasetAccess,
    DatasetRef,
    Failure,
    JobRef,
    LineageBatch,
    LineageType,
    Subtype,
    Transformation,
)
from tagline.ingest import naming
from tagline.ingest.sql import extract_sql
from tagline.ingest.sql_batch import BatchBuilder

KIND = "datax"
SECRET_KEYS = frozenset({"password", "accesskey", "secretkey", "accesskeysecret", "token"})
# plugin -> (namespace scheme, SQL dialect, default schema: names are database.schema.table when set)
JDBC_PLUGINS: dict[str, tuple[str, str, str | None]] = {
    "mysql": ("mysql", "mysql", None),
    "postgresql": ("postgres", "postgres", "public"),
    "sqlserver": ("mssql", "tsql", "dbo"),
    "oracle": ("oracle", "oracle", None),
}


class DataXError(InvalidInput):
    """A job file that is not a DataX job Tagline can read; says which field and why."""


@dataclass(frozen=True)
class Endpoint:
    """One side of a copy: its datasets (one per table), its columns in order, its SQL if any."""

    datasets: list[DatasetRef]
    columns: list[str]
    query: str | None = None
    dialect: str | None = None
    namespace: str | None = None
    database: str | None = None
    default_schema: str | None = None

    def qualified(self, name: str) -> str:
        """A table as the SQL names it, as the naming spec does (``orders`` -> ``dw.public.orders``)."""
        assert self.namespace is not None
        return _table_ref(self.namespace, self.database, name, self.default_schema).name


def job_batch(text: str, source: str, job: JobRef, namespace_map: dict[str, str] | None = None) -> LineageBatch:
    """The lineage of the DataX job in ``text``; a job that cannot be read is one failure."""
    try:
        document = json.loads(text)
        content = _at(document, "job", "content")
        if not isinstance(content, list) or not content:
            raise DataXError("job.content: expected a non-empty list of reader/writer pairs")
        builder = BatchBuilder()
        for n, pair in enumerate(content):
            reader = _endpoint(pair, "reader", f"job.content[{n}].reader", namespace_map or {})
            writer = _endpoint(pair, "writer", f"job.content[{n}].writer", namespace_map or {})
            builder.add(_copy(reader, writer, job, source))
        return builder.build(statements=len(content))
    except (json.JSONDecodeError, DataXError) as exc:
        reason = f"not a readable DataX job: {exc}"
        payload = masked(text)
        return LineageBatch(
            failures=[
                Failure(
                    source=source,
                    location="whole file",
                    reason=reason,
                    payload=payload,
                    options={"path": source, "job": job.model_dump(), "namespace_map": namespace_map or {}},
                )
            ]
        )


def masked(text: str) -> str:
    """``text`` with every credential value replaced, for keeping a failed file for replay."""
    try:
        return json.dumps(_mask(json.loads(text)), indent=1)
    except json.JSONDecodeError:
        return re.sub(r'("(?:password|accessKey|secretKey|token)"\s*:\s*)"[^"]*"', r'\1"***"', text, flags=re.I)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if k.lower() in SECRET_KEYS else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _at(value: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(value, dict) or step not in value:
            raise DataXError(f"{'.'.join(path)}: missing")
        value = value[step]
    return value


def _endpoint(pair: Any, side: str, where: str, namespace_map: dict[str, str]) -> Endpoint:
    plugin = str(_at(pair, side, "name"))
    parameter = _at(pair, side, "parameter")
    if not isinstance(parameter, dict):
        raise DataXError(f"{where}.parameter: expected an object")
    base = plugin.removesuffix(side)
    named = [c.get("name") if isinstance(c, dict) else c for c in parameter.get("column") or []]
    columns = [str(c) for c in named if c is not None and c != "*"]
    if base in JDBC_PLUGINS:
        return _jdbc(base, parameter, columns, where)
    if base in ("hdfs", "hive"):
        return Endpoint(datasets=[_path_dataset(parameter, where, namespace_map)], columns=columns)
    raise DataXError(f"{where}.name: plugin {plugin!r} is not read (known: {', '.join(_known(side))})")


def _known(side: str) -> list[str]:
    return sorted(f"{p}{side}" for p in [*JDBC_PLUGINS, "hdfs"])


def _jdbc(base: str, parameter: dict[str, Any], columns: list[str], where: str) -> Endpoint:
    scheme, dialect, default_schema = JDBC_PLUGINS[base]
    connections = parameter.get("connection")
    if not isinstance(connections, list) or not connections or not isinstance(connections[0], dict):
        raise DataXError(f"{where}.parameter.connection: expected a list of objects")
    connection = connections[0]
    urls = connection.get("jdbcUrl")
    url = urls[0] if isinstance(urls, list) and urls else urls
    if not isinstance(url, str):
        raise DataXError(f"{where}.parameter.connection[0].jdbcUrl: missing")
    namespace, database = _parse_jdbc(url, scheme, where)
    queries = connection.get("querySql")
    if queries:
        query = queries[0] if isinstance(queries, list) else str(queries)
        return Endpoint(
            datasets=[],
            columns=columns,
            query=query,
            dialect=dialect,
            namespace=namespace,
            database=database,
            default_schema=default_schema,
        )
    tables = connection.get("table") or []
    tables = tables if isinstance(tables, list) else [tables]
    if not tables:
        raise DataXError(f"{where}.parameter.connection[0].table: missing (or give querySql)")
    refs = [_table_ref(namespace, database, str(t), default_schema) for t in tables]
    return Endpoint(datasets=refs, columns=columns, dialect=dialect, namespace=namespace)


def _parse_jdbc(url: str, scheme: str, where: str) -> tuple[str, str | None]:
    """``jdbc:mysql://db1:3306/shop?x=y`` -> (``mysql://db1:3306``, ``shop``); SQL Server's
    ``;databaseName=dw`` and Oracle's ``@host:port:SID`` / ``@//host:port/service`` likewise."""
    body = url.removeprefix("jdbc:")
    if body.startswith("oracle:"):
        match = re.search(r"@(?://)?([^:/]+):(\d+)[:/]([^?;]+)", body)
        if match is None:
            raise DataXError(f"{where}: cannot read the Oracle jdbcUrl {url!r}")
        return f"oracle://{match.group(1)}:{match.group(2)}", match.group(3)
    if body.startswith("sqlserver:"):
        head, *settings = body.split(";")
        host = urlsplit(head.replace("sqlserver:", "mssql:", 1))
        options = {k.lower(): v for k, _, v in (s.partition("=") for s in settings)}
        return f"mssql://{host.hostname}:{host.port or 1433}", options.get("databasename") or options.get("database")
    parts = urlsplit(body)
    if not parts.hostname:
        raise DataXError(f"{where}: cannot read the jdbcUrl {url!r}")
    default_port = {"mysql": 3306, "postgres": 5432}.get(scheme)
    database = parts.path.strip("/") or None
    return f"{scheme}://{parts.hostname}:{parts.port or default_port}", database


def _table_ref(namespace: str, database: str | None, table: str, default_schema: str | None) -> DatasetRef:
    parts = table.split(".")
    if default_schema is not None and len(parts) == 1:
        parts = [default_schema, *parts]
    if database and len(parts) < (3 if default_schema else 2):
        parts = [database, *parts]
    return naming.dataset_ref(namespace, ".".join(parts))


def _path_dataset(parameter: dict[str, Any], where: str, namespace_map: dict[str, str]) -> DatasetRef:
    path = parameter.get("path")
    if not isinstance(path, str) or not path:
        raise DataXError(f"{where}.parameter.path: missing")
    default_fs = str(parameter.get("defaultFS") or "hdfs://localhost:8020").rstrip("/")
    full = f"{default_fs}{path if path.startswith('/') else '/' + path}".rstrip("/")
    for prefix, namespace in namespace_map.items():
        if full.lower().startswith(prefix.rstrip("/").lower() + "/"):
            # <warehouse>/<db>.db/<table>[/partition=...]: the Hive table those files are.
            rest = PurePosixPath(full[len(prefix.rstrip("/")) + 1 :]).parts
            if len(rest) >= 2 and rest[0].endswith(".db"):
                return naming.dataset_ref(namespace, f"{rest[0].removesuffix('.db')}.{rest[1]}")
    fs = urlsplit(default_fs)
    return DatasetRef(namespace=f"{fs.scheme}://{fs.netloc}", name=full[len(default_fs) :])


def _copy(reader: Endpoint, writer: Endpoint, job: JobRef, source: str) -> LineageBatch:
    if len(writer.datasets) != 1:
        raise DataXError("a writer must name exactly one table or path")
    target = writer.datasets[0]
    if reader.query is not None:
        return _traced(reader, writer, target, job, source)
    edges = []
    if reader.columns and writer.columns:
        if len(reader.columns) != len(writer.columns):
            raise DataXError(
                f"the reader copies {len(reader.columns)} columns, the writer takes "
                f"{len(writer.columns)}: columns are matched by position"
            )
        for dataset in reader.datasets:
            edges += [
                _edge(naming.column_ref(dataset, r), naming.column_ref(target, w), job)
                for r, w in zip(reader.columns, writer.columns, strict=True)
            ]
    return LineageBatch(
        datasets=[Dataset(**d.model_dump()) for d in [*reader.datasets, target]],
        columns=[Column(**e.target.model_dump()) for e in edges] + [Column(**e.source.model_dump()) for e in edges],
        edges=edges,
        reads=[DatasetAccess(job=job, dataset=d) for d in reader.datasets],
        writes=[DatasetAccess(job=job, dataset=target)],
    )


def _traced(reader: Endpoint, writer: Endpoint, target: DatasetRef, job: JobRef, source: str) -> LineageBatch:
    """A ``querySql`` reader: the query's outputs land in the writer's columns by position."""
    assert reader.query is not None and reader.dialect is not None and reader.namespace is not None
    placeholder = "datax_writer_target"
    columns = f" ({', '.join(writer.columns)})" if writer.columns else ""
    batch = extract_sql(
        f"INSERT INTO {placeholder}{columns} {reader.query}",
        dialect=reader.dialect,
        namespace=reader.namespace,
        job=job,
        source=source,
    )
    here = naming.dataset_ref(reader.namespace, placeholder)

    def retarget(ref: ColumnRef) -> ColumnRef:
        return naming.column_ref(target, ref.field) if ref.dataset_ref.key == here.key else ref

    def requalify(ref: ColumnRef) -> ColumnRef:
        return ref.model_copy(update={"dataset": reader.qualified(ref.dataset)})

    edges = [e.model_copy(update={"source": requalify(e.source), "target": retarget(e.target)}) for e in batch.edges]
    read = [DatasetRef(namespace=r.dataset.namespace, name=reader.qualified(r.dataset.name)) for r in batch.reads]
    return LineageBatch(
        datasets=[Dataset(**d.model_dump()) for d in [*read, target]],
        columns=[Column(**c.model_dump()) for e in edges for c in (e.source, e.target)],
        edges=edges,
        reads=[DatasetAccess(job=job, dataset=d) for d in read],
        writes=[DatasetAccess(job=job, dataset=target)],
        failures=batch.failures,
    )


def _edge(source: ColumnRef, target: ColumnRef, job: JobRef) -> ColumnEdge:
    copied = Transformation(type=LineageType.DIRECT, subtype=Subtype.IDENTITY, description="copied by DataX")
    return ColumnEdge(source=source, target=target, transformation=copied, job=job)
