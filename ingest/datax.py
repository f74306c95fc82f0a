"""DataX job files -> lineage: what each reader copies into each writer, column by column.

DataX (the transfer tool large warehouses run between databases and Hive) describes a job as
``{"job": {"content": [{"reader": {...}, "writer": {...}}]}}``. Readers and writers of MySQL,
PostgreSQL, SQL Server and Oracle name their tables through a ``jdbcUrl``; HDFS readers and writers
name a path, which ``--namespace-map`` can turn into the Hive table it holds. Columns are copied by
position; a reader's ``querySql`` is traced by the SQL extractor, and so is the ``SELECT`` DataX
runs for a table reader whose columns hold constants or expressions or that has a ``where``. Every
``connection`` of a reader is read (sharded tables and databases), every query of its ``querySql``.
Datasets are named by the OpenLineage naming spec (``mysql://db1:3306`` + ``shop.users``,
``postgres://dw:5432`` + ``dw.public.users``, ``oracle://ora:1521`` + ``ORCL.SCOTT.EMP``, an
unqualified Oracle table being in the schema of the user DataX connects as). Credentials are never
kept: a failure's payload and reason have them masked, in the job's fields and in its URLs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
from tagline.ingest.sql.batch import BatchBuilder
from tagline.ingest.sql.extract import extract_sql

KIND = "datax"
SECRET_KEYS = frozenset({"password", "accesskey", "secretkey", "accesskeysecret", "token"})
URL_SECRETS = [
    (re.compile(r"(?i)\b(password|pwd)=[^&;]*"), r"\1=***"),  # ?password=... and ;password=...
    (re.compile(r"//([^/@:;]+):[^/@;]*@"), r"//\1:***@"),  # //user:password@host
    (re.compile(r"(?i)(thin:[^/@:;]+)/[^@;]*@"), r"\1/***@"),  # Oracle's thin:user/password@host
]


@dataclass(frozen=True)
class JdbcPlugin:
    """How a database names its tables: the namespace scheme and SQL dialect, how many parts a full
    name has (``database.table`` or ``database.schema.table``), and the schema of a bare table."""

    scheme: str
    dialect: str
    levels: int
    default_schema: str | None = None
    schema_is_user: bool = False
    """Oracle: a bare table is in the schema of the user DataX connects as."""


JDBC_PLUGINS: dict[str, JdbcPlugin] = {
    "mysql": JdbcPlugin("mysql", "mysql", levels=2),
    "postgresql": JdbcPlugin("postgres", "postgres", levels=3, default_schema="public"),
    "sqlserver": JdbcPlugin("mssql", "tsql", levels=3, default_schema="dbo"),
    "oracle": JdbcPlugin("oracle", "oracle", levels=3, schema_is_user=True),
}
CONSTANT_WORDS = frozenset({"null", "true", "false"})
NAME = re.compile(r'[^\W\d]\w*|`[^`]+`|"[^"]+"|\[[^\]]+\]')
"""A column as a name, possibly quoted: what DataX copies as it is, not a constant or expression."""


class DataXError(InvalidInput):
    """A job file that is not a DataX job Tagline can read; says which field and why."""


@dataclass(frozen=True)
class Database:
    """One ``connection`` of a JDBC plugin: where its tables are, and how its SQL names them."""

    namespace: str
    database: str | None
    schema: str | None
    plugin: JdbcPlugin

    def table(self, name: str) -> DatasetRef:
        """A table as the naming spec names it (``orders`` -> ``dw.public.orders``)."""
        parts = name.split(".")
        if self.schema and len(parts) == self.plugin.levels - 2:
            parts = [self.schema, *parts]
        if self.database and len(parts) == self.plugin.levels - 1:
            parts = [self.database, *parts]
        return naming.dataset_ref(self.namespace, ".".join(parts))


@dataclass(frozen=True)
class Query:
    """A ``SELECT`` whose output columns DataX copies, run against ``database``."""

    sql: str
    database: Database


@dataclass(frozen=True)
class Endpoint:
    """One side of a copy: the tables or paths it copies column by column, its columns in order,
    and the queries whose outputs it copies."""

    datasets: list[DatasetRef]
    columns: list[str]
    queries: list[Query] = field(default_factory=list)


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
            builder.add(_copy(reader, writer, job, source, f"job.content[{n}]"))
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
        text = re.sub(r'("(?:password|accessKey|secretKey|token)"\s*:\s*)"[^"]*"', r'\1"***"', text, flags=re.I)
        return masked_url(text)


def masked_url(url: str) -> str:
    """``url`` without the password a JDBC URL can carry (``?password=``, ``user:pw@``, ``user/pw@``)."""
    for pattern, replacement in URL_SECRETS:
        url = pattern.sub(replacement, url)
    return url


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "***" if k.lower() in SECRET_KEYS else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, str):
        return masked_url(value)
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
        return _jdbc(JDBC_PLUGINS[base], parameter, columns, where, reading=side == "reader")
    if base in ("hdfs", "hive"):
        return Endpoint(datasets=[_path_dataset(parameter, where, namespace_map)], columns=columns)
    raise DataXError(f"{where}.name: plugin {plugin!r} is not read (known: {', '.join(_known(side))})")


def _known(side: str) -> list[str]:
    return sorted(f"{p}{side}" for p in [*JDBC_PLUGINS, "hdfs"])


def _jdbc(plugin: JdbcPlugin, parameter: dict[str, Any], columns: list[str], where: str, reading: bool) -> Endpoint:
    """Every connection's tables, or its ``querySql``. A table read through columns that are not
    plain names (``'2024'``, ``upper(name)``) or under a ``where`` is the ``SELECT`` DataX runs."""
    connections = parameter.get("connection")
    if not isinstance(connections, list) or not connections or not all(isinstance(c, dict) for c in connections):
        raise DataXError(f"{where}.parameter.connection: expected a list of objects")
    condition = parameter.get("where")
    copied = not reading or (not condition and all(_is_name(c) for c in columns))
    schema = plugin.default_schema
    if plugin.schema_is_user and parameter.get("username"):
        schema = str(parameter["username"])
    datasets: list[DatasetRef] = []
    queries: list[Query] = []
    for n, connection in enumerate(connections):
        here = f"{where}.parameter.connection[{n}]"
        urls = connection.get("jdbcUrl")
        url = urls[0] if isinstance(urls, list) and urls else urls
        if not isinstance(url, str):
            raise DataXError(f"{here}.jdbcUrl: missing")
        namespace, database = _parse_jdbc(url, plugin.scheme, here)
        db = Database(namespace=namespace, database=database, schema=schema, plugin=plugin)
        sql = connection.get("querySql")
        if sql:
            queries += [Query(str(q), db) for q in (sql if isinstance(sql, list) else [sql])]
            continue
        tables = connection.get("table") or []
        tables = [str(t) for t in (tables if isinstance(tables, list) else [tables])]
        if not tables:
            raise DataXError(f"{here}.table: missing (or give querySql)")
        if copied or not columns:
            datasets += [db.table(t) for t in tables]
        else:
            filtered = f" WHERE {condition}" if condition else ""
            queries += [Query(f"SELECT {', '.join(columns)} FROM {t}{filtered}", db) for t in tables]
    return Endpoint(datasets=datasets, columns=columns, queries=queries)


def _is_name(column: str) -> bool:
    return NAME.fullmatch(column) is not None and column.lower() not in CONSTANT_WORDS


def _parse_jdbc(url: str, scheme: str, where: str) -> tuple[str, str | None]:
    """``jdbc:mysql://db1:3306/shop?x=y`` -> (``mysql://db1:3306``, ``shop``); SQL Server's
    ``;databaseName=dw`` and Oracle's ``@host:port:SID`` / ``@//host:port/service`` likewise."""
    body = url.removeprefix("jdbc:")
    if body.startswith("oracle:"):
        match = re.search(r"@(?://)?([^:/]+):(\d+)[:/]([^?;]+)", body)
        if match is None:
            raise DataXError(f"{where}.jdbcUrl: cannot read the Oracle URL {masked_url(url)!r}")
        return f"oracle://{match.group(1)}:{match.group(2)}", match.group(3)
    if body.startswith("sqlserver:"):
        head, *settings = body.split(";")
        host = urlsplit(head.replace("sqlserver:", "mssql:", 1))
        options = {k.lower(): v for k, _, v in (s.partition("=") for s in settings)}
        return f"mssql://{host.hostname}:{host.port or 1433}", options.get("databasename") or options.get("database")
    parts = urlsplit(body)
    if not parts.hostname:
        raise DataXError(f"{where}.jdbcUrl: cannot read the URL {masked_url(url)!r}")
    default_port = {"mysql": 3306, "postgres": 5432}.get(scheme)
    database = parts.path.strip("/") or None
    return f"{scheme}://{parts.hostname}:{parts.port or default_port}", database


def _path_dataset(parameter: dict[str, Any], where: str, namespace_map: dict[str, str]) -> DatasetRef:
    path = parameter.get("path")
    if not isinstance(path, str) or not path:
        raise DataXError(f"{where}.parameter.path: missing")
    default_fs = str(parameter.get("defaultFS") or "hdfs://localhost:8020").rstrip("/")
    full = f"{default_fs}{path if path.startswith('/') else '/' + path}".rstrip("/")
    while re.search(r"/[^/]*[*?[{][^/]*$", full):  # a reader's wildcard: the folder it matches in
        full = full.rsplit("/", 1)[0]
    for prefix, namespace in namespace_map.items():
        if full.lower().startswith(prefix.rstrip("/").lower() + "/"):
            # <warehouse>/<db>.db/<table>[/partition=...]: the Hive table those files are.
            rest = PurePosixPath(full[len(prefix.rstrip("/")) + 1 :]).parts
            if len(rest) >= 2 and rest[0].endswith(".db"):
                return naming.dataset_ref(namespace, f"{rest[0].removesuffix('.db')}.{rest[1]}")
    fs = urlsplit(default_fs)
    return DatasetRef(namespace=f"{fs.scheme}://{fs.netloc}", name=full[len(default_fs) :])


def _copy(reader: Endpoint, writer: Endpoint, job: JobRef, source: str, where: str) -> LineageBatch:
    if len(writer.datasets) != 1:
        raise DataXError(f"{where}.writer.parameter.connection: a writer must name exactly one table or path")
    target = writer.datasets[0]
    copied = bool(reader.datasets and reader.columns and writer.columns)
    if copied and len(reader.columns) != len(writer.columns):
        raise DataXError(
            f"{where}.writer.parameter.column: the reader copies {len(reader.columns)} columns, the writer "
            f"takes {len(writer.columns)}: columns are matched by position"
        )
    edges = [
        _edge(naming.column_ref(dataset, r), naming.column_ref(target, w), job)
        for dataset in (reader.datasets if copied else [])
        for r, w in zip(reader.columns, writer.columns, strict=True)
    ]
    builder = BatchBuilder()
    builder.add(
        LineageBatch(
            datasets=[Dataset(**d.model_dump()) for d in [*reader.datasets, target]],
            columns=[Column(**c.model_dump()) for e in edges for c in (e.source, e.target)],
            edges=edges,
            reads=[DatasetAccess(job=job, dataset=d) for d in reader.datasets],
            writes=[DatasetAccess(job=job, dataset=target)],
        )
    )
    for query in reader.queries:
        builder.add(_traced(query, writer.columns, target, job, source))
    return builder.build(statements=1)


def _traced(query: Query, columns: list[str], target: DatasetRef, job: JobRef, source: str) -> LineageBatch:
    """A reader's query: its outputs land in the writer's columns by position."""
    db = query.database
    placeholder = "datax_writer_target"
    listed = f" ({', '.join(columns)})" if columns else ""
    batch = extract_sql(
        f"INSERT INTO {placeholder}{listed} {query.sql}",
        dialect=db.plugin.dialect,
        namespace=db.namespace,
        job=job,
        source=source,
    )
    here = naming.dataset_ref(db.namespace, placeholder)

    def retarget(ref: ColumnRef) -> ColumnRef:
        return naming.column_ref(target, ref.field) if ref.dataset_ref.key == here.key else ref

    def requalify(ref: ColumnRef) -> ColumnRef:
        return ref.model_copy(update={"dataset": db.table(ref.dataset).name})

    edges = [e.model_copy(update={"source": requalify(e.source), "target": retarget(e.target)}) for e in batch.edges]
    read = [db.table(r.dataset.name) for r in batch.reads]
    return LineageBatch(
        datasets=[Dataset(**d.model_dump()) for d in read],
        columns=[Column(**c.model_dump()) for e in edges for c in (e.source, e.target)],
        edges=edges,
        reads=[DatasetAccess(job=job, dataset=d) for d in read],
        failures=batch.failures,
    )


def _edge(source: ColumnRef, target: ColumnRef, job: JobRef) -> ColumnEdge:
    copied = Transformation(type=LineageType.DIRECT, subtype=Subtype.IDENTITY, description="copied by DataX")
    return ColumnEdge(source=source, target=target, transformation=copied, job=job)
