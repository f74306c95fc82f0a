"""SQL text -> column lineage (:class:`LineageBatch`), one statement at a time.

Each statement is tokenized once (while splitting the script), parsed once, qualified once and
scoped once; every output column is then traced through the scope tree
(:mod:`tagline.ingest.sql.lineage`). A statement that cannot be read becomes a :class:`Failure`
holding its text and everything needed to try it again, and the script goes on; a statement whose
tables are known but whose columns cannot be traced keeps its table-level lineage. Tables created
earlier in the script act as catalog for the statements after them, as they would in the warehouse.
Procedures and blocks are unwrapped into their statements first (:mod:`.sql_procedural`); a SELECT
without a target is read for its tables only; temporary tables are joined through at the end
(:mod:`.sql_temporary`); each statement runs under a time budget (:mod:`.budget`).

Nothing here touches the store: the batch is plain data for the caller to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlglot import exp
from sqlglot.dialects import TSQL, Athena, Dialect, Teradata
from sqlglot.errors import ParseError, SqlglotError
from sqlglot.parser import Parser
from sqlglot.tokens import Token

from tagline.graph.model import (
    Column,
    ColumnEdge,
    ColumnRef,
    Dataset,
    DatasetAccess,
    DatasetRef,
    Failure,
    Job,
    JobRef,
    LineageBatch,
    LineageType,
    Transformation,
)
from tagline.ingest.catalog import Catalog, ColumnTypes, TableName, normalize_column
from tagline.ingest.dialects import canonical_identifiers, has_lateral_alias, resolve_dialect
from tagline.ingest.sql.batch import BatchBuilder, transformation_of
from tagline.ingest.sql.budget import StatementTimeout, time_budget
from tagline.ingest.sql.commands import (
    directory_without_format,
    expand_compound_assignments,
    first_word,
    is_housekeeping,
    load_infile,
    output_into,
    renamed_tables,
    replace_as_insert,
    unload_statement,
)
from tagline.ingest.sql.lineage import (
    LineageError,
    OutputColumn,
    QueryLineage,
    SourceColumn,
    query_lineage,
    table_name,
)
from tagline.ingest.sql.output_names import name_outputs
from tagline.ingest.sql.paths import is_path, path_dataset
from tagline.ingest.sql.procedural import unwrap_procedural
from tagline.ingest.sql.qualify import mark_variables, qualify_query
from tagline.ingest.sql.rename import rename_datasets
from tagline.ingest.sql.split import Statement, drop_attribute_phrases, split_before, split_statements
from tagline.ingest.sql.statements import (
    Plan,
    StatementKind,
    UnsupportedStatement,
    plan_statement,
    with_output,
    writes_data,
)
from tagline.ingest.sql.temporary import collapse_temporary
from tagline.ingest.sql.variables import substitute_variables

DEFAULT_STATEMENT_TIMEOUT = 10.0
DEFAULT_MAX_COLUMN_REFERENCES = 5000


@dataclass(frozen=True)
class ExtractOptions:
    """How to read SQL where engines differ or users want a different view.

    ``lateral_alias``: whether a SELECT may use an alias defined earlier in its own list (``None``:
    as the dialect does; Spark, Databricks, Snowflake, BigQuery... do). ``keep_temporary``: keep
    temporary tables and views as lineage hops instead of resolving through them to real sources.
    ``statement_timeout``: seconds one statement may take before it is given up as a failure
    (``None``: no limit; see :mod:`tagline.ingest.sql.budget` for where it can be enforced).
    ``max_column_references``: column references one statement may hold before its columns are
    not traced (its tables still are). sqlglot's compiled column qualification grows faster than
    linearly with them and cannot be interrupted by the time budget, so a generated statement with
    tens of thousands of them is refused up front rather than left to run for minutes.
    """

    lateral_alias: bool | None = None
    keep_temporary: bool = False
    statement_timeout: float | None = DEFAULT_STATEMENT_TIMEOUT
    max_column_references: int = DEFAULT_MAX_COLUMN_REFERENCES


_FALLBACK: dict[type[Dialect], str] = {Athena: "hive"}
"""A dialect whose engine also accepts another's syntax: tried when the first does not parse."""

_CREATES = (StatementKind.CREATE_TABLE, StatementKind.CREATE_TABLE_AS, StatementKind.CREATE_VIEW)


def extract_sql(
    text: str,
    *,
    dialect: str,
    namespace: str,
    source: str = "<stdin>",
    catalog: Catalog | None = None,
    job: JobRef | None = None,
    namespace_map: dict[str, str] | None = None,
    at: datetime | None = None,
    options: ExtractOptions | None = None,
) -> LineageBatch:
    """Column lineage of every statement in ``text``.

    ``namespace`` is the OpenLineage namespace of the tables named in the SQL, except tables whose
    first name part is a key of ``namespace_map`` (a federated catalog such as Trino's ``mysql``): they
    go to the mapped namespace, without that part. ``job`` is recorded on every edge and as reader
    and writer of the datasets (at ``at``). Only an unknown ``dialect`` raises; bad SQL becomes
    failures in the batch.
    """
    script = _Script(
        dialect=resolve_dialect(dialect),
        dialect_name=dialect,
        namespace=namespace,
        namespace_map=namespace_map,
        job=JobRef(namespace=job.namespace, name=job.name) if job is not None else None,
        at=at,
        catalog=(catalog or Catalog()).layer(),
        catalog_given=catalog is not None,
        options=options or ExtractOptions(),
    )
    builder = BatchBuilder()
    if job is not None:
        builder.add(LineageBatch(jobs=[job if isinstance(job, Job) else Job(namespace=job.namespace, name=job.name)]))
    parser = script.dialect.parser()
    statements = split_statements(substitute_variables(text), script.dialect)
    unwrapped = unwrap_procedural(statements, script.dialect)
    script.variables = unwrapped.variables
    pending = list(reversed(unwrapped.statements))
    unterminated = 0
    while pending:
        statement = pending.pop()
        try:
            with time_budget(script.options.statement_timeout):
                batch = script.statement(statement, parser)
            builder.add(batch)
        except _Unterminated as split:
            pending.extend(reversed([split.first, *unwrap_procedural([split.rest], script.dialect).statements]))
            unterminated += 1
        except _ColumnsFailed as failed:
            builder.add(failed.tables)
            builder.add_failure(script.failure(statement, source, failed.error, partial=True))
        except (Exception, StatementTimeout) as error:
            builder.add_failure(script.failure(statement, source, error))
    batch = builder.build(len(statements) + unterminated)
    if script.renames:
        batch = rename_datasets(batch, {script.dataset(o): script.dataset(n) for o, n in script.renames.items()})
    if not script.options.keep_temporary and script.temporary:
        batch = collapse_temporary(batch, [script.dataset(name) for name in script.temporary])
    return batch


class _Unterminated(Exception):
    """Two statements without a ``;`` between them (T-SQL): each is read on its own."""

    def __init__(self, first: Statement, rest: Statement) -> None:
        super().__init__("statement without a terminating ';'")
        self.first = first
        self.rest = rest


class _ColumnsFailed(Exception):
    """A statement whose tables are known but whose columns could not all be traced: what was
    traced (``tables``: the table-level lineage, and the column lineage of the targets that could be
    traced, or of the outputs when only a row condition failed) still counts, and the statement goes
    to the dead letter as partial."""

    def __init__(self, tables: LineageBatch, error: Exception) -> None:
        super().__init__(str(error))
        self.tables = tables
        self.error = error


@dataclass
class _Script:
    """The settings of one ``extract_sql`` call and what the script has created so far."""

    dialect: Dialect
    dialect_name: str
    namespace: str
    namespace_map: dict[str, str] | None
    job: JobRef | None
    at: datetime | None
    catalog: Catalog
    catalog_given: bool
    options: ExtractOptions
    views: set[TableName] = field(default_factory=set)
    created: set[TableName] = field(default_factory=set)
    temporary: dict[TableName, None] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)
    cached: dict[TableName, list[TableName]] = field(default_factory=dict)
    renames: dict[TableName, TableName] = field(default_factory=dict)
    _namespaces: dict[str, str] = field(default_factory=dict)
    _datasets: dict[TableName, DatasetRef] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Keys match the first name part as written or as the dialect folds it (`mysql` vs `MYSQL`).
        for key, value in (self.namespace_map or {}).items():
            self._namespaces[key] = value
            self._namespaces.setdefault(normalize_column(key, self.dialect), value)

    # ---- one statement --------------------------------------------------------------------

    def statement(self, statement: Statement, parser: Parser) -> LineageBatch:
        if statement.tokens is None:
            raise LineageError("could not tokenize: an unterminated string, quoted identifier or comment")
        tokens = statement.tokens
        if is_housekeeping(tokens):
            return LineageBatch()
        renames = renamed_tables(tokens, self.dialect)
        if renames is not None:
            for old, new in renames:
                self.renamed(
                    table_name(canonical_identifiers(old, self.dialect)), canonical_identifiers(new, self.dialect)
                )
            return LineageBatch()
        if isinstance(self.dialect, Teradata):
            tokens = drop_attribute_phrases(tokens)
        tokens = directory_without_format(expand_compound_assignments(replace_as_insert(tokens)))
        output = None
        if isinstance(self.dialect, TSQL):
            tokens, output = output_into(tokens, statement.sql, self.dialect)
        command = self.command(statement, tokens)
        try:
            parsed = (
                [command] if command is not None else [e for e in parser.parse(tokens, statement.sql) if e is not None]
            )
        except ParseError as error:
            first = error.errors[0] if error.errors else {}
            split = split_before(statement, tokens, first.get("line") or 0, first.get("col") or 0)
            if split is not None and _complete(parser, split[0]):
                raise _Unterminated(*split) from error
            fallback = _FALLBACK.get(type(self.dialect))
            if fallback is None:
                raise
            # Athena reads DDL-flavoured Hive (backticks) as well as Trino.
            parsed = [e for e in resolve_dialect(fallback).parse(statement.text) if e is not None]
        if not parsed:
            return LineageBatch()
        expression = canonical_identifiers(parsed[0], self.dialect)
        if self.variables:
            mark_variables(expression, self.variables)
        plan = plan_statement(expression, self.dialect)
        if output is not None:
            plan = with_output(plan, expression, canonical_identifiers(output, self.dialect))
        if plan.kind is StatementKind.DROP:
            self.dropped(plan)
            return LineageBatch()
        if plan.kind is StatementKind.OTHER:
            if writes_data(expression):
                written = expression.this.sql(dialect=self.dialect)[:80] if expression.this is not None else "?"
                raise UnsupportedStatement(
                    f"the statement writes into {written}, which could not be read as a table and a query"
                )
            return LineageBatch()
        if plan.kind is StatementKind.RENAME:
            assert plan.target is not None
            self.renamed(plan.reads[0], plan.target)
            return LineageBatch()
        tables = self.tables(plan)
        batch = LineageBatch()
        problems: list[Exception] = []
        for part in plan.targets:
            try:
                traced, problem = self.trace(part, statement.sql)
            except (LineageError, SqlglotError) as error:
                problems.append(_labelled(part, error))
                continue
            batch.extend(traced)
            if problem is not None:
                problems.append(_labelled(part, problem))
        batch.extend(tables)
        if plan.like is not None:
            self.copy_columns(table_name(plan.like), plan.target)
        if problems:
            joined = problems[0] if len(problems) == 1 else LineageError("; ".join(map(_reason_of, problems)))
            raise _ColumnsFailed(batch, joined)
        return batch

    def trace(self, plan: Plan, sql: str) -> tuple[LineageBatch, LineageError | None]:
        """The column lineage of one target, and what it lacks when a row condition could not be
        traced (the values were); raises when the target's columns cannot be traced at all."""
        assert plan.target is not None
        batch = LineageBatch()
        traced, known = None, {}
        if plan.query is not None:
            self.check_size(plan.query)
            name_outputs(plan.query, self.dialect, sql)
            qualified = qualify_query(plan.query, self.dialect, self.catalog)
            known = qualified.tables
            traced = query_lineage(qualified.root, self.dialect, known.get, lateral_alias=self.lateral_alias)
        self.write(plan, plan.target, traced, known, batch)
        if traced is not None and traced.unresolved:
            return batch, LineageError(f"column lineage recorded without {'; '.join(traced.unresolved)}")
        return batch, None

    def command(self, statement: Statement, tokens: list[Token]) -> exp.Expr | None:
        """The statement read from its text, where sqlglot does not parse it (UNLOAD, LOAD DATA INFILE)."""
        word = first_word(tokens)
        if word == "UNLOAD":
            return unload_statement(statement.text, self.dialect)
        if word == "LOAD" and any(t.text.upper() == "INFILE" for t in tokens[:6]):
            return load_infile(statement.text, self.dialect)
        return None

    def check_size(self, query: exp.Expr) -> None:
        limit = self.options.max_column_references
        count = sum(1 for _ in query.find_all(exp.Column))
        if count > limit:
            raise LineageError(
                f"the statement holds {count} column references, more than the limit of {limit}; "
                "its tables are recorded, its columns are not traced"
            )

    @property
    def lateral_alias(self) -> bool:
        if self.options.lateral_alias is not None:
            return self.options.lateral_alias
        return has_lateral_alias(self.dialect)

    def tables(self, plan: Plan) -> LineageBatch:
        """Table-level lineage of a statement: what it reads and writes, whether or not its columns
        can be traced."""
        batch = LineageBatch()
        reads = [] if plan.cached else self.through_cached(plan.reads)
        for name in reads:
            ref = self.dataset(name)
            batch.datasets.append(_dataset(ref, self.kind(name)))
            if self.job is not None:
                batch.reads.append(DatasetAccess(job=self.job, dataset=ref, at=self.at))
        for part in plan.targets:
            assert part.target is not None
            name = table_name(part.target)
            ref = self.dataset(name)
            is_view = part.kind is StatementKind.CREATE_VIEW
            batch.datasets.append(_dataset(ref, "view" if is_view else "table"))
            if self.job is not None:
                batch.writes.append(DatasetAccess(job=self.job, dataset=ref, at=self.at))
            if part.temporary:
                self.temporary[name] = None
            if part.cached:
                self.cached[name] = self.through_cached(part.reads)
        return batch

    def through_cached(self, reads: list[TableName]) -> list[TableName]:
        """``reads`` with each cached view (``CACHE TABLE v AS SELECT``) replaced by what it reads:
        the cache is filled where it is used, so that is where its sources are read."""
        if not self.cached:
            return reads
        return list(dict.fromkeys(n for name in reads for n in self.cached.get(name, [name])))

    def renamed(self, old: TableName, target: exp.Table) -> None:
        """``ALTER TABLE old RENAME TO new``: what the script wrote to ``old`` ends up in ``new``, and
        later statements read ``new`` with the columns ``old`` had."""
        new = table_name(target)
        for earlier, later in self.renames.items():
            if later == old:
                self.renames[earlier] = new
        self.renames[old] = new
        self.copy_columns(old, target)

    def copy_columns(self, source: TableName, target: exp.Table | None) -> None:
        """Give ``target`` the catalog columns of ``source`` (``CREATE TABLE t LIKE s``, a rename)."""
        columns = self.catalog.find(source, self.dialect)
        if target is not None and columns is not None:
            self.catalog.add_table(
                _sql_name(target, self.dialect), {_sql_identifier(c, self.dialect): t for c, t in columns.items()}
            )

    def dropped(self, plan: Plan) -> None:
        """``DROP TABLE t`` of a table this script created: ``t`` was only a temporary hop."""
        assert plan.target is not None
        name = table_name(plan.target)
        if name in self.created:
            self.temporary[name] = None

    def write(
        self,
        plan: Plan,
        table: exp.Table,
        traced: QueryLineage | None,
        known: dict[TableName, ColumnTypes],
        batch: LineageBatch,
    ) -> None:
        """The target side of a statement: its dataset, columns, edges, and the job's write."""
        name = table_name(table)
        target = self.dataset(name)
        target_types = None if plan.kind in _CREATES else self.catalog.find(name, self.dialect)
        if traced is not None and not traced.outputs:
            raise LineageError(f"{'.'.join(name)}: the query returns no columns")
        columns = _target_columns(plan, traced.outputs if traced else [], target_types, ".".join(name))
        if columns is None:
            if plan.reads and _reads_columns(plan.query):
                raise LineageError(
                    f"{'.'.join(name)}: the statement does not say which target columns its values feed"
                    " (no column list, and no catalog lists the table's columns)"
                )
            return
        types = {**(target_types or {}), **plan.column_types}
        for column in columns:
            batch.columns.append(_column(self.column_ref(target, column), types.get(column)))
        if traced is not None:
            before = len(batch.edges)
            self.edges(traced, [self.column_ref(target, c) for c in columns], known, batch)
            if len(batch.edges) == before and not traced.unresolved and plan.reads and _reads_columns(plan.query):
                raise LineageError(f"{'.'.join(name)}: the query reads columns, but no column lineage came of them")
        if plan.kind in _CREATES:
            self.created.add(name)
            if plan.kind is StatementKind.CREATE_VIEW:
                self.views.add(name)
            if "*" not in columns:
                self.catalog.add_table(
                    _sql_name(table, self.dialect),
                    {_sql_identifier(c, self.dialect): types.get(c) for c in columns},
                )

    def edges(
        self,
        traced: QueryLineage,
        targets: list[ColumnRef],
        known: dict[TableName, ColumnTypes],
        batch: LineageBatch,
    ) -> None:
        """One edge per source of each output; row-shaping (dataset-level) sources go to every output."""
        refs: dict[SourceColumn, ColumnRef] = {}

        def ref(column: SourceColumn) -> ColumnRef:
            found = refs.get(column)
            if found is None:
                found = refs[column] = self.column_ref(self.dataset(column.table), column.field)
                data_type = known.get(column.table, {}).get(column.field)
                batch.columns.append(_column(found, data_type))
            return found

        for output, target in zip(traced.outputs, targets, strict=True):
            for (column, subtype), masking in output.lineage.direct.items():
                direct = transformation_of(LineageType.DIRECT, subtype, masking)
                batch.edges.append(self.edge(ref(column), target, direct, output.expression))
            for indirect in (output.lineage.indirect, traced.dataset_indirect):
                for (column, subtype), text in indirect.items():
                    transformation = transformation_of(LineageType.INDIRECT, subtype)
                    batch.edges.append(self.edge(ref(column), target, transformation, text))

    def edge(self, source: ColumnRef, target: ColumnRef, transformation: Transformation, expression: str) -> ColumnEdge:
        return ColumnEdge(
            source=source,
            target=target,
            transformation=transformation,
            expression=expression,
            job=self.job,
            seen_at=self.at,
        )

    # ---- names ----------------------------------------------------------------------------

    def dataset(self, name: TableName) -> DatasetRef:
        ref = self._datasets.get(name)
        if ref is None and is_path(name):
            ref = self._datasets[name] = path_dataset(name[0])
        if ref is None:
            mapped = self._namespaces.get(name[0]) if len(name) > 1 else None
            if mapped is not None:
                ref = DatasetRef(namespace=mapped, name=".".join(name[1:]))
            else:
                ref = DatasetRef(namespace=self.namespace, name=".".join(name))
            self._datasets[name] = ref
        return ref

    def column_ref(self, dataset: DatasetRef, field: str) -> ColumnRef:
        return ColumnRef(namespace=dataset.namespace, dataset=dataset.name, field=field)

    def kind(self, name: TableName) -> str:
        return "view" if name in self.views else "table"

    # ---- failures -------------------------------------------------------------------------

    def failure(self, statement: Statement, source: str, error: BaseException, partial: bool = False) -> Failure:
        return Failure(
            source=source,
            location=f"statement {statement.number}, line {statement.line}",
            reason=_reason(error, statement),
            payload=statement.text,
            partial=partial,
            options={
                "dialect": self.dialect_name,
                "namespace": self.namespace,
                "job": {"namespace": self.job.namespace, "name": self.job.name} if self.job else None,
                "catalog": self.catalog.to_mapping() if self.catalog_given or len(self.catalog) else None,
                "namespace_map": dict(self.namespace_map) if self.namespace_map is not None else None,
            },
        )


def _reads_columns(query: exp.Expr | None) -> bool:
    """Whether a query reads any column (``SELECT 1, 'x'`` and ``VALUES (1)`` read none); asked only
    of a statement that reads a table, whose columns its target should then be seen to derive from."""
    return query is not None and query.find(exp.Column, exp.Star) is not None


def _complete(parser: Parser, statement: Statement) -> bool:
    """Whether ``statement`` parses on its own as a statement sqlglot understands (not a Command)."""
    assert statement.tokens is not None
    if len(statement.tokens) < 2:
        return False
    try:
        parsed = parser.parse(statement.tokens, statement.sql)
    except ParseError:
        return False
    return len(parsed) == 1 and parsed[0] is not None and not isinstance(parsed[0], exp.Command)


def _target_columns(
    plan: Plan, outputs: list[OutputColumn], target_types: ColumnTypes | None, target: str
) -> list[str] | None:
    """The target column each query output feeds, by position (``None``: the statement does not say)."""
    names = [o.name for o in outputs]
    if outputs and not plan.named_outputs and plan.columns is None and target_types is None:
        return None
    if not outputs:
        columns = plan.columns or []
    elif plan.by_name or any(o.is_star for o in outputs):
        columns = names
    elif plan.columns is not None:
        columns = plan.columns
        if len(columns) != len(outputs):
            raise LineageError(
                f"{target}: the statement lists {len(columns)} target columns but the query returns {len(outputs)}"
            )
    elif target_types is not None:
        columns = [c for c in target_types if c not in plan.static_partitions]
        if not plan.named_outputs:
            columns = columns[: len(outputs)]
        if len(columns) != len(outputs):
            raise LineageError(
                f"{target}: the query returns {len(outputs)} columns"
                f" but the catalog lists {len(columns)} ({', '.join(columns)})"
            )
    else:
        columns = names
    if target_types is not None:
        for column in columns:
            if column != "*" and column not in target_types:
                raise LineageError(f"column '{column}' not found in table {target} (catalog)")
    return columns


def _dataset(ref: DatasetRef, kind: str) -> Dataset:
    # Field by field: a dump of ``ref`` to spread into the new record costs more than the record.
    return Dataset(namespace=ref.namespace, name=ref.name, kind=kind)


def _column(ref: ColumnRef, data_type: str | None) -> Column:
    return Column(namespace=ref.namespace, dataset=ref.dataset, field=ref.field, data_type=data_type)


def _sql_name(table: exp.Table, dialect: Dialect) -> str:
    """A table's name as SQL, quoted where needed, so the catalog folds it back to the same parts."""
    return ".".join(part.sql(dialect=dialect) for part in table.parts)


def _sql_identifier(name: str, dialect: Dialect) -> str:
    identifier = exp.to_identifier(name)
    identifier.set("quoted", normalize_column(name, dialect) != name or identifier.args.get("quoted"))
    return identifier.sql(dialect=dialect)


def _labelled(plan: Plan, error: Exception) -> Exception:
    """``error`` of one part of a statement that writes several targets, saying which part."""
    if not plan.label:
        return error
    assert plan.target is not None
    return LineageError(f"{plan.label} (into {'.'.join(table_name(plan.target))}): {_reason_of(error)}")


def _reason_of(error: Exception) -> str:
    if isinstance(error, SqlglotError) and not isinstance(error, ParseError):
        return f"could not resolve the statement's names: {error}"
    return str(error)


def _reason(error: BaseException, statement: Statement) -> str:
    """A message that says what went wrong and where, in terms of the script's own lines."""
    if isinstance(error, ParseError) and error.errors:
        first = error.errors[0]
        line = (first.get("line") or 0) + statement.line_offset
        near = f" near '{first['highlight']}'" if first.get("highlight") else ""
        return f"parse error at line {line}, col {first.get('col')}: {first.get('description')}{near}"
    if isinstance(error, (LineageError, UnsupportedStatement, StatementTimeout)):
        return str(error)
    if isinstance(error, SqlglotError):
        return _reason_of(error)
    return f"unexpected {type(error).__name__} while tracing the statement: {error}"
