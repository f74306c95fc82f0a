"""Qualifying a query once, against just the catalog tables it uses, and building its scope tree.

sqlglot's ``qualify`` wants a schema whose tables all have the same number of name parts; SQL mixes
``orders`` and ``shop.customers`` freely. So each query gets a small schema of the tables it names,
keyed exactly as written (shorter names padded with empty leading parts, which sqlglot's schema
lookup resolves as a unique prefix). Building it per query also keeps a large catalog from being
normalised again for every statement.

Qualification is told not to expand alias references nor to reject unknown columns: the scope walk
(:mod:`tagline.ingest.sql.lineage`) does both itself and can then say which table lacked the column.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects import Dialect
from sqlglot.dialects.dialect import NormalizationStrategy
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify_columns import qualify_columns
from sqlglot.optimizer.qualify_tables import qualify_tables
from sqlglot.optimizer.scope import Scope, build_scope, traverse_scope
from sqlglot.schema import MappingSchema

from tagline.ingest.catalog import Catalog, ColumnTypes, TableName
from tagline.ingest.dialects import canonical_identifiers
from tagline.ingest.sql.lineage import LineageError, table_name

_NO_SCHEMA = "missing source schemas"


@dataclass
class QualifiedQuery:
    """A query rewritten in place with every column qualified, its scope tree, and its known tables."""

    query: exp.Query
    root: Scope
    tables: dict[TableName, ColumnTypes]


def qualify_query(query: exp.Query, dialect: Dialect, catalog: Catalog) -> QualifiedQuery:
    """Qualify ``query`` (in place) against ``catalog`` and build its scopes."""
    tables = known_tables(query, dialect, catalog)
    schema = _schema(tables, dialect)
    try:
        _qualify(query, dialect, schema)
    except OptimizeError as error:
        if _NO_SCHEMA not in str(error):
            raise
        # A subquery column sqlglot cannot place without a catalog: it may belong to the subquery's
        # only table or be a correlated reference to the outer query. SQL resolves names innermost
        # first, so attribute it to the subquery's own table and qualify again.
        _attribute_to_single_source(query)
        try:
            _qualify(query, dialect, schema)
        except OptimizeError as again:
            if _NO_SCHEMA not in str(again):
                raise
            raise LineageError(
                f"{again}: the column could come from several tables; qualify it or give a catalog"
            ) from None
    root = build_scope(query)
    if root is None:
        raise LineageError("the statement has no query to trace")
    return QualifiedQuery(query, root, tables)


def known_tables(query: exp.Expr, dialect: Dialect, catalog: Catalog) -> dict[TableName, ColumnTypes]:
    """The catalog entries of the tables ``query`` names (CTE names that are not tables find nothing)."""
    tables: dict[TableName, ColumnTypes] = {}
    if not len(catalog):
        return tables
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        name = table_name(table)
        if name not in tables:
            found = catalog.find(name, dialect)
            if found:
                tables[name] = found
    return tables


def _schema(tables: dict[TableName, ColumnTypes], dialect: Dialect) -> MappingSchema:
    """The tables as sqlglot's schema, its names taken as they are (already canonical). Also when
    there are none: sqlglot's default schema normalises (copies and rewrites) every table it is
    asked about, only to find nothing."""
    if not tables:
        return MappingSchema(dialect=dialect, normalize=False)
    depth = max(len(name) for name in tables)
    mapping: dict[str, object] = {}
    for name, columns in tables.items():
        level = mapping
        for part in ("",) * (depth - len(name)) + name[:-1]:
            level = level.setdefault(part, {})  # type: ignore[assignment]
        # Types stay out of sqlglot's way: they are reported from the catalog, and a type string
        # sqlglot cannot parse must not sink the statement.
        level[name[-1]] = dict.fromkeys(columns)
    return MappingSchema(mapping, dialect=dialect, normalize=False)


def _qualify(query: exp.Query, dialect: Dialect, schema: MappingSchema) -> None:
    """sqlglot's ``qualify`` without its identifier normalisation: identifiers are already in the
    canonical case (lower case even where the engine folds to upper), which it would undo."""
    qualify_tables(query, dialect=dialect)
    if dialect.normalization_strategy is NormalizationStrategy.UPPERCASE:
        canonical_identifiers(query, dialect)  # the aliases qualify_tables made, in upper case
    qualify_columns(
        query,
        schema,
        expand_alias_refs=False,
        allow_partial_qualification=True,
    )


def mark_variables(statement: exp.Expr, variables: set[str]) -> None:
    """Turn bare names of procedure parameters and declared variables into values, not columns."""
    for column in list(statement.find_all(exp.Column)):
        if not column.table and column.name.lower() in variables:
            column.replace(exp.Var(this=column.name))


def _attribute_to_single_source(query: exp.Query) -> None:
    for scope in traverse_scope(query):
        if not scope.can_be_correlated:
            continue
        sources = list(scope.selected_sources) or list(scope.lateral_sources)
        if len(sources) != 1:
            continue
        alias = exp.to_identifier(sources[0])
        for column in scope.columns:
            if not column.table and not _is_lambda_variable(column):
                column.set("table", alias.copy())


def _is_lambda_variable(column: exp.Column) -> bool:
    lam = column.find_ancestor(exp.Lambda)
    return lam is not None and column.name in {v.name for v in lam.expressions}
