"""Names of un-aliased output expressions, as each engine names them.

``INSERT INTO t SELECT max(x) FROM s`` or ``CREATE TABLE t AS SELECT CAST(x AS date) FROM s``
creates columns whose names the engine invents: Hive calls them ``_c0``, Trino ``_col0``, BigQuery
``f0_``, Postgres after the function (``max``) or ``?column?``, Snowflake and Oracle by the upper-case
text, Spark, MySQL and most others by the expression's text. The lineage target must carry the same
name as the column the warehouse actually has, so each such projection gets an alias before the query
is qualified (sqlglot would otherwise call it ``_col_0`` everywhere).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.dialects import Dialect

Namer = Callable[[exp.Expr, int, int, Dialect], str]
"""(projection, its position, its position among un-aliased projections, dialect) -> name."""


def _position(prefix: str, suffix: str = "") -> Namer:
    return lambda node, index, anonymous, dialect: f"{prefix}{index}{suffix}"


def _bigquery(node: exp.Expr, index: int, anonymous: int, dialect: Dialect) -> str:
    return f"f{anonymous}_"


def _postgres(node: exp.Expr, index: int, anonymous: int, dialect: Dialect) -> str:
    while isinstance(node, (exp.Cast, exp.Paren)):
        inner = node.this
        if isinstance(inner, exp.Column):
            return inner.name
        if not isinstance(inner, (exp.Cast, exp.Paren)):
            return node.to.sql(dialect=dialect).lower() if isinstance(node, exp.Cast) else "?column?"
        node = inner
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return "?column?"


def _text(node: exp.Expr, index: int, anonymous: int, dialect: Dialect) -> str:
    return node.sql(dialect=dialect)


def _generic(sql: str) -> Namer:
    def name(node: exp.Expr, index: int, anonymous: int, dialect: Dialect) -> str:
        inner = node.this if isinstance(node, exp.Cast) else None
        if isinstance(inner, exp.Column):
            end = inner.this.meta.get("end")
            if end is not None and sql[end + 1 :].lstrip().startswith("::"):
                return inner.name
        return _text(node, index, anonymous, dialect)

    return name


def _upper_text(node: exp.Expr, index: int, anonymous: int, dialect: Dialect) -> str:
    return node.sql(dialect=dialect).upper()


_NAMERS: dict[str, Namer] = {
    "hive": _position("_c"),
    "presto": _position("_col"),
    "trino": _position("_col"),
    "athena": _position("_col"),
    "bigquery": _bigquery,
    "postgres": _postgres,
    "redshift": _postgres,
    "materialize": _postgres,
    "risingwave": _postgres,
    "snowflake": _upper_text,
    "oracle": _upper_text,
}


def name_outputs(query: exp.Expr, dialect: Dialect, sql: str = "") -> None:
    """Alias (in place) every un-aliased computed projection of every SELECT in ``query``.

    ``sql`` is the text the query was parsed from: generic SQL names ``col::type`` after the column,
    as Postgres does, and only the text tells it from ``CAST(col AS type)``.
    """
    namer = _NAMERS.get(type(dialect).__name__.lower(), _text)
    if type(dialect) is Dialect and sql:
        namer = _generic(sql)
    for select in query.find_all(exp.Select):
        anonymous = 0
        named: list[exp.Expr] = []
        for index, projection in enumerate(select.expressions):
            if isinstance(projection, (exp.Alias, exp.Column, exp.Star)) or projection.alias:
                named.append(projection)
                continue
            name = namer(projection, index, anonymous, dialect)
            anonymous += 1
            named.append(exp.alias_(projection, exp.to_identifier(name, quoted=True), copy=False))
        if anonymous:
            select.set("expressions", named)
