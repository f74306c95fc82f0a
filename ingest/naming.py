"""Dataset names from outside SQL (OpenLineage events, dbt) normalised the way SQL names are.

The OpenLineage naming spec gives every dataset a namespace that says where it lives
(``postgres://db:5432``, ``snowflake://org-account``, ``bigquery``, ``s3://bucket``) and a name within
it (``db.schema.table``, or a path). When the namespace's scheme is a SQL engine, the name and its
fields are folded by that engine's rules, exactly as :mod:`tagline.ingest.sql.extract` folds the names it
reads, so ``public.Orders`` from an event and ``public.orders`` from a query meet on one vertex.
Paths, topics and other non-SQL names are kept as given: they are case-sensitive.
"""

from __future__ import annotations

from functools import cache, lru_cache

from sqlglot.dialects import Dialect

from tagline.graph.model import ColumnRef, DatasetRef
from tagline.ingest.catalog import normalize_column, normalize_table
from tagline.ingest.dialects import resolve_dialect

NAMES_CACHED = 8192

SCHEME_DIALECTS: dict[str, str] = {
    "athena": "athena",
    "awsathena": "athena",
    "bigquery": "bigquery",
    "clickhouse": "clickhouse",
    "databricks": "databricks",
    "dremio": "dremio",
    "duckdb": "duckdb",
    "hive": "hive",
    "mssql": "tsql",
    "mysql": "mysql",
    "oracle": "oracle",
    "postgres": "postgres",
    "postgresql": "postgres",
    "presto": "presto",
    "redshift": "redshift",
    "snowflake": "snowflake",
    "spark": "spark",
    "sqlite": "sqlite",
    "sqlserver": "tsql",
    "teradata": "teradata",
    "trino": "trino",
}


def scheme_of(namespace: str) -> str:
    return namespace.split("://", 1)[0].lower() if "://" in namespace else namespace.lower()


@cache
def namespace_dialect(namespace: str) -> Dialect | None:
    """The SQL dialect whose rules name datasets in ``namespace``, or None for paths and topics."""
    name = SCHEME_DIALECTS.get(scheme_of(namespace))
    return resolve_dialect(name) if name else None


# Spark repeats every input in every output field: the same names are folded many times per event.
@lru_cache(maxsize=NAMES_CACHED)
def dataset_ref(namespace: str, name: str) -> DatasetRef:
    dialect = namespace_dialect(namespace)
    if dialect is not None:
        name = ".".join(normalize_table(name, dialect))
    return DatasetRef(namespace=namespace, name=name)


@lru_cache(maxsize=NAMES_CACHED)
def field_name(namespace: str, field: str) -> str:
    dialect = namespace_dialect(namespace)
    return normalize_column(field, dialect) if dialect is not None else field


def column_ref(dataset: DatasetRef, field: str) -> ColumnRef:
    return ColumnRef(namespace=dataset.namespace, dataset=dataset.name, field=field_name(dataset.namespace, field))
