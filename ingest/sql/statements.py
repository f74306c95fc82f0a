"""What a parsed statement writes, and the query whose columns feed it.

Every statement that moves data is reduced to the same shape: a target table, optionally the target
columns in the order the query feeds them, and a query. ``UPDATE`` and ``MERGE`` have no query of
their own, so one is built whose outputs are the assigned expressions, read from the target joined to
the statement's sources; its WHERE/ON/WHEN conditions then become FILTER and JOIN lineage like any
other. The scope walk thus only ever sees queries.

A statement that writes several targets, or one target in several ways, becomes one plan per target
(its ``parts``): Hive/Spark's ``FROM s INSERT ... SELECT ... INSERT ... SELECT ...``, Snowflake's and
Oracle's ``INSERT ALL|FIRST [WHEN ...] INTO a ... INTO b ... SELECT``, each WHEN clause of a MERGE,
Postgres' data-modifying CTEs and T-SQL's ``OUTPUT ... INTO``. The conditions that send a row to a part (its WHEN, and for ``INSERT FIRST`` and MERGE the earlier
WHENs it failed) become that part's WHERE, hence FILTER lineage of that target's columns only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeVar

from sqlglot import exp
from sqlglot.dialects import Dialect

from tagline.ingest.catalog import TableName
from tagline.ingest.dialects import canonical_identifiers
from tagline.ingest.sql.lineage import table_name

E = TypeVar("E", bound=exp.Expr)


class StatementKind(Enum):
    QUERY = "query"
    INSERT = "insert"
    CREATE_TABLE_AS = "create table as"
    CREATE_VIEW = "create view"
    CREATE_TABLE = "create table"
    UPDATE = "update"
    MERGE = "merge"
    LOAD = "load"
    RENAME = "rename"
    DROP = "drop"
    OTHER = "other"


class UnsupportedStatement(Exception):
    """A statement that probably moves data but could not be read well enough to trace it."""


@dataclass
class Plan:
    """What one statement does, for lineage purposes.

    ``columns`` are the target columns fed by the query's outputs, by position (``None``: not given
    in the statement). ``column_types`` are declared types, from DDL. ``static_partitions`` are
    target columns set to a constant by ``PARTITION (col = 'value')``, which the query does not feed.
    ``reads`` are the tables the statement reads (an UPDATE or MERGE does not count its own target);
    ``temporary`` marks a target that lives only for the session; ``named_outputs`` is false when
    the query's output names say nothing about the target columns (``INSERT ... VALUES``).
    ``cached``: Spark's ``CACHE TABLE t AS SELECT``, a session view whose reads count where it is
    used. ``like``: the table whose columns a ``CREATE TABLE ... LIKE`` target takes. A RENAME plan's
    ``target`` is the new name and its only read the old one. ``parts``: the plans of a statement
    that writes several targets or one in several ways, traced one by one (``label`` says which in a
    failure); the statement's own ``reads`` are all of theirs.
    """

    kind: StatementKind
    target: exp.Table | None = None
    query: exp.Query | None = None
    columns: list[str] | None = None
    column_types: dict[str, str | None] = field(default_factory=dict)
    by_name: bool = False
    static_partitions: frozenset[str] = frozenset()
    reads: list[TableName] = field(default_factory=list)
    temporary: bool = False
    named_outputs: bool = True
    cached: bool = False
    like: exp.Table | None = None
    parts: list[Plan] = field(default_factory=list)
    label: str = ""

    def __post_init__(self) -> None:
        if not self.reads and self.query is not None:
            updates = self.kind in (StatementKind.UPDATE, StatementKind.MERGE)
            skip = table_name(self.target) if updates and self.target is not None else None
            self.reads = tables_read(self.query, skip)
        if not self.reads and self.parts:
            self.reads = list(dict.fromkeys(name for part in self.parts for name in part.reads))

    @property
    def targets(self) -> list[Plan]:
        """The plans that write a table: the parts, or this plan if it has a target of its own."""
        return self.parts or ([self] if self.target is not None else [])


_DATA_KEYWORDS = {"INSERT", "MERGE", "UPDATE", "WITH", "SELECT", "REPLACE", "UPSERT"}
_CREATES_DATA = re.compile(r"\b(TABLE|VIEW)\b", re.IGNORECASE)
_EXCHANGE = re.compile(
    r"\s*TABLE\s+(\S+)\s+EXCHANGE\s+PARTITION\s*(?:\(.*?\)|\S+)\s*WITH\s+TABLE\s+([^\s;]+)", re.I | re.S
)
"""Hive's ``ALTER TABLE t EXCHANGE PARTITION (...) WITH TABLE s`` (MySQL's ``PARTITION p WITH TABLE s``,
Oracle's too) moves a partition of ``s`` into ``t``."""


_CLONE = re.compile(
    r"\s*(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([^\s(]+)\s+(?:DEEP\s+|SHALLOW\s+)?CLONE\s+([^\s;]+)",
    re.I,
)
"""Databricks' ``CREATE TABLE t DEEP CLONE s [VERSION AS OF n]``, which sqlglot keeps as a command."""


def _command_table(name: str, dialect: Dialect) -> exp.Table:
    return canonical_identifiers(exp.to_table(name, dialect=dialect), dialect)


def plan_statement(statement: exp.Expr, dialect: Dialect) -> Plan:
    """Classify ``statement`` (already identifier-normalised) and pull out target and query."""
    writing = _writing_ctes(statement, dialect)
    plan = _plan_one(statement, dialect)
    if not writing:
        return plan
    main = [] if plan.kind is StatementKind.OTHER else plan.targets
    reads = list(dict.fromkeys([*plan.reads, *(name for part in writing for name in part.reads)]))
    kind = StatementKind.INSERT if plan.kind is StatementKind.OTHER else plan.kind
    return Plan(kind, parts=[*writing, *main], reads=reads)


_MODIFYING = (exp.Insert, exp.Update, exp.Delete, exp.Merge)


def _writing_ctes(statement: exp.Expr, dialect: Dialect) -> list[Plan]:
    """Postgres' data-modifying CTEs (``WITH n AS (INSERT INTO log ... RETURNING a) SELECT ... FROM n``):
    each INSERT, UPDATE or MERGE in a CTE is a target of the statement, and the CTE becomes what it
    returns, read from the table it changed, so what follows reads that table's columns."""
    with_ = statement.args.get("with_")
    if not isinstance(with_, exp.With):
        return []
    parts: list[Plan] = []
    for index, cte in enumerate(with_.expressions):
        body = cte.this
        if not isinstance(body, _MODIFYING):
            continue
        table = body.this.this if isinstance(body.this, exp.Schema) else body.this
        if not isinstance(table, exp.Table):
            raise UnsupportedStatement(f"the CTE {cte.alias} changes something other than a table")
        if not isinstance(body, exp.Delete):
            alone = body.copy()
            if index:
                alone.set("with_", exp.With(expressions=[c.copy() for c in with_.expressions[:index]]))
            for part in _plan_one(alone, dialect).targets:
                part.label = part.label or f"WITH {cte.alias}"
                parts.append(part)
        cte.set("this", _returned(body, table))
    return parts


def _returned(body: exp.Expr, table: exp.Table) -> exp.Query:
    """The rows a data-modifying statement returns (its RETURNING list, read from its table)."""
    returning = body.args.get("returning")
    columns = [e.copy() for e in returning.expressions] if isinstance(returning, exp.Returning) else [exp.Star()]
    query = exp.Select(expressions=columns)
    query.set("from_", exp.From(this=_bare(table)))
    from_ = body.args.get("from_")
    if isinstance(body, exp.Update) and from_ is not None:
        query.append("joins", exp.Join(this=_bare(from_.this)))
    where = body.args.get("where")
    if isinstance(body, (exp.Update, exp.Delete)) and where is not None:
        query.set("where", where.copy())
    return query


def with_output(plan: Plan, statement: exp.Expr, into: exp.Table | exp.Schema) -> Plan:
    """``plan`` of a T-SQL statement with ``OUTPUT <values> INTO t [(cols)]`` and one more target,
    ``t``: the values read the changed table (``inserted.x`` and ``deleted.x`` are its column ``x``,
    after and before; ``$action`` is no column), under the statement's own conditions."""
    changed = _target(statement.this)[0] if isinstance(statement, exp.Insert) else statement.this
    returning = statement.args.get("returning")
    if not isinstance(changed, exp.Table) or not isinstance(returning, exp.Returning):
        raise UnsupportedStatement("OUTPUT ... INTO of a statement whose changed table could not be read")
    rows = statement.copy()
    values = []
    for value in rows.args["returning"].expressions:
        if isinstance(value, exp.Column) and value.name.startswith("$"):
            continue
        for column in value.find_all(exp.Column):
            if column.table.lower() in ("inserted", "deleted"):
                column.set("table", exp.to_identifier(changed.alias_or_name))
        values.append(value)
    rows.set("returning", exp.Returning(expressions=values))
    target, columns, _ = _target(into)
    assert target is not None
    output = Plan(
        StatementKind.INSERT,
        target=target,
        query=_returned(rows, changed),
        columns=columns,
        temporary=_is_temporary(target),
        label="OUTPUT INTO",
    )
    if plan.kind is StatementKind.OTHER:
        return Plan(StatementKind.INSERT, parts=[output])
    return Plan(plan.kind, parts=[*plan.targets, output], reads=plan.reads, like=plan.like)


def _plan_one(statement: exp.Expr, dialect: Dialect) -> Plan:
    if isinstance(statement, exp.Query):
        return _plan_query(statement, dialect)
    if isinstance(statement, exp.Insert) and isinstance(statement.this, exp.Directory):
        return _plan_directory(statement)
    if isinstance(statement, exp.Insert):
        return _plan_insert(statement)
    if isinstance(statement, exp.Create):
        return _plan_create(statement, dialect)
    if isinstance(statement, exp.Update):
        return _plan_update(statement)
    if isinstance(statement, exp.Merge):
        return _plan_merge(statement)
    if isinstance(statement, exp.MultitableInserts):
        return _plan_multitable(statement)
    if isinstance(statement, exp.Drop):
        tables = statement.args.get("tables") or []
        if str(statement.args.get("kind") or "").upper() in ("TABLE", "VIEW") and len(tables) == 1:
            return Plan(StatementKind.DROP, target=tables[0])
        return Plan(StatementKind.OTHER)
    if isinstance(statement, exp.Copy):
        return _plan_copy(statement)
    if isinstance(statement, exp.Alter):
        return _plan_alter(statement)
    if isinstance(statement, exp.LoadData) and isinstance(statement.args.get("inpath"), exp.Literal):
        return Plan(StatementKind.LOAD, target=statement.this, reads=[(statement.args["inpath"].name,)])
    if isinstance(statement, exp.Cache) and isinstance(statement.expression, exp.Query):
        query = _unwrap(statement.expression)
        return Plan(StatementKind.CREATE_VIEW, target=statement.this, query=query, temporary=True, cached=True)
    if isinstance(statement, exp.Command):
        keyword = str(statement.this).upper()
        exchange = _EXCHANGE.match(str(statement.expression or "")) if keyword == "ALTER" else None
        if exchange is not None:
            target, source = (_command_table(exchange.group(i), dialect) for i in (1, 2))
            return Plan(StatementKind.LOAD, target=target, reads=[table_name(source)])
        clone = _CLONE.match(str(statement.expression or "")) if keyword == "CREATE" else None
        if clone is not None:
            target, source = (_command_table(clone.group(i), dialect) for i in (1, 2))
            return Plan(StatementKind.CREATE_TABLE_AS, target=target, query=exp.select("*").from_(source))
        if keyword in _DATA_KEYWORDS or (keyword == "CREATE" and _CREATES_DATA.search(statement.sql(dialect=dialect))):
            raise UnsupportedStatement(
                f"sqlglot could not parse this {keyword} statement in this dialect (unsupported syntax)"
            )
        return Plan(StatementKind.OTHER)
    if isinstance(statement, (exp.Condition, exp.Alias, exp.Star)):
        raise UnsupportedStatement(f"not a SQL statement: {statement.sql(dialect=dialect)[:80]!r}")
    return Plan(StatementKind.OTHER)


_WRITES = (exp.Insert, exp.Update, exp.Merge, exp.MultitableInserts)


def writes_data(statement: exp.Expr) -> bool:
    """Whether sqlglot reads ``statement`` as writing rows into a table: an INSERT (of any form), an
    UPDATE, a MERGE, or a CREATE TABLE/VIEW from a query. Such a statement must come out with its
    lineage or a failure, never as nothing."""
    if isinstance(statement, _WRITES):
        return True
    return (
        isinstance(statement, exp.Create)
        and str(statement.args.get("kind") or "").upper() in ("TABLE", "VIEW")
        and isinstance(statement.expression, exp.Query)
    )


def _plan_query(statement: exp.Query, dialect: Dialect) -> Plan:
    into = _select_into(statement)
    if into is not None:
        temporary = bool(into.args.get("temporary")) or _is_temporary(into.this)
        return Plan(StatementKind.CREATE_TABLE_AS, target=into.this, query=statement, temporary=temporary)
    swap = _swap_partitions(statement, dialect)
    if swap is not None:
        return swap
    return Plan(StatementKind.QUERY, query=_unwrap(statement))


def _select_into(statement: exp.Query) -> exp.Into | None:
    """The ``INTO t`` of ``SELECT ... INTO t FROM ...``, taken off the query. With a set operation
    (``SELECT * INTO t FROM a UNION ALL SELECT * FROM b``) it sits on the first branch and receives
    the whole result."""
    select = statement
    while isinstance(select, exp.SetOperation):
        select = select.this
    into = select.args.get("into") if isinstance(select, exp.Select) else None
    if into is None or not isinstance(into.this, exp.Table):
        return None
    select.set("into", None)
    return into


def _swap_partitions(statement: exp.Query, dialect: Dialect) -> Plan | None:
    """Vertica's ``SELECT SWAP_PARTITIONS_BETWEEN_TABLES('staging', min, max, 'target')`` moves the
    partitions of ``staging`` in the range into ``target`` (and back): data flows staging -> target."""
    if not isinstance(statement, exp.Select) or statement.args.get("from_") or len(statement.expressions) != 1:
        return None
    call = statement.expressions[0]
    if not isinstance(call, exp.Anonymous) or call.name.lower() != "swap_partitions_between_tables":
        return None
    arguments = call.expressions
    if len(arguments) != 4 or not all(isinstance(a, exp.Literal) and a.is_string for a in (arguments[0], arguments[3])):
        return None
    source, target = (_command_table(arguments[i].name, dialect) for i in (0, 3))
    return Plan(StatementKind.LOAD, target=target, reads=[table_name(source)])


def _plan_alter(statement: exp.Alter) -> Plan:
    """``ALTER TABLE t RENAME TO u`` (lineage follows the table to ``u``) and Snowflake's ``ALTER
    TABLE t SWAP WITH s`` (``t`` takes the content of ``s``)."""
    table = statement.this
    actions = statement.args.get("actions") or []
    if not isinstance(table, exp.Table) or len(actions) != 1:
        return Plan(StatementKind.OTHER)
    action = actions[0]
    if isinstance(action, exp.AlterRename) and isinstance(action.this, exp.Table):
        new = action.this
        if not new.args.get("db") and table.args.get("db"):
            new = exp.table_(new.name, db=table.args["db"].copy(), catalog=table.args.get("catalog"))
        return Plan(StatementKind.RENAME, target=new, reads=[table_name(table)])
    if isinstance(action, exp.SwapTable) and isinstance(action.this, exp.Table):
        return Plan(StatementKind.LOAD, target=table, reads=[table_name(action.this)])
    return Plan(StatementKind.OTHER)


def _plan_directory(statement: exp.Insert) -> Plan:
    """``INSERT OVERWRITE [LOCAL] DIRECTORY '/path' SELECT ...`` writes the query's rows as files."""
    directory = statement.this
    query = statement.expression
    if not isinstance(directory.this, exp.Literal) or not isinstance(query, exp.Query):
        return Plan(StatementKind.OTHER)
    target = exp.Table(this=exp.to_identifier(directory.this.name, quoted=True))
    query = _with_ctes(_unwrap(query), statement.args.get("with_"))
    return Plan(StatementKind.INSERT, target=target, query=query)


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
    named = True
    if isinstance(query, exp.Values):
        query, named = _values_query(query), False
    query = _with_ctes(_unwrap(query), statement.args.get("with_")) if isinstance(query, exp.Query) else None
    return Plan(
        StatementKind.INSERT,
        target=target,
        query=query,
        columns=columns,
        by_name=bool(statement.args.get("by_name")),
        static_partitions=static,
        temporary=_is_temporary(target),
        named_outputs=named,
    )


def _values_query(values: exp.Values) -> exp.Query | None:
    """``VALUES (1, (SELECT max(id) FROM s)), (...)`` as ``SELECT ... UNION ALL SELECT ...``, so
    subqueries among the values are traced like any query."""
    rows = [
        exp.Select(expressions=[e.copy() for e in row.expressions])
        for row in values.expressions
        if isinstance(row, exp.Tuple)
    ]
    if not rows:
        return None
    query: exp.Query = rows[0]
    for row in rows[1:]:
        query = exp.union(query, row, distinct=False, copy=False)
    return query


def _plan_copy(statement: exp.Copy) -> Plan:
    """``COPY [INTO] t FROM 's3://...' | @stage``: files load into ``t``; the files are its source,
    named by path. ``COPY INTO 's3://...' | @stage FROM t | (SELECT ...)`` (``kind`` false for
    Postgres' ``COPY t TO``) unloads a table or a query into files."""
    target = _copy_place(statement.this)
    if target is None:
        return Plan(StatementKind.OTHER)
    files = statement.args.get("files") or []
    if not statement.args.get("kind"):
        target, files = _copy_place(files[0]) if len(files) == 1 else None, [statement.this]
        if target is None:
            return Plan(StatementKind.OTHER)
    queries = [_unwrap(f) for f in files if isinstance(f, exp.Subquery)]
    if len(queries) == 1 and isinstance(queries[0], exp.Query):
        return Plan(StatementKind.INSERT, target=target, query=queries[0])
    sources = [_copy_place(f) for f in files]
    return Plan(StatementKind.LOAD, target=target, reads=[table_name(t) for t in sources if t is not None])


def _copy_place(node: exp.Expr) -> exp.Table | None:
    """A table, a path literal or a stage, as the table reference the rest of the extractor names."""
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Table(this=exp.to_identifier(node.name, quoted=True))
    if not isinstance(node, exp.Table):
        return None
    if isinstance(node.this, exp.Identifier):
        return node
    if isinstance(node.this, (exp.Var, exp.Literal)):
        return exp.Table(this=exp.to_identifier(node.this.name, quoted=True))
    return None


def _is_temporary(table: exp.Table) -> bool:
    """``#t`` (T-SQL) or ``##t``: a session table; ``@t``, a T-SQL table variable, lives in the batch."""
    return isinstance(table.this, exp.Parameter) or bool(
        isinstance(table.this, exp.Identifier) and table.this.args.get("temporary")
    )


def tables_read(query: exp.Expr, skip: TableName | None = None) -> list[TableName]:
    """Every real table ``query`` reads (not its CTEs), in order of appearance."""
    ctes = {cte.alias for cte in query.find_all(exp.CTE)}
    names: dict[TableName, None] = {}
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue
        name = table_name(table)
        if (len(name) == 1 and name[0] in ctes) or name == skip:
            continue
        names.setdefault(name)
    return list(names)


def _plan_create(statement: exp.Create, dialect: Dialect) -> Plan:
    kind = str(statement.args.get("kind") or "").upper()
    target, columns, types = _target(statement.this, dialect)
    query = statement.expression if isinstance(statement.expression, exp.Query) else None
    if target is None or kind not in ("TABLE", "VIEW"):
        return Plan(StatementKind.OTHER)
    properties = statement.args.get("properties")
    temporary = _is_temporary(target) or bool(properties is not None and properties.find(exp.TemporaryProperty))
    clone = statement.args.get("clone")
    if kind == "TABLE" and isinstance(clone, exp.Clone) and isinstance(clone.this, exp.Table):
        # CLONE / COPY (Snowflake, BigQuery, Databricks) copies the data: every column, as it is.
        query = exp.select("*").from_(clone.this.copy())
    like = _like_table(statement)
    if like is not None:
        return Plan(StatementKind.CREATE_TABLE, target=target, reads=[table_name(like)], temporary=temporary, like=like)
    if query is not None:
        plan_kind = StatementKind.CREATE_VIEW if kind == "VIEW" else StatementKind.CREATE_TABLE_AS
        return Plan(
            plan_kind, target=target, query=_unwrap(query), columns=columns, column_types=types, temporary=temporary
        )
    if kind == "TABLE":
        return Plan(StatementKind.CREATE_TABLE, target=target, columns=columns, column_types=types, temporary=temporary)
    return Plan(StatementKind.OTHER)


def _like_table(statement: exp.Create) -> exp.Table | None:
    """``CREATE TABLE t LIKE s`` (Hive, MySQL, Spark) or ``CREATE TABLE t (LIKE s)`` (Postgres)."""
    places = [statement.args.get("properties"), statement.this if isinstance(statement.this, exp.Schema) else None]
    for place in places:
        for item in place.expressions if place is not None else ():
            if isinstance(item, exp.LikeProperty) and isinstance(item.this, exp.Table):
                return item.this
    return None


def _plan_update(statement: exp.Update) -> Plan:
    target = statement.this
    if not isinstance(target, exp.Table):
        raise UnsupportedStatement("UPDATE of something other than a table")
    columns, values = _assignments(statement.expressions, "UPDATE")
    query = exp.Select(expressions=_aliased(values, columns))
    from_ = statement.args.get("from_")
    aliased = _aliased_target(statement)
    if aliased is not None and from_ is not None:
        # The FROM clause already reads the target, under the alias the SET clause uses.
        query.set("from_", from_.copy())
        target = _bare(aliased)
        target.set("alias", None)
        from_ = None
    else:
        query.set("from_", exp.From(this=_bare(target)))
    for join in target.args.get("joins") or ():
        query.append("joins", join.copy())
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


def _aliased_target(statement: exp.Update) -> exp.Table | None:
    """T-SQL's ``UPDATE sr SET ... FROM Production.ScrapReason AS sr JOIN ...``: the target named by
    the alias of a table in the FROM clause is that table."""
    target = statement.this
    from_ = statement.args.get("from_")
    if from_ is None or target.args.get("db") or target.alias:
        return None
    candidates = [
        from_.this,
        *(j.this for j in from_.this.args.get("joins") or ()),
        *(j.this for j in statement.args.get("joins") or ()),
    ]
    for table in candidates:
        if isinstance(table, exp.Table) and table.alias == target.name:
            return table
    return None


def _plan_merge(statement: exp.Merge) -> Plan:
    """One part per WHEN clause that sets values: its assignments read from the target joined to
    the source, under its own condition and the negation of the earlier ones of its kind (a row takes
    the first WHEN that applies). DELETE and DO NOTHING clauses move no values."""
    target = statement.this
    if not isinstance(target, exp.Table):
        raise UnsupportedStatement("MERGE into something other than a table")
    whens = statement.args.get("whens")
    earlier: dict[tuple[bool, bool], list[exp.Expr]] = {}
    parts = []
    for number, when in enumerate(whens.expressions if whens is not None else (), start=1):
        then = when.args.get("then")
        names, values = _merge_values(statement, then)
        condition = when.args.get("condition")
        kind = (bool(when.args.get("matched")), bool(when.args.get("source")))
        row_filter = _first_match(earlier.setdefault(kind, []), condition)
        if condition is not None:
            earlier[kind].append(condition)
        if not values:
            continue
        query = _merge_query(statement, target, names, values, row_filter)
        parts.append(
            Plan(
                StatementKind.MERGE,
                target=_bare(target),
                query=query,
                columns=names,
                by_name=names is not None,
                named_outputs=names is not None,
                label=f"WHEN clause {number}",
            )
        )
    reads = tables_read(_merge_query(statement, target, [], [], None), table_name(target))
    return Plan(StatementKind.MERGE, target=_bare(target), parts=parts, reads=reads)


def _merge_values(merge: exp.Merge, then: exp.Expr | None) -> tuple[list[str] | None, list[exp.Expr]]:
    """The target columns (``None``: not named, by position) and values one WHEN clause sets."""
    if isinstance(then, exp.Update) and _is_star_list(then.expressions):
        return ["*"], [_source_star(merge)]
    if isinstance(then, exp.Update):
        return _assignments(then.expressions, "MERGE ... UPDATE")
    if isinstance(then, exp.Insert) and (isinstance(then.this, exp.Star) or _is_insert_row(then)):
        return ["*"], [_source_star(merge)]
    if isinstance(then, exp.Insert):
        return _merge_insert(then)
    return [], []


def _is_insert_row(insert: exp.Insert) -> bool:
    """BigQuery's ``WHEN NOT MATCHED THEN INSERT ROW``: every column of the source row."""
    return isinstance(insert.this, exp.Var) and insert.this.name.upper() == "ROW" and not insert.expression


def _merge_query(
    merge: exp.Merge, target: exp.Table, names: list[str] | None, values: list[exp.Expr], row_filter: exp.Expr | None
) -> exp.Query:
    select = values if names is None else _aliased(values, names)
    query = exp.Select(expressions=select)
    query.set("from_", exp.From(this=_bare(target)))
    query.append("joins", exp.Join(this=merge.args["using"].copy(), on=merge.args["on"].copy()))
    if row_filter is not None:
        query.set("where", exp.Where(this=row_filter))
    with_ = merge.args.get("with_")
    return _with_ctes(query, with_.copy() if with_ is not None else None)


def _first_match(earlier: list[exp.Expr], condition: exp.Expr | None) -> exp.Expr | None:
    """The condition under which a row reaches a clause that is tried after ``earlier``: none of
    them held, and its own ``condition`` (if any) does."""
    conditions = [exp.not_(c.copy()) for c in earlier] + ([condition.copy()] if condition is not None else [])
    return exp.and_(*conditions, copy=False) if conditions else None


def _plan_multitable(statement: exp.MultitableInserts) -> Plan:
    source = statement.args.get("source")
    kind = str(statement.args.get("kind") or "").upper()
    if kind in ("ALL", "FIRST") and isinstance(source, exp.Query):
        parts = _insert_all_parts(statement.expressions, _unwrap(source), first=kind == "FIRST")
    elif isinstance(source, (exp.Table, exp.Subquery)):
        parts = [_from_insert_part(insert, source, statement.args.get("with_")) for insert in statement.expressions]
    else:
        raise UnsupportedStatement("a multi-table INSERT whose source could not be read")
    return Plan(StatementKind.INSERT, parts=parts)


def _from_insert_part(insert: exp.Expr, source: exp.Table | exp.Subquery, with_: exp.With | None) -> Plan:
    """One ``INSERT ... SELECT`` of Hive's ``FROM source INSERT ... SELECT ... INSERT ... SELECT``:
    the SELECT reads the shared source (with its joins and LATERAL VIEWs) as if it named it."""
    query = insert.expression
    if not isinstance(insert, exp.Insert) or not isinstance(query, exp.Select) or query.args.get("from_") is not None:
        raise UnsupportedStatement("a branch of a multi-table INSERT that is not a plain SELECT")
    query = query.copy()
    shared = _bare(source)
    shared.set("laterals", None)
    query.set("from_", exp.From(this=shared))
    for key in ("joins", "laterals"):
        for item in source.args.get(key) or ():
            query.append(key, item.copy())
    branch = insert.copy()
    branch.set("expression", query)
    branch.set("with_", with_.copy() if with_ is not None else None)
    part = _plan_directory(branch) if isinstance(branch.this, exp.Directory) else _plan_insert(branch)
    if part.target is None:
        raise UnsupportedStatement("a branch of a multi-table INSERT without a table to write")
    return part


def _insert_all_parts(inserts: list[exp.Expr], source: exp.Query, *, first: bool) -> list[Plan]:
    """``INSERT ALL|FIRST [WHEN c THEN] INTO t [(cols)] [VALUES (...)] ... [ELSE INTO ...] SELECT``.

    Each INTO reads the SELECT's rows that reach it: under ALL those its WHEN holds for, under FIRST
    those no earlier WHEN held for, and under ELSE those no WHEN held for. An INTO after another
    shares its WHEN. ``VALUES`` name the SELECT's columns and feed the target's by position; without
    them the SELECT's columns go in as they are.
    """
    groups: list[tuple[exp.ConditionalInsert, exp.Expr | None, bool]] = []
    condition: exp.Expr | None = None
    is_else = False
    for item in inserts:
        if not isinstance(item, exp.ConditionalInsert):
            raise UnsupportedStatement("an INSERT ALL/FIRST branch that is not INTO a table")
        if item.args.get("expression") is not None:
            condition, is_else = item.args["expression"], False
        elif item.args.get("else_"):
            condition, is_else = None, True
        groups.append((item, condition, is_else))
    whens = list(dict.fromkeys(id(c) for _, c, _ in groups if c is not None))
    conditions = {id(c): c for _, c, _ in groups if c is not None}
    parts = []
    for number, (item, condition, is_else) in enumerate(groups, start=1):
        if is_else:
            row_filter = _first_match([conditions[w] for w in whens], None)
        elif condition is not None and first:
            row_filter = _first_match([conditions[w] for w in whens[: whens.index(id(condition))]], condition)
        else:
            row_filter = condition.copy() if condition is not None else None
        parts.append(_into_part(item.this, source, row_filter, number))
    return parts


def _into_part(insert: exp.Insert, source: exp.Query, row_filter: exp.Expr | None, number: int) -> Plan:
    values = insert.expression
    rows = values.expressions if isinstance(values, exp.Values) else []
    if values is not None and (len(rows) != 1 or not isinstance(rows[0], exp.Tuple)):
        raise UnsupportedStatement(f"INTO clause {number} of an INSERT ALL/FIRST with other than one VALUES row")
    if not rows and row_filter is None:
        query: exp.Query = source.copy()
    else:
        projections = [e.copy() for e in rows[0].expressions] if rows else [exp.Star()]
        query = exp.Select(expressions=projections).from_(exp.Subquery(this=source.copy()), copy=False)
        if row_filter is not None:
            query.set("where", exp.Where(this=row_filter))
    part = _plan_insert(exp.Insert(this=insert.this.copy(), expression=query))
    if part.target is None:
        raise UnsupportedStatement(f"INTO clause {number} of an INSERT ALL/FIRST does not name a table")
    part.named_outputs = not rows
    part.label = f"INTO clause {number}"
    return part


def _merge_insert(insert: exp.Insert) -> tuple[list[str] | None, list[exp.Expr]]:
    """``INSERT (k, v) VALUES (s.k, s.v)``; without a column list (``None``) the values feed the
    target's columns in the catalog's order."""
    names, values = insert.this, insert.expression
    if not isinstance(values, exp.Tuple):
        raise UnsupportedStatement(f"MERGE ... {insert.sql()[:60]}: a WHEN clause inserting other than VALUES (...)")
    columns = [c.name for c in names.expressions] if isinstance(names, exp.Tuple) else None
    return columns, [v.copy() for v in values.expressions]


def _is_star_list(items: list[exp.Expr]) -> bool:
    return len(items) == 1 and isinstance(items[0], exp.Star)


def _source_star(merge: exp.Merge) -> exp.Expr:
    """``UPDATE SET *`` / ``INSERT *``: every column of the USING source, by name."""
    using = merge.args["using"]
    return exp.Column(this=exp.Star(), table=exp.to_identifier(using.alias_or_name))


def _assignments(items: list[exp.Expr], where: str) -> tuple[list[str], list[exp.Expr]]:
    if not all(isinstance(item, exp.EQ) and isinstance(item.this, exp.Column) for item in items):
        raise UnsupportedStatement(f"{where} SET must assign columns one by one (SET * or tuples are not supported)")
    return [item.this.name for item in items], [item.expression.copy() for item in items]


def _aliased(values: list[exp.Expr], names: list[str]) -> list[exp.Expr]:
    return [
        value if name == "*" else exp.alias_(value, exp.to_identifier(name), copy=False)
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
    ctes = list(with_.expressions) + (list(own.expressions) if own is not None else [])
    query.set("with_", exp.With(expressions=ctes, recursive=with_.args.get("recursive")))
    return query
