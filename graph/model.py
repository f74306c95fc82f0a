"""The lineage model shared by every room: what ingesters produce and what the store keeps.

Everything here is plain data (pydantic models). Ingesters build a :class:`LineageBatch` without
touching the store; the store turns it into vertices and edges. Each vertex is found again by its
canonical ``key`` (see the ``*_key`` functions), which is what makes writes idempotent and lets the
same table met by two sources land on one vertex.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field

KEY_SEPARATOR = "|"
KEY_ESCAPE = "\\"
# Keys written since separators inside names are escaped; a store of an older format is migrated
# when opened (see graph/writers/key_migration.py).
KEY_FORMAT = 2


def escape_part(text: str) -> str:
    """A name as one part of a key: the separator and the escape inside it are escaped, so
    ``hive://a|b`` + ``c`` and ``hive://a`` + ``b|c`` can never make the same key."""
    return text.replace(KEY_ESCAPE, KEY_ESCAPE * 2).replace(KEY_SEPARATOR, KEY_ESCAPE + KEY_SEPARATOR)


def key_of(kind: str, *parts: str) -> str:
    # Keys are made for every record of every batch; names almost never hold a separator or an
    # escape, and one scan of them all saves escaping each part.
    text = "".join(parts)
    if KEY_SEPARATOR in text or KEY_ESCAPE in text:
        return KEY_SEPARATOR.join((kind, *(escape_part(p) for p in parts)))
    return KEY_SEPARATOR.join((kind, *parts))


def key_parts(key: str) -> list[str]:
    """The parts of a key, unescaped: ``c|ns|db.t|f`` -> ``["c", "ns", "db.t", "f"]``."""
    if KEY_ESCAPE not in key:  # nearly every key: nothing to unescape
        return key.split(KEY_SEPARATOR)
    parts, current, escaped = [], [], False
    for char in key:
        if escaped:
            current.append(char)
            escaped = False
        elif char == KEY_ESCAPE:
            escaped = True
        elif char == KEY_SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def display_name(key: str) -> str:
    """A key as people write the thing: ``ns/db.table.field`` for a column, ``ns/name`` for a
    dataset or a job; any other key as it is."""
    kind, *parts = key_parts(key)
    if kind == "c" and len(parts) == 3:
        return f"{parts[0]}/{parts[1]}.{parts[2]}"
    if kind in ("d", "j") and len(parts) == 2:
        return f"{parts[0]}/{parts[1]}"
    return key


def dataset_key(namespace: str, name: str) -> str:
    return key_of("d", namespace, name)


def column_key(namespace: str, dataset: str, field: str) -> str:
    return key_of("c", namespace, dataset, field)


def job_key(namespace: str, name: str) -> str:
    return key_of("j", namespace, name)


class _Frozen(BaseModel):
    """An immutable record. Its keys are made once and kept (``cached_property``): a batch asks
    for the same ref's key many times on its way to the store."""

    model_config = ConfigDict(frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        # A copy made with new values must make its keys again from them.
        copied = super().model_copy(update=update, deep=deep)
        for name in copied.__dict__.keys() - type(self).model_fields.keys():
            del copied.__dict__[name]
        return copied


class DatasetRef(_Frozen):
    """A table or view: OpenLineage-style namespace (``mysql://orders-db:3306``) plus name."""

    namespace: str
    name: str

    @cached_property
    def key(self) -> str:
        return dataset_key(self.namespace, self.name)


class ColumnRef(_Frozen):
    namespace: str
    dataset: str
    field: str

    @cached_property
    def key(self) -> str:
        return column_key(self.namespace, self.dataset, self.field)

    @cached_property
    def dataset_ref(self) -> DatasetRef:
        return DatasetRef(namespace=self.namespace, name=self.dataset)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.dataset}.{self.field}"


D = TypeVar("D", bound=DatasetRef)
C = TypeVar("C", bound=ColumnRef)


class JobRef(_Frozen):
    namespace: str
    name: str

    @cached_property
    def key(self) -> str:
        return job_key(self.namespace, self.name)


class Owner(_Frozen):
    """Who answers for a dataset or a job (OpenLineage ``ownership`` facet): a name and its role."""

    name: str
    type: str | None = None


class Dataset(DatasetRef):
    kind: str | None = None
    description: str | None = None
    owners: list[Owner] | None = None


class Column(ColumnRef):
    data_type: str | None = None
    description: str | None = None


class RunState(str, Enum):
    START = "START"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAIL = "FAIL"
    ABORT = "ABORT"
    OTHER = "OTHER"


class Job(JobRef):
    description: str | None = None
    owners: list[Owner] | None = None
    schedule: str | None = None
    last_run_at: datetime | None = None
    last_run_state: RunState | None = None
    last_run_id: str | None = None


class LineageType(str, Enum):
    DIRECT = "DIRECT"
    INDIRECT = "INDIRECT"


class Subtype(str, Enum):
    """The OpenLineage column-lineage vocabulary (columnLineage facet 1-2-0)."""

    IDENTITY = "IDENTITY"
    TRANSFORMATION = "TRANSFORMATION"
    AGGREGATION = "AGGREGATION"
    JOIN = "JOIN"
    GROUP_BY = "GROUP_BY"
    FILTER = "FILTER"
    SORT = "SORT"
    WINDOW = "WINDOW"
    CONDITIONAL = "CONDITIONAL"


class Transformation(_Frozen):
    type: LineageType
    subtype: Subtype | None = None
    masking: bool = False
    description: str | None = None


class ColumnEdge(_Frozen):
    """``source`` feeds ``target``: a ``derives`` edge in the graph.

    One edge per (source, target, job, type, subtype); ingesting it again only moves ``last_seen``.
    ``expires_at`` is set for lineage seen in ad-hoc queries, which should not live forever.
    ``seen_at`` is when the engine ran what says so (the event's or the query's time); without it,
    the time of the ingest stands in. Either way the ingest's own time is kept apart.
    """

    source: ColumnRef
    target: ColumnRef
    transformation: Transformation
    expression: str | None = None
    job: JobRef | None = None
    expires_at: datetime | None = None
    seen_at: datetime | None = None

    @cached_property
    def key(self) -> str:
        t = self.transformation
        job = self.job.key if self.job else ""
        return KEY_SEPARATOR.join(
            ("e", self.source.key, self.target.key, job, t.type.value, t.subtype.value if t.subtype else "")
        )


class DatasetAccess(_Frozen):
    """A job read (``reads``) or wrote (``writes``) a dataset, last seen at ``at``."""

    job: JobRef
    dataset: DatasetRef
    at: datetime | None = None


class JobDefinition(_Frozen):
    """What a job reported as its whole lineage into ``outputs`` as of ``at`` (event time).

    It replaces what the job reported before for those datasets: the job's ``derives`` edges into
    their columns that the batch lacks are closed at ``at``, and those it holds are current from
    ``at``. With ``tables``, the job's ``reads`` and ``writes`` are replaced the same way by the
    batch's. A report older than one already applied changes only the time between the two, so a
    late event never undoes a newer one (see graph/writers/lifetimes.py).
    """

    job: JobRef
    outputs: list[DatasetRef]
    at: datetime
    tables: bool = False


class DeclaredTag(_Frozen):
    column: ColumnRef
    tag: str


class Failure(BaseModel):
    """One statement or event that could not be turned into lineage, kept so it can be replayed.

    ``location`` says where it was (``orders.sql statement 3, line 12``); ``payload`` is the input
    exactly as received; ``options`` holds whatever the ingester needs to try it again (dialect,
    namespace, job, catalog). ``partial``: part of its lineage landed (a statement's tables, and the
    columns that could be traced), the rest is what failed.
    """

    source: str
    location: str
    reason: str
    payload: str
    options: dict[str, object] = Field(default_factory=dict)
    partial: bool = False


class OutputStatistics(_Frozen):
    """What a run wrote into one output (OpenLineage ``outputStatistics``)."""

    dataset: DatasetRef
    rows: int | None = None
    bytes: int | None = None


class RunReport(_Frozen):
    """One report of a run: its state at ``at``, with what it read and wrote. Reports of one run
    may arrive in any order and more than once; the store merges them (``graph/writers/runs.py``)."""

    run_id: str
    job: JobRef
    state: RunState
    at: datetime
    parent_run_id: str | None = None
    inputs: list[DatasetRef] = Field(default_factory=list)
    outputs: list[DatasetRef] = Field(default_factory=list)
    statistics: list[OutputStatistics] = Field(default_factory=list)


class DatasetAlias(_Frozen):
    """Another name of a dataset (an OpenLineage symlink: a table's warehouse path, a Spark path's
    table): lineage said of ``alias``, before or after, is kept on ``dataset``, and a look-up of
    ``alias`` finds ``dataset``."""

    alias: DatasetRef
    dataset: DatasetRef


class DatasetRename(_Frozen):
    """``ALTER TABLE old RENAME TO new``: the lineage stored under ``old`` moves to ``new``; a table
    created under ``old`` afterwards is a new one."""

    old: DatasetRef
    new: DatasetRef


def _moved_dataset(ref: D, moves: dict[str, DatasetRef]) -> D:
    new = moves.get(ref.key)
    return ref if new is None else ref.model_copy(update={"namespace": new.namespace, "name": new.name})


def _moved_column(ref: C, moves: dict[str, DatasetRef]) -> C:
    new = moves.get(ref.dataset_ref.key)
    return ref if new is None else ref.model_copy(update={"namespace": new.namespace, "dataset": new.name})


class LineageBatch(BaseModel):
    """Everything one ingest found; the unit the store writes and governance reacts to."""

    datasets: list[Dataset] = Field(default_factory=list)
    columns: list[Column] = Field(default_factory=list)
    jobs: list[Job] = Field(default_factory=list)
    edges: list[ColumnEdge] = Field(default_factory=list)
    reads: list[DatasetAccess] = Field(default_factory=list)
    writes: list[DatasetAccess] = Field(default_factory=list)
    tags: list[DeclaredTag] = Field(default_factory=list)
    failures: list[Failure] = Field(default_factory=list)
    runs: list[RunReport] = Field(default_factory=list)
    aliases: list[DatasetAlias] = Field(default_factory=list)
    renames: list[DatasetRename] = Field(default_factory=list)
    definitions: list[JobDefinition] = Field(default_factory=list)
    statements: int = 0

    def moved(self, moves: dict[str, DatasetRef]) -> LineageBatch:
        """This batch with everything it says of a dataset whose key is in ``moves`` (the dataset,
        its columns, edges into and out of them, reads, writes, tags and runs) said of the dataset
        it maps to. Repeats it creates are left for the writer, which merges by key."""
        if not moves:
            return self

        def dataset(ref: D) -> D:
            return _moved_dataset(ref, moves)

        def column(ref: C) -> C:
            return _moved_column(ref, moves)

        return self.model_copy(
            update={
                "datasets": [dataset(d) for d in self.datasets],
                "columns": [column(c) for c in self.columns],
                "edges": [
                    e.model_copy(update={"source": column(e.source), "target": column(e.target)}) for e in self.edges
                ],
                "reads": [r.model_copy(update={"dataset": dataset(r.dataset)}) for r in self.reads],
                "writes": [w.model_copy(update={"dataset": dataset(w.dataset)}) for w in self.writes],
                "tags": [t.model_copy(update={"column": column(t.column)}) for t in self.tags],
                "definitions": [
                    d.model_copy(update={"outputs": [dataset(o) for o in d.outputs]}) for d in self.definitions
                ],
                "runs": [
                    r.model_copy(
                        update={
                            "inputs": [dataset(d) for d in r.inputs],
                            "outputs": [dataset(d) for d in r.outputs],
                            "statistics": [s.model_copy(update={"dataset": dataset(s.dataset)}) for s in r.statistics],
                        }
                    )
                    for r in self.runs
                ],
            }
        )

    def extend(self, other: LineageBatch) -> None:
        self.datasets.extend(other.datasets)
        self.columns.extend(other.columns)
        self.jobs.extend(other.jobs)
        self.edges.extend(other.edges)
        self.reads.extend(other.reads)
        self.writes.extend(other.writes)
        self.tags.extend(other.tags)
        self.failures.extend(other.failures)
        self.runs.extend(other.runs)
        self.aliases.extend(other.aliases)
        self.renames.extend(other.renames)
        self.definitions.extend(other.definitions)
        self.statements += other.statements
