"""A dbt project's artifacts -> lineage batches (pure: no store I/O).

Models, seeds, snapshots and sources become datasets named as the warehouse names them (the
relation dbt renders, folded by the adapter's SQL dialect, so they meet the same tables read from
query logs or OpenLineage events). Each model (and snapshot) is a job that reads its refs and
sources and writes itself; its column lineage comes from its compiled SQL, run through the SQL
extractor as ``CREATE TABLE|VIEW <relation> AS <compiled SQL>`` with the catalog as schema. Column
types and descriptions come from ``catalog.json`` (then the manifest); column ``tags`` and ``meta``
(``pii``, ``meta: {sensitivity: confidential}``) become declared tags.

A model whose SQL cannot be traced becomes a failure holding that CREATE statement and the SQL
options, so it replays like any SQL statement; the other models still load.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlglot.dialects import Dialect

from tagline.errors import InvalidInput
from tagline.graph.model import (
    Column,
    ColumnRef,
    Dataset,
    DatasetAccess,
    DatasetRef,
    DeclaredTag,
    Failure,
    Job,
    JobDefinition,
    JobRef,
    LineageBatch,
)
from tagline.ingest.catalog import Catalog, normalize_column, normalize_table
from tagline.ingest.dbt_artifacts import DbtCatalog, Manifest, ManifestNode
from tagline.ingest.definitions import defined_by
from tagline.ingest.dialects import resolve_dialect
from tagline.ingest.sql.batch import BatchBuilder
from tagline.ingest.sql.extract import extract_sql
from tagline.ingest.tags import tag_names

ADAPTER_DIALECTS: dict[str, str] = {
    "athena": "athena",
    "bigquery": "bigquery",
    "clickhouse": "clickhouse",
    "databricks": "databricks",
    "doris": "doris",
    "dremio": "dremio",
    "duckdb": "duckdb",
    "exasol": "exasol",
    "fabric": "fabric",
    "glue": "spark",
    "materialize": "materialize",
    "mysql": "mysql",
    "oracle": "oracle",
    "postgres": "postgres",
    "redshift": "redshift",
    "snowflake": "snowflake",
    "spark": "spark",
    "sqlite": "sqlite",
    "sqlserver": "tsql",
    "starrocks": "starrocks",
    "synapse": "tsql",
    "teradata": "teradata",
    "trino": "trino",
}
DATASET_TYPES = frozenset({"model", "seed", "snapshot"})
JOB_TYPES = frozenset({"model", "snapshot"})
DEFAULT_JOB_NAMESPACE = "dbt"


def adapter_dialect(adapter: str | None) -> str:
    """The sqlglot dialect for a dbt adapter type; a ``ValueError`` naming the known ones if none fits."""
    name = (adapter or "").lower()
    if name in ADAPTER_DIALECTS:
        return ADAPTER_DIALECTS[name]
    raise InvalidInput(
        f"dbt adapter {adapter!r} has no known SQL dialect; known adapters: {', '.join(sorted(ADAPTER_DIALECTS))}"
    )


def default_namespace(adapter: str | None) -> str:
    """The namespace when none is given: the adapter's scheme. The naming spec adds the host or
    account (``postgres://db:5432``, ``snowflake://org-account``), which the manifest does not hold;
    pass ``--namespace`` to meet lineage from emitters that know it. BigQuery needs nothing more."""
    return (adapter or "dbt").lower()


@dataclass
class DbtProject:
    """What the artifacts say: one batch of datasets and columns, then one batch per job."""

    dialect: str
    namespace: str
    datasets: LineageBatch
    jobs: list[tuple[str, LineageBatch]] = field(default_factory=list)
    job_namespace: str = DEFAULT_JOB_NAMESPACE
    package: str | None = None
    at: datetime | None = None

    def retired(self, stored: dict[JobRef, list[DatasetRef]]) -> LineageBatch:
        """Definitions that close the lineage of this project's models gone from the manifest:
        ``stored`` are the jobs of the project's job namespace the store holds, each with the
        datasets it writes. A model's job is the project's if its name ends ``.<package>.<model>``."""
        if self.at is None or not self.package:
            return LineageBatch()
        present = {job.key for _, batch in self.jobs for job in batch.jobs}
        gone = [
            JobDefinition(job=job, outputs=outputs, at=self.at, tables=True)
            for job, outputs in sorted(stored.items(), key=lambda item: item[0].key)
            if job.namespace == self.job_namespace
            and job.key not in present
            and job.name.split(".")[-2:-1] == [self.package]
        ]
        return LineageBatch(definitions=gone)


def extract_dbt(
    manifest: Manifest,
    catalog: DbtCatalog | None = None,
    *,
    namespace: str | None = None,
    job_namespace: str = DEFAULT_JOB_NAMESPACE,
    at: datetime | None = None,
    only: Collection[str] | None = None,
) -> DbtProject:
    """The project's lineage. Each model's batch is its job's whole definition as of when the
    manifest was generated (else ``at``): it replaces the model's lineage from earlier manifests.
    ``only``: the unique ids of the models to trace (the datasets are all described)."""
    dialect_name = adapter_dialect(manifest.metadata.adapter_type)
    reader = _Reader(
        dialect=resolve_dialect(dialect_name),
        dialect_name=dialect_name,
        namespace=namespace or default_namespace(manifest.metadata.adapter_type),
        job_namespace=job_namespace,
        manifest=manifest,
        catalog=catalog or DbtCatalog(),
        at=manifest.metadata.generated_at or at,
    )
    nodes = [n for n in manifest.nodes.values() if reader.is_dataset(n)] + list(manifest.sources.values())
    described = BatchBuilder()
    tags: list[DeclaredTag] = []
    for node in nodes:
        described.add(reader.describe(node, tags))
    described.add(LineageBatch(tags=tags))
    datasets = described.build(statements=0)
    project = DbtProject(
        dialect=dialect_name,
        namespace=reader.namespace,
        datasets=datasets,
        job_namespace=job_namespace,
        package=manifest.metadata.project_name,
        at=reader.at,
    )
    sql_catalog = reader.sql_catalog(nodes)
    for node in manifest.nodes.values():
        if node.resource_type in JOB_TYPES and reader.is_dataset(node) and (only is None or node.unique_id in only):
            project.jobs.append((node.unique_id, reader.job_batch(node, sql_catalog)))
    return project


@dataclass
class _Reader:
    dialect: Dialect
    dialect_name: str
    namespace: str
    job_namespace: str
    manifest: Manifest
    catalog: DbtCatalog
    at: datetime | None = None

    def is_dataset(self, node: ManifestNode) -> bool:
        return node.resource_type in DATASET_TYPES and node.materialized != "ephemeral"

    def dataset(self, node: ManifestNode) -> DatasetRef:
        return DatasetRef(namespace=self.namespace, name=".".join(normalize_table(node.relation, self.dialect)))

    def column(self, dataset: DatasetRef, name: str) -> ColumnRef:
        return ColumnRef(namespace=dataset.namespace, dataset=dataset.name, field=normalize_column(name, self.dialect))

    def describe(self, node: ManifestNode, tags: list[DeclaredTag]) -> LineageBatch:
        """The dataset, its columns with types and descriptions, and the tags its columns declare."""
        ref = self.dataset(node)
        table = self.catalog.table(node.unique_id)
        declared = (table.metadata.type if table else None) or node.materialized or ""
        kind = "view" if "view" in declared.lower() else "table"
        batch = LineageBatch(datasets=[Dataset(**ref.model_dump(), kind=kind, description=node.description or None)])
        columns: dict[str, Column] = {}
        for name, cataloged in (table.columns if table else {}).items():
            columns[normalize_column(name, self.dialect)] = Column(
                **self.column(ref, name).model_dump(), data_type=cataloged.type, description=cataloged.comment or None
            )
        for name, col in node.columns.items():
            key = normalize_column(name, self.dialect)
            known = columns.get(key)
            columns[key] = Column(
                **self.column(ref, name).model_dump(),
                data_type=(known.data_type if known else None) or col.data_type,
                description=col.description or (known.description if known else None),
            )
            tags.extend(DeclaredTag(column=self.column(ref, name), tag=t) for t in _column_tags(col.tags, col.meta))
        batch.columns = list(columns.values())
        return batch

    def sql_catalog(self, nodes: list[ManifestNode]) -> Catalog:
        """Every known relation with its columns and types, for resolving the models' SQL."""
        tables: dict[str, dict[str, str | None]] = {}
        for node in nodes:
            table = self.catalog.table(node.unique_id)
            if table is not None:
                tables[node.relation] = {c.name: c.type for c in table.columns.values()}
            elif node.columns:
                tables[node.relation] = {c.name: c.data_type for c in node.columns.values()}
        return Catalog(tables)

    def job_batch(self, node: ManifestNode, sql_catalog: Catalog) -> LineageBatch:
        """A model as a job: what its SQL reads and derives, plus the refs and sources it depends on."""
        target = self.dataset(node)
        job = Job(namespace=self.job_namespace, name=job_name(node), description=node.description or None)
        builder = BatchBuilder()
        builder.add(LineageBatch(jobs=[job], writes=[DatasetAccess(job=job, dataset=target)]))
        for upstream in node.depends_on.nodes:
            found = self.manifest.nodes.get(upstream) or self.manifest.sources.get(upstream)
            if found is not None and (found.resource_type == "source" or self.is_dataset(found)):
                builder.add(LineageBatch(reads=[DatasetAccess(job=job, dataset=self.dataset(found))]))
        location = node.original_file_path or node.unique_id
        if node.compiled_code is None:
            builder.add_failure(
                Failure(
                    source=node.unique_id,
                    location=location,
                    payload=node.raw_code or "",
                    reason="no compiled SQL in the manifest: run `dbt compile` first",
                    options=self._sql_options(job),
                )
            )
        else:
            verb = "VIEW" if node.materialized == "view" else "TABLE"
            text = f"CREATE {verb} {node.relation} AS {node.compiled_code.strip().rstrip(';')}"
            traced = extract_sql(
                text,
                dialect=self.dialect_name,
                namespace=self.namespace,
                source=node.unique_id,
                catalog=sql_catalog,
                job=job,
            )
            relocated = [f.model_copy(update={"location": location}) for f in traced.failures]
            builder.add(traced.model_copy(update={"failures": relocated}))
        batch = builder.build(statements=1)
        return batch if self.at is None else defined_by(batch, job, self.at, tables=True)

    def _sql_options(self, job: Job) -> dict[str, object]:
        return {
            "dialect": self.dialect_name,
            "namespace": self.namespace,
            "job": {"namespace": job.namespace, "name": job.name},
            "catalog": None,
            "namespace_map": None,
        }


def _column_tags(tags: list[str], meta: dict[str, object]) -> list[str]:
    found = [t.strip().lower() for t in tags if t.strip()]
    for key, value in meta.items():
        found.extend(tag_names(key, value) or [])
    return list(dict.fromkeys(found))


def job_name(node: ManifestNode) -> str:
    """A model's job as OpenLineage's dbt integration (``dbt-ol``) names it:
    ``<database>.<schema>.<package>.<model>``, so a model ingested from its artifacts and one
    reported by ``dbt-ol run`` are one job."""
    return ".".join(part for part in (node.database, node.schema_, node.package_name, node.name) if part)
