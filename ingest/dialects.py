"""SQL dialect names accepted by the ingesters, mapped onto sqlglot's dialects.

Users name dialects the way their engines call themselves; sqlglot has its own spelling for a few of
them (``ansi`` is sqlglot's generic dialect, ``sparksql`` is ``spark``). Resolving the name once, at
the edge, keeps the rest of the extractor working with a :class:`~sqlglot.dialects.Dialect` object.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

from sqlglot import exp
from sqlglot.dialects import Dialect, Dialects
from sqlglot.dialects.dialect import NormalizationStrategy
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from tagline.errors import InvalidInput

E = TypeVar("E", bound=exp.Expr)

ALIASES: dict[str, str] = {
    "ansi": "",
    "sparksql": "spark",
    "greenplum": "postgres",
    "vertica": "postgres",
    "db2": "",
    "mariadb": "mysql",
    "impala": "hive",
    "flink": "spark",
    "soql": "",
    "non-validating": "",
    "postgresql": "postgres",
    "mssql": "tsql",
    "sqlserver": "tsql",
}
"""Engine names sqlglot spells differently, or engines read well enough by a close relative: every
dialect name sqlfluff and sqllineage accept (``non-validating`` is sqllineage's generic parser),
and the URI schemes of the OpenLineage naming spec. MariaDB is MySQL's fork; Impala and Flink SQL
quote and fold names as Hive and Spark do; SOQL, Db2 and ANSI are read as generic SQL."""

_LATERAL_ALIAS = (
    "spark",
    "spark2",
    "databricks",
    "snowflake",
    "bigquery",
    "redshift",
    "duckdb",
    "teradata",
    "clickhouse",
)
"""Dialects whose SELECT list may use an alias defined earlier in the same list."""


def known_dialects() -> list[str]:
    """Every dialect name :func:`resolve_dialect` accepts, sorted."""
    return sorted({d.value for d in Dialects if d.value} | set(ALIASES))


def has_lateral_alias(dialect: Dialect) -> bool:
    """Whether ``dialect`` resolves lateral column alias references.

    Decided by the name the dialect's class is registered under, so that asking does not load the
    modules of the other dialects (each costs milliseconds of start-up: its tokenizer, parser and
    generator are built on import)."""
    name = type(dialect).__name__.lower()
    return name in _LATERAL_ALIAS and Dialect.get(name) is type(dialect)


@cache
def resolve_dialect(name: str) -> Dialect:
    """The sqlglot dialect for ``name``; a usage error (``ValueError``) if there is none."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key and key not in {d.value for d in Dialects}:
        raise InvalidInput(f"unknown SQL dialect {name!r}; known dialects: {', '.join(known_dialects())}")
    return Dialect.get_or_raise(key or None)


def canonical_identifier(identifier: exp.Identifier, dialect: Dialect) -> exp.Identifier:
    """``identifier`` (in place) in its canonical case: lower case wherever the engine ignores case.

    Engines that fold unquoted names to upper case (Snowflake, Oracle) treat ``Orders.ID``, ``orders.id``
    and ``"ORDERS"."ID"`` as one name; lower case makes it meet the same table read by Hive or Postgres.
    A quoted name with lower-case letters is a different, case-sensitive name there and keeps its case.
    """
    if dialect.normalization_strategy is NormalizationStrategy.UPPERCASE:
        name = identifier.this
        if isinstance(name, str) and (not identifier.quoted or name == name.upper()):
            identifier.set("this", name.lower())
        return identifier
    return dialect.normalize_identifier(identifier)


def canonical_identifiers(expression: E, dialect: Dialect) -> E:
    """Every identifier of ``expression`` in canonical case (see :func:`canonical_identifier`)."""
    if dialect.normalization_strategy is not NormalizationStrategy.UPPERCASE:
        return normalize_identifiers(expression, dialect=dialect)
    for identifier in expression.find_all(exp.Identifier):
        canonical_identifier(identifier, dialect)
    return expression
