"""What a parsed statement writes, and the query whose columns feed it.

Every statement that moves data is reduced to the same shape: a target table, optionally the target
columns in the order the query feeds them, and a query. ``UPDATE`` and ``MERGE`` have no query of
their own, so one is built whose outputs are the assigned expressions, read from the target joined to
the statement's sources; its WHERE/ON/WHEN conditions then become FILTER and JOIN lineage like any
other. The scope walk thus only ever sees queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from sqlglot import exp
from sqlglot.dialects import Dialect

E = TypeVar("E", bound=exp.Expr)


class StatementKind(Enum):
    QUERY = "query"
    INSERT = "insert"
    CREATE_TABLE_AS = "create table as"
    CREATE_VIEW = "create view"
    CREATE_TABLE = "create table"
    UPDATE = "update"
    MERGE = "merge"
    OTHER = "other"


class UnsupportedStatement(Exception):
    """A statement that probably moves data but could not be read well enough to trace it."""


@dataclass
class Plan:
    """What one statement does, for lineage purposes.

    ``columns`` are the target columns fed by the query's outputs, by position (``None``: not given
    in the statement). ``column_types`` are declared types, from DDL. ``static_partitions`` are
    target columns set to a constant by ``PARTITION (col = 'value')``, which the query does not feed.
    """

    kind: StatementKind
    target: exp.Table | None = None
    query: exp.Query | None = None
    columns: list[str] | None = None
    column_types: dict[str, str | None] = field(default_factory=dict)
    by_name: bool = False
    static_partitions: frozenset[str] = frozenset()


_DATA_KEYWORDS = {"INSERT", "MERGE", "UPDATE", "WITH", "SELECT", "REPLACE", "UPSERT"}
_CREATES_DATA = re.compile(r"\b(TABLE|VIEW)\b", re.IGNORECASE)


def plan_statement(statement: exp.Expr, dialect: Dialect) -> Plan:
    """Classify ``statement`` (already identifier-normalised) and pull out target and query."""
    if isinstance(statement, exp.Query):
        return _plan_query(statement)
    if isinstance(statement, exp.Insert):
        return _plan_insert(statement)
    if isinstance(statement, exp.Create):
        return _plan_create(statement, dialect)
    if isinstance(statement, exp.Update):
        return _plan_update(statement)
    if isinstance(statement, exp.Merge):
        return _plan_merge(statement)
    if isinstance(statement, exp.Command):
        keyword = str(statement.this).upper()
        if keyword in _DATA_KEYWORDS or (
            keyword == "CREATE" and _CREATES_DATA.search(statement.sql(dialect=dialect))
        ):
            raise UnsupportedStatement(
                f"sqlglot could not parse this {keyword} statement in this dialect (unsupported syntax)"
            )
        return Plan(StatementKind.OTHER)
    if isinstance(statement, (exp.Condition, exp.Alias, exp.Star)):
        raise UnsupportedStatement(f"not a SQL statement: {statement.sql(dialect=dialect)[:80]!r}")
    return Plan(StatementKind.OTHER)


def _plan_query(statement: exp.Query) -> Plan:
    into = statement.args.get("into")
    if isinstance(statement, exp.Select) and into is not None and isinstance(into.this, exp.Table):
        statement.set("into", None)
        return Plan(StatementKind.CREATE_TABLE_AS, target=into.this, query=statement)
    return Plan(StatementKind.QUERY, query=_unwrap(statement))


def _plan_insert(statement: exp.Insert) -> Plan:
    target, columns, _ = _target(statement.this)
    if target is None:
        return Plan(StatementKind.OTHER)
    partition = target.args.get("partition")
    static = frozenset(
        item.this.name
        for item in (partition.expressions if partition is not None else ())
        if isinstance(item, exp.EQ) and isinstance(item.this, exp.Column)
    )
    query = statement.expression
    query = _with_ctes(_unwrap(query), statement.args.get("with_")) if isinstance(query, exp.Query) else None
    return Plan(
        StatementKind.INSERT,
        target=target,
        query=query,
        columns=columns,
        by_name=bool(statement.args.get("by_name")),
        static_partitions=static,
    )


def _plan_create(statement: exp.Create, dialect: Dialect) -> Plan:
    kind = str(statement.args.get("kind") or "").upper()
    target, columns, types = _target(statement.this, dialect)
    query = statement.expression if isinstance(statement.expression, exp.Query) else None
    if target is None or kind not in ("TABLE", "VIEW"):
        return Plan(StatementKind.OTHER)
    if query is not None:
        plan_kind = StatementKind.CREATE_VIEW if kind == "VIEW" else StatementKind.CREATE_TABLE_AS
        return Plan(plan_kind, target=target, query=_unwrap(query), columns=columns, column_types=types)
    if kind == "TABLE" and types:
        return Plan(StatementKind.CREATE_TABLE, target=target, columns=columns, column_types=types)
    return Plan(StatementKind.OTHER)


def _plan_update(statement: exp.Update) -> Plan:
    target = statement.this
    if not isinstance(target, exp.Table):
        raise UnsupportedStatement("UPDATE of something other than a table")
    columns, values = _assignments(statement.expressions, "UPDATE")
    query = exp.Select(expressions=_aliased(values, columns))
    query.set("from_", exp.From(this=_bare(target)))
    for join in target.args.get("joins") or ():
        query.append("joins", join.copy())
    from_ = statement.args.get("from_")
    if from_ is not None:
        query.append("joins", exp.Join(this=_bare(from_.this)))
        for join in from_.this.args.get("joins") or ():
            query.append("joins", join.copy())
    where = statement.args.get("where")
    if where is not None:
        query.set("where", where.copy())
    return Plan(
        StatementKind.UPDATE,
        target=_bare(target),
        query=_with_ctes(query, statement.args.get("with_")),
        columns=columns,
    )


def _plan_merge(statement: exp.Merge) -> Plan:
    target = statement.this
    if not isinstance(target, exp.Table):
        raise UnsupportedStatement("MERGE into something other than a table")
    columns: list[str] = []
    values: list[exp.Expr] = []
    conditions: list[exp.Expr] = []
    whens = statement.args.get("whens")
    for when in whens.expressions if whens is not None else ():
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            names, exprs = _assignments(then.expressions, "MERGE ... UPDATE")
        elif isinstance(then, exp.Insert):
            names, exprs = _merge_insert(then)
        else:
            names, exprs = [], []
        columns += names
        values += exprs
        condition = when.args.get("condition")
        if condition is not None:
            conditions.append(condition.copy())
    query = exp.Select(expressions=_aliased(values, columns))
    query.set("from_", exp.From(this=_bare(target)))
    query.append("joins", exp.Join(this=statement.args["using"].copy(), on=statement.args["on"].copy()))
    if conditions:
        query.set("where", exp.Where(this=exp.and_(*conditions, copy=False)))
    return Plan(
        StatementKind.MERGE,
        target=_bare(target),
        query=_with_ctes(query, statement.args.get("with_")),
        columns=columns,
    )


def _merge_insert(insert: exp.Insert) -> tuple[list[str], list[exp.Expr]]:
    names, values = insert.this, insert.expression
    if not isinstance(names, exp.Tuple) or not isinstance(values, exp.Tuple):
        raise UnsupportedStatement("MERGE ... INSERT without an explicit column list is not supported")
    return [c.name for c in names.expressions], [v.copy() for v in values.expressions]


def _assignments(items: list[exp.Expr], where: str) -> tuple[list[str], list[exp.Expr]]:
    if not all(isinstance(item, exp.EQ) and isinstance(item.this, exp.Column) for item in items):
        raise UnsupportedStatement(
            f"{where} SET must assign columns one by one (SET * or tuples are not supported)"
        )
    return [item.this.name for item in items], [item.expression.copy() for item in items]


def _aliased(values: list[exp.Expr], names: list[str]) -> list[exp.Expr]:
    return [
        exp.alias_(value, exp.to_identifier(name), copy=False)
        for value, name in zip(values, names, strict=True)
    ]


def _target(
    node: exp.Expr | None, dialect: Dialect | None = None
) -> tuple[exp.Table | None, list[str] | None, dict[str, str | None]]:
    """The table of ``INSERT INTO t (a, b)`` / ``CREATE TABLE t (a INT)``, its columns and declared types."""
    if not isinstance(node, exp.Schema):
        return (node if isinstance(node, exp.Table) else None), None, {}
    columns: list[str] = []
    types: dict[str, str | None] = {}
    for item in node.expressions:
        columns.append(item.name)
        if isinstance(item, exp.ColumnDef):
            kind = item.args.get("kind")
            types[item.name] = kind.sql(dialect=dialect) if kind is not None else None
    table = node.this
    return (table if isinstance(table, exp.Table) else None), columns, types


def _bare(table: E) -> E:
    """A copy of a table reference without the joins some dialects hang on it."""
    copy = table.copy()
    copy.set("joins", None)
    return copy


def _unwrap(query: exp.Query) -> exp.Query:
    """``(SELECT ...)`` as a statement or INSERT source is just the SELECT."""
    while isinstance(query, exp.Subquery) and not any(v for k, v in query.args.items() if k != "this"):
        query = query.this
    return query


def _with_ctes(query: exp.Query, with_: exp.With | None) -> exp.Query:
    """Move the CTEs of ``WITH ... INSERT`` (Hive, Postgres) onto the query that uses them."""
    if with_ is None:
        return query
    own = query.args.get("with_")
    ctes = [cte for cte in with_.expressions] + (list(own.expressions) if own is not None else [])
    query.set("with_", exp.With(expressions=ctes, recursive=with_.args.get("recursive")))
    return query
