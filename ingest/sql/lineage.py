"""Column lineage of one qualified query, found by walking its sqlglot scopes once.

``sqlglot.lineage.lineage()`` answers one column at a time and re-qualifies the query on every call;
here the query is qualified and scoped once by the caller, and every output column is traced through
the scope tree with memoised per-scope results, so a column of a CTE used by ten outputs is resolved
once. CTEs and subqueries are collapsed on the way: what comes out refers only to columns of real
tables.

Each output column gets DIRECT sources, classified along the whole path (IDENTITY < TRANSFORMATION <
AGGREGATION, the strongest wins; masking if a hashing/masking function or a COUNT is on the way), and
per-column INDIRECT sources (WINDOW, CONDITIONAL). JOIN, FILTER, GROUP_BY and SORT columns shape the
rows rather than one value, so they are reported once for the whole query (the caller fans them out
to every output column, as OpenLineage does), including those of the CTEs and derived tables the
query reads from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects import Dialect
from sqlglot.optimizer.scope import Scope

from tagline.graph.model import Subtype
from tagline.ingest.catalog import ColumnTypes, TableName

_VALUE_RANK = {Subtype.IDENTITY: 0, Subtype.TRANSFORMATION: 1, Subtype.AGGREGATION: 2}
_PER_COLUMN_INDIRECT = (Subtype.WINDOW, Subtype.CONDITIONAL)
_LATE_CLAUSES = ("group", "having", "qualify", "order")
"""Clauses evaluated after the projections are named, where an unqualified name may be an output."""

MASKING_FUNCTIONS = frozenset(
    {
        "md5", "sha", "sha1", "sha2", "sha256", "sha512", "hash", "farm_fingerprint", "mask",
        "mask_hash", "mask_first_n", "mask_last_n", "mask_show_first_n", "mask_show_last_n", "redact",
    }
)  # fmt: skip
"""Function names (as written) whose result hides the value of their input."""

_MASKING_CLASSES: tuple[type[exp.Expr], ...] = (
    exp.MD5,
    exp.MD5Digest,
    exp.SHA,
    exp.SHA1Digest,
    exp.SHA2,
    exp.SHA2Digest,
    exp.StandardHash,
    exp.FarmFingerprint,
)
"""sqlglot's own classes for the masking functions it parses into typed nodes."""

_COUNTING_AGGREGATES: tuple[type[exp.Expr], ...] = (exp.Count, exp.CountIf, exp.ApproxDistinct)
"""Aggregates that keep only how many values there were: AGGREGATION with masking, per OpenLineage."""


class LineageError(Exception):
    """The query cannot be traced: a column that does not exist, or one that could come from two tables."""


@dataclass(frozen=True, slots=True)
class SourceColumn:
    """A column of a real table, named by the table's normalised name parts as written in the SQL."""

    table: TableName
    field: str


Key = tuple[SourceColumn, Subtype]


@dataclass
class Lineage:
    """Where one value comes from.

    ``direct`` maps (source, subtype) to masking; two paths with the same key are masked only if both
    are, because an unmasked path still carries the value. ``indirect`` maps (source, subtype) to the
    SQL text of the condition or clause that uses the source (the first one seen).
    """

    direct: dict[Key, bool] = field(default_factory=dict)
    indirect: dict[Key, str] = field(default_factory=dict)

    def add_direct(self, key: Key, masking: bool) -> None:
        self.direct[key] = self.direct.get(key, True) and masking

    def add_indirect(self, key: Key, text: str) -> None:
        self.indirect.setdefault(key, text)

    def merge(self, other: Lineage) -> None:
        for key, masking in other.direct.items():
            self.add_direct(key, masking)
        for key, text in other.indirect.items():
            self.add_indirect(key, text)


@dataclass(frozen=True, slots=True)
class _Context:
    """How a node's value reaches the output: as a value (rank, masking) or as an INDIRECT kind."""

    subtype: Subtype
    masking: bool = False
    text: str = ""
    bound: frozenset[str] = frozenset()

    @property
    def indirect(self) -> bool:
        return self.subtype not in _VALUE_RANK

    def value(self, subtype: Subtype = Subtype.TRANSFORMATION, masking: bool = False) -> _Context:
        if self.indirect:
            return self
        return _Context(stronger(subtype, self.subtype), self.masking or masking, self.text, self.bound)

    def condition(self, subtype: Subtype, text: str) -> _Context:
        return _Context(subtype, False, text, self.bound)

    def compose(self, target: Lineage, source: Lineage) -> None:
        """Add ``source`` (the lineage of something used in this context) to ``target``."""
        if not self.indirect:
            for (column, subtype), masking in source.direct.items():
                target.add_direct((column, stronger(subtype, self.subtype)), masking or self.masking)
            for key, text in source.indirect.items():
                target.add_indirect(key, text)
            return
        for column, _ in source.direct:
            target.add_indirect((column, self.subtype), self.text)
        for (column, subtype), text in source.indirect.items():
            if subtype in _PER_COLUMN_INDIRECT:
                target.add_indirect((column, self.subtype), self.text)
            else:
                target.add_indirect((column, subtype), text)


_IDENTITY = _Context(Subtype.IDENTITY)


def stronger(a: Subtype, b: Subtype) -> Subtype:
    """Of two DIRECT subtypes, the one that says more happened: AGGREGATION > TRANSFORMATION > IDENTITY."""
    return a if _VALUE_RANK[a] >= _VALUE_RANK[b] else b


@dataclass
class OutputColumn:
    """One column the query returns: its name, its SQL, and where its value comes from."""

    name: str
    expression: str
    lineage: Lineage
    is_star: bool


@dataclass
class QueryLineage:
    """The lineage of a whole query: per output column, plus row-shaping columns for all of them."""

    outputs: list[OutputColumn]
    dataset_indirect: dict[Key, str]
    unresolved: list[str] = field(default_factory=list)
    """Why some JOIN/WHERE/GROUP BY/ORDER BY conditions were left out of ``dataset_indirect``."""


_FILE_FORMATS = frozenset({"csv", "json", "parquet", "orc", "avro", "text", "delta", "binaryfile", "jdbc"})


def table_name(table: exp.Table) -> TableName:
    """The name parts of a table reference, as written (after identifier normalisation).

    Spark's ``csv.`s3://bucket/path``` reads files: the dataset is the path. A T-SQL table variable
    ``@t`` keeps its ``@``, so it never meets a table ``t``."""
    if isinstance(table.this, exp.Parameter):
        return ("@" + table.name,)
    parts = table.parts
    if len(parts) == 2 and parts[0].name in _FILE_FORMATS and table.this.quoted and "/" in table.name:
        return (table.name,)
    return tuple(part.name for part in parts)


def query_lineage(
    root: Scope,
    dialect: Dialect,
    columns_of: Callable[[TableName], ColumnTypes | None],
    *,
    lateral_alias: bool = False,
) -> QueryLineage:
    """Trace every output column of the query whose root scope is ``root``.

    ``columns_of`` gives the known columns of a table (``None`` if the table is unknown); a column
    missing from a known table is an error rather than a guess. ``lateral_alias``: a bare name that
    no table is known to have, and that an earlier output of the same SELECT is called, is that
    output (without it, such a name is taken for a column of the query's only table).
    """
    return _Walker(root, dialect, columns_of, lateral_alias).run()


class _Walker:
    def __init__(
        self,
        root: Scope,
        dialect: Dialect,
        columns_of: Callable[[TableName], ColumnTypes | None],
        lateral_alias: bool,
    ) -> None:
        self.root = root
        self.lateral_alias = lateral_alias
        self.dialect = dialect
        self.columns_of = columns_of
        self.scopes = list(root.traverse())
        self.scope_of = {id(scope.expression): scope for scope in self.scopes}
        self.outputs: dict[tuple[int, int], Lineage] = {}
        self.row_lineage: dict[int, Lineage] = {}
        self.udtfs: dict[int, Lineage] = {}
        self.names: dict[int, list[str]] = {}
        self.unresolved: list[str] = []

    def run(self) -> QueryLineage:
        outputs = []
        for index, name in enumerate(self.output_names(self.root)):
            is_star = _is_star(_projections(self.root)[index])
            outputs.append(
                OutputColumn(name, self.projection_sql(self.root, index), self.output(self.root, index), is_star)
            )
        return QueryLineage(outputs, self.rows(self.root).indirect, self.unresolved)

    # ---- outputs of a scope -----------------------------------------------------------------

    def output_names(self, scope: Scope) -> list[str]:
        names = self.names.get(id(scope))
        if names is None:
            names = ["*" if _is_star(p) else p.alias_or_name for p in _projections(scope)]
            self.names[id(scope)] = names
        return names

    def projection_sql(self, scope: Scope, index: int) -> str:
        """The SQL of output ``index``; for a set operation, that of every branch joined by its operator."""
        node = scope.expression
        if isinstance(node, exp.SetOperation):
            operator = f" {node.key.upper()}{'' if node.args.get('distinct') else ' ALL'} "
            return operator.join(
                self.projection_sql(branch, index)
                for branch in scope.set_operation_scopes
                if index < len(_projections(branch))
            )
        projection = _projections(scope)[index]
        return "*" if _is_star(projection) else self.sql(projection.unalias())

    def output(self, scope: Scope, index: int) -> Lineage:
        key = (id(scope), index)
        lineage = self.outputs.get(key)
        if lineage is not None:
            return lineage
        # Stored before it is computed, so a recursive CTE reading itself terminates.
        lineage = self.outputs[key] = Lineage()
        if isinstance(scope.expression, exp.SetOperation):
            for branch in scope.set_operation_scopes:
                if index < len(_projections(branch)):
                    lineage.merge(self.output(branch, index))
            return lineage
        projection = _projections(scope)[index]
        if isinstance(projection, exp.Star):
            lineage.merge(self.star(scope, None))
        elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
            lineage.merge(self.star(scope, projection.table))
        else:
            self.visit(scope, projection, _IDENTITY, lineage)
        return lineage

    def all_outputs(self, scope: Scope) -> Lineage:
        lineage = Lineage()
        for index in range(len(self.output_names(scope))):
            lineage.merge(self.output(scope, index))
        return lineage

    def star(self, scope: Scope, alias: str | None) -> Lineage:
        """``*`` or ``t.*`` that qualification could not expand: the ``*`` of each table behind it."""
        sources = self.selected(scope)
        if alias is not None:
            sources = [(name, source) for name, source in sources if name == alias]
        lineage = Lineage()
        for _, source in sources:
            if isinstance(source, exp.Table):
                lineage.add_direct((SourceColumn(table_name(source), "*"), Subtype.IDENTITY), False)
            elif _is_udtf(source):
                lineage.merge(self.udtf(source))
            else:
                lineage.merge(self.all_outputs(source))
        return _without_covered(lineage)

    # ---- rows of a scope: JOIN / FILTER / GROUP_BY / SORT -------------------------------------

    def rows(self, scope: Scope) -> Lineage:
        """Columns that decide which rows a scope returns (as ``indirect`` entries)."""
        lineage = self.row_lineage.get(id(scope))
        if lineage is not None:
            return lineage
        lineage = self.row_lineage[id(scope)] = Lineage()
        node = scope.expression
        if isinstance(node, exp.SetOperation):
            for branch in scope.set_operation_scopes:
                lineage.merge(self.rows(branch))
            return lineage
        if not isinstance(node, exp.Select):
            return lineage
        for join in node.args.get("joins") or ():
            self.visit_conjuncts(scope, join.args.get("on"), Subtype.JOIN, lineage)
        for clause in ("where", "having", "qualify"):
            condition = node.args.get(clause)
            if condition is not None:
                self.visit_conjuncts(scope, condition.this, Subtype.FILTER, lineage)
        group = node.args.get("group")
        if group is not None:
            for item in group.iter_expressions():
                self.visit(scope, item, _Context(Subtype.GROUP_BY, text=self.sql(item)), lineage)
        order = node.args.get("order")
        if order is not None:
            for item in order.expressions:
                self.visit(scope, item.this, _Context(Subtype.SORT, text=self.sql(item.this)), lineage)
        for _, source in self.selected(scope):
            if isinstance(source, Scope) and not _is_udtf(source):
                lineage.merge(self.rows(source))
        return lineage

    def visit_conjuncts(self, scope: Scope, condition: exp.Expr | None, subtype: Subtype, into: Lineage) -> None:
        if condition is None:
            return
        for conjunct in condition.flatten() if isinstance(condition, exp.And) else (condition,):
            # A condition naming a column its table lacks says nothing of the values selected: the
            # outputs keep their lineage, and the condition is reported as unresolved.
            try:
                self.visit(scope, conjunct, _Context(subtype, text=self.sql(conjunct)), into)
            except LineageError as error:
                self.unresolved.append(f"{subtype.value} condition {self.sql(conjunct)!r}: {error}")

    # ---- expressions ----------------------------------------------------------------------

    def visit(self, scope: Scope, node: exp.Expr, context: _Context, into: Lineage) -> None:
        """Add the lineage of every column under ``node`` (within ``scope``) to ``into``."""
        stack = [(node, context)]
        while stack:
            node, context = stack.pop()
            if isinstance(node, exp.Column):
                if isinstance(node.this, exp.Star):
                    context.compose(into, self.star(scope, node.table))
                elif node.table or node.name not in context.bound:
                    context.compose(into, self.column(scope, node))
                continue
            if isinstance(node, exp.Star):
                # COUNT(*) reads every row: it depends on the whole table (``t.*``), masked.
                context.compose(into, self.star(scope, None))
                continue
            if isinstance(node, (exp.Subquery, exp.Query)):
                inner = self.scope_of.get(id(node.unnest()))
                if inner is not None:
                    context.compose(into, self.all_outputs(inner))
                    context.compose(into, self.rows(inner))
                    continue
            stack.extend(self.children(node, context))

    def children(self, node: exp.Expr, context: _Context) -> Iterable[tuple[exp.Expr, _Context]]:
        """Each child of ``node`` with the context its value reaches the output in."""
        if isinstance(node, exp.Lambda):
            bound = context.bound | {e.name for e in node.expressions}
            body = _Context(context.subtype, context.masking, context.text, bound)
            return [(node.this, body)]
        if isinstance(node, (exp.Alias, exp.Paren)):
            default = context
        elif isinstance(node, exp.AggFunc):
            default = context.value(Subtype.AGGREGATION, isinstance(node, _COUNTING_AGGREGATES))
        else:
            default = context.value(masking=_is_masking(node))
        pairs = []
        for key, value in node.args.items():
            child_context = default
            if not context.indirect:
                if isinstance(node, exp.Window) and key != "this":
                    child_context = context.condition(Subtype.WINDOW, self.sql(node))
                elif isinstance(value, exp.Expr) and _is_condition(node, key):
                    child_context = context.condition(Subtype.CONDITIONAL, self.sql(value))
            for child in value if isinstance(value, list) else (value,):
                if isinstance(child, exp.Expr):
                    pairs.append((child, child_context))
        return pairs

    def sql(self, node: exp.Expr) -> str:
        # sqlglot copies a tree before generating it, in case a dialect's transforms rewrite it;
        # those rewrite queries only, so an expression without one is generated in place.
        return node.sql(dialect=self.dialect, copy=node.find(exp.Query) is not None)

    # ---- columns --------------------------------------------------------------------------

    def column(self, scope: Scope, column: exp.Column) -> Lineage:
        name = column.name
        table = column.table
        if not table:
            return self.unqualified(scope, column)
        searched: Scope | None = scope
        while searched is not None:
            source = searched.sources.get(table)
            if source is not None:
                return self.from_source(source, table, name)
            searched = searched.parent
        for pivot in scope.pivots:
            if pivot.alias_or_name == table:
                return self.pivoted(scope, pivot, name)
        raise LineageError(f"column {table}.{name}: no table or alias '{table}' in scope")

    def from_source(self, source: exp.Table | Scope, alias: str, name: str) -> Lineage:
        """The lineage of column ``name`` of ``source`` (a table, CTE, derived table or UDTF)."""
        if isinstance(source, exp.Table):
            for pivot in source.args.get("pivots") or ():
                if name in _pivot_outputs(pivot):
                    return self.table_pivoted(source, pivot, name)
            known = self.columns_of(table_name(source))
            if known is not None and name not in known:
                raise LineageError(f"column '{name}' not found in table {'.'.join(table_name(source))} (catalog)")
            lineage = Lineage()
            lineage.add_direct((SourceColumn(table_name(source), name), Subtype.IDENTITY), False)
            return lineage
        if _is_udtf(source):
            return self.udtf(source)
        source = self.populated(source)
        names = self.output_names(source)
        if name in names:
            return self.output(source, names.index(name))
        if "*" in names:
            return self.through_star(source, name)
        raise LineageError(f"column '{name}' not found in subquery or CTE '{alias}' (it returns {', '.join(names)})")

    def populated(self, source: Scope) -> Scope:
        """A recursive CTE refers to itself through a scope sqlglot builds but does not populate (it
        knows no tables or aliases); the populated scope of the same query is the one to follow."""
        return self.scope_of.get(id(source.expression), source)

    def selected(self, scope: Scope) -> list[tuple[str, exp.Table | Scope]]:
        """The tables and subqueries a scope selects from, by alias."""
        return [
            (name, source if isinstance(source, exp.Table) else self.populated(source))
            for name, (_, source) in scope.selected_sources.items()
        ]

    def through_star(self, scope: Scope, name: str) -> Lineage:
        """Column ``name`` of a scope that returns an unexpanded ``*``: find it behind the star."""
        candidates: list[tuple[str, exp.Table | Scope]] = []
        for projection in _projections(scope):
            if isinstance(projection, exp.Star):
                candidates.extend(self.selected(scope))
            elif isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star):
                candidates.extend(s for s in self.selected(scope) if s[0] == projection.table)
        return self.pick(scope, name, candidates, None)

    def unqualified(self, scope: Scope, column: exp.Column) -> Lineage:
        """A column qualification could not attribute: no catalog, an alias reference, or a typo."""
        return self.pick(scope, column.name, self.selected(scope), column)

    def pick(
        self,
        scope: Scope,
        name: str,
        candidates: list[tuple[str, exp.Table | Scope]],
        column: exp.Column | None,
    ) -> Lineage:
        if column is not None:
            reference = self.alias_reference(scope, column, late=True)
            if reference is not None:
                return reference
        for pivot in scope.pivots:
            if name in _pivot_outputs(pivot):
                return self.pivoted(scope, pivot, name)
        having = [(alias, s) for alias, s in candidates if self.has_column(s, name) is True]
        if len(having) == 1:
            return self.from_source(having[0][1], having[0][0], name)
        if len(having) > 1:
            raise LineageError(f"column '{name}' is ambiguous: it is in {_describe(having)}")
        if column is not None and self.lateral_alias:
            reference = self.alias_reference(scope, column, late=False)
            if reference is not None:
                return reference
        unknown = [(alias, s) for alias, s in candidates if self.has_column(s, name) is None]
        if len(unknown) == 1:
            return self.from_source(unknown[0][1], unknown[0][0], name)
        if len(unknown) > 1:
            raise LineageError(
                f"column '{name}' is ambiguous: it could come from {_describe(unknown)}; qualify it or give a catalog"
            )
        if column is not None:
            reference = self.alias_reference(scope, column, late=False)
            if reference is not None:
                return reference
        if column is not None and scope.parent is not None and scope.can_be_correlated:
            return self.unqualified(scope.parent, column)
        known = " (catalog)" if any(isinstance(s, exp.Table) for _, s in candidates) else ""
        where = _describe(candidates) if candidates else "a query without tables"
        raise LineageError(f"column '{name}' not found in {where}{known}")

    def alias_reference(self, scope: Scope, column: exp.Column, *, late: bool) -> Lineage | None:
        """The output ``b`` when an unqualified ``b`` refers to ``SELECT ... AS b`` of the same query.

        ``late``: a reference from GROUP BY, HAVING, QUALIFY or ORDER BY, which may name outputs. ORDER
        BY names outputs first; the others prefer a table column of that name, so the alias is taken
        only when it does not itself wrap a column of its own name (``UPPER(name) AS name`` leaves
        ``name`` a column). Otherwise: a lateral alias, an earlier output used by a later projection,
        which the caller tries only when no table can have the column.
        """
        names = self.output_names(scope)
        if column.name not in names or isinstance(scope.expression, exp.SetOperation):
            return None
        projections = _projections(scope)
        index = names.index(column.name)
        top: exp.Expr = column
        while top.parent is not None and top.parent is not scope.expression:
            top = top.parent
        if late:
            if top.arg_key not in _LATE_CLAUSES:
                return None
            if top.arg_key != "order" and any(c.name == column.name for c in projections[index].find_all(exp.Column)):
                return None
        elif not any(p is top for p in projections[index + 1 :]):
            return None
        return self.output(scope, index)

    def pivoted(self, scope: Scope, pivot: exp.Pivot, name: str) -> Lineage:
        """Column ``name`` of ``source PIVOT (agg(v) FOR k IN (...))`` or ``UNPIVOT (v FOR k IN (a, b))``.

        A pivoted column is the aggregate of ``v`` over the rows whose ``k`` matches (``k`` decides:
        CONDITIONAL); an unpivoted value column is each of ``a``, ``b``; any other column passes
        through from the source, as the grouping key.
        """
        alias = pivot.parent.alias_or_name if pivot.parent is not None else ""
        source = scope.sources.get(alias)
        name = self.pivot_column(pivot, name, source)
        if name not in _made_columns(pivot):
            if source is None:
                raise LineageError(f"column '{name}': the source of the PIVOT/UNPIVOT is not in scope")
            return self.from_source(source, alias, name)
        lineage = Lineage()
        fields = pivot.args.get("fields") or []
        if pivot.args.get("unpivot"):
            if any(name == e.alias_or_name for e in pivot.expressions):
                for field in fields:
                    for value in field.expressions:
                        self.visit(scope, value, _IDENTITY, lineage)
            return lineage
        for aggregate in pivot.expressions:
            self.visit(scope, aggregate, _IDENTITY, lineage)
        for field in fields:
            if isinstance(field, exp.In):
                self.visit(scope, field.this, _IDENTITY.condition(Subtype.CONDITIONAL, self.sql(field)), lineage)
        return lineage

    def table_pivoted(self, table: exp.Table, pivot: exp.Pivot, name: str) -> Lineage:
        """:meth:`pivoted` for a PIVOT/UNPIVOT written straight on a table: its columns are the table's."""
        lineage = Lineage()
        name = self.pivot_column(pivot, name, table)
        if name not in _made_columns(pivot):
            lineage.add_direct((SourceColumn(table_name(table), name), Subtype.IDENTITY), False)
            return lineage
        fields = [f for f in pivot.args.get("fields") or () if isinstance(f, exp.In)]
        if pivot.args.get("unpivot"):
            values = (
                [v for f in fields for v in f.expressions]
                if name in {e.alias_or_name for e in pivot.expressions}
                else []
            )
            for value in values:
                lineage.add_direct((SourceColumn(table_name(table), value.name), Subtype.IDENTITY), False)
            return lineage
        for aggregate in pivot.expressions:
            counting = isinstance(aggregate.unalias(), _COUNTING_AGGREGATES)
            for column in aggregate.find_all(exp.Column):
                lineage.add_direct((SourceColumn(table_name(table), column.name), Subtype.AGGREGATION), counting)
        for in_list in fields:
            lineage.add_indirect(
                (SourceColumn(table_name(table), in_list.this.name), Subtype.CONDITIONAL), self.sql(in_list)
            )
        return lineage

    def pivot_column(self, pivot: exp.Pivot, name: str, source: exp.Table | Scope | None) -> str:
        """The column of a PIVOT/UNPIVOT that ``name`` in its alias list renames: ``AS p (a, b, c)``
        names its outputs in order, the columns passing through from the source first (known from
        the catalog or the subquery), then those it makes."""
        alias = pivot.args.get("alias")
        aliases = [column.name for column in alias.columns] if alias is not None else []
        if name not in aliases:
            return name
        made = _made_in_order(pivot)
        passing_count = len(aliases) - len(made)
        position = aliases.index(name)
        if position >= passing_count:
            return made[position - passing_count]
        columns = self.columns_in_order(source) if source is not None else None
        if columns is None:
            raise LineageError(
                f"column '{name}' renames a column the PIVOT/UNPIVOT passes through from its source, whose"
                " columns are not known; give a catalog"
            )
        used = {c.name for e in (*pivot.expressions, *(pivot.args.get("fields") or ())) for c in e.find_all(exp.Column)}
        passing = [column for column in columns if column not in used]
        if len(passing) != passing_count:
            raise LineageError(
                f"the PIVOT/UNPIVOT alias list names {len(aliases)} columns, but it returns {len(passing) + len(made)}"
            )
        return passing[position]

    def columns_in_order(self, source: exp.Table | Scope) -> list[str] | None:
        """The columns of a table (from the catalog) or subquery, in order; ``None`` if not known."""
        if isinstance(source, exp.Table):
            known = self.columns_of(table_name(source))
            return None if known is None else list(known)
        names = self.output_names(self.populated(source))
        return None if "*" in names else names

    def has_column(self, source: exp.Table | Scope, name: str) -> bool | None:
        """Whether ``source`` has column ``name``; ``None`` when its columns are not known."""
        if isinstance(source, exp.Table):
            for pivot in source.args.get("pivots") or ():
                if name in _pivot_outputs(pivot):
                    return True
            known = self.columns_of(table_name(source))
            return None if known is None else name in known
        if _is_udtf(source):
            return name in _udtf_columns(source)
        names = self.output_names(source)
        if name in names:
            return True
        return None if "*" in names else False

    def udtf(self, scope: Scope) -> Lineage:
        """Columns made by ``LATERAL VIEW EXPLODE(...)`` or ``UNNEST(...)``: a transformation of the input."""
        lineage = self.udtfs.get(id(scope))
        if lineage is None:
            lineage = self.udtfs[id(scope)] = Lineage()
            node = scope.expression
            inputs = [node.this] if isinstance(node, exp.Lateral) else list(node.expressions)
            for item in inputs:
                self.visit(scope, item, _IDENTITY.value(), lineage)
        return lineage


def _without_covered(lineage: Lineage) -> Lineage:
    """A star's lineage without ``t.col`` where ``t.*`` flows the same way: ``SELECT f1, *`` over
    ``t`` feeds every column of ``t``, ``f1`` among them, so ``t.* -> x.*`` already says it."""
    stars = {(c.table, subtype) for c, subtype in lineage.direct if c.field == "*"}
    if not stars:
        return lineage
    for key in [k for k in lineage.direct if k[0].field != "*" and (k[0].table, k[1]) in stars]:
        del lineage.direct[key]
    return lineage


def _pivot_outputs(pivot: exp.Pivot) -> set[str]:
    """The names a PIVOT/UNPIVOT answers to: those of the columns it makes, and its alias list."""
    alias = pivot.args.get("alias")
    return _made_columns(pivot) | {column.name for column in (alias.columns if alias is not None else ())}


def _made_in_order(pivot: exp.Pivot) -> list[str]:
    """The columns a PIVOT/UNPIVOT makes, in the order it returns them (after those passing through):
    a PIVOT's per IN value (and aggregate), an UNPIVOT's name column then its value columns."""
    fields = [f for f in pivot.args.get("fields") or () if isinstance(f, exp.In)]
    if pivot.args.get("unpivot"):
        return [f.this.name for f in fields] + [e.alias_or_name for e in pivot.expressions]
    made = [column.name for column in pivot.args.get("columns") or ()]
    return made or [value.alias_or_name for f in fields for value in f.expressions]


def _made_columns(pivot: exp.Pivot) -> set[str]:
    """The columns a PIVOT/UNPIVOT makes (as sqlglot names them, and as the IN list names them)."""
    names = {column.name for column in pivot.args.get("columns") or ()}
    for pivoted in pivot.args.get("fields") or ():
        if pivot.args.get("unpivot"):
            names.add(pivoted.this.name if isinstance(pivoted, exp.In) else pivoted.name)
            continue
        for value in pivoted.expressions if isinstance(pivoted, exp.In) else ():
            names.add(value.alias_or_name)
            names.add(value.name)
    if pivot.args.get("unpivot"):
        names.update(e.alias_or_name for e in pivot.expressions)
    return names


def _projections(scope: Scope) -> list[exp.Expr]:
    node = scope.expression
    return node.selects if isinstance(node, exp.Query) else []


def _is_star(projection: exp.Expr) -> bool:
    return isinstance(projection, exp.Star) or (
        isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
    )


def _is_udtf(source: exp.Table | Scope) -> bool:
    return isinstance(source, Scope) and isinstance(source.expression, exp.UDTF)


def _udtf_columns(scope: Scope) -> list[str]:
    """``LATERAL VIEW EXPLODE(a) t AS x`` makes ``x``; BigQuery's ``UNNEST(a) AS x`` names it by the alias."""
    alias = scope.expression.args.get("alias")
    if alias is None:
        return []
    return [c.name for c in alias.columns] or [alias.name]


def _is_condition(node: exp.Expr, key: str) -> bool:
    """Whether argument ``key`` of ``node`` decides which value is used rather than being one."""
    if isinstance(node, (exp.If, exp.Case)):
        return key == "this"
    return isinstance(node, (exp.Nullif, exp.Filter)) and key == "expression"


def _is_masking(node: exp.Expr) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in MASKING_FUNCTIONS
    return isinstance(node, _MASKING_CLASSES)


def _describe(sources: list[tuple[str, exp.Table | Scope]]) -> str:
    described = [
        f"table {'.'.join(table_name(s))}" if isinstance(s, exp.Table) else f"subquery or CTE '{alias}'"
        for alias, s in sources
    ]
    return described[0] if len(described) == 1 else "any of " + ", ".join(described)
