"""Assembling a :class:`LineageBatch` without duplicates.

The same table, column or edge is met many times in a script (every statement that reads
``shop.orders``); the store would absorb the repeats, but a batch that says each thing once is cheaper
to write and easier to read in a failure report. Where two sightings disagree, the more informative
one wins: a known type over an unknown one, ``view`` over ``table``, and an unmasked path over a masked
one (the value still flows unmasked along it).
"""

from __future__ import annotations

from functools import cache

from tagline.graph.model import (
    Column,
    ColumnEdge,
    Dataset,
    DatasetAccess,
    DatasetAlias,
    DatasetRename,
    DeclaredTag,
    Failure,
    Job,
    LineageBatch,
    LineageType,
    RunReport,
    Subtype,
    Transformation,
)


@cache
def transformation_of(kind: LineageType, subtype: Subtype | None, masking: bool = False) -> Transformation:
    """The transformation of an edge, one shared record per kind (records are immutable): a
    script's edges have a few dozen kinds between them, not one each."""
    return Transformation(type=kind, subtype=subtype, masking=masking)


class BatchBuilder:
    """Accumulates lineage keyed by canonical key, then builds the batch in first-seen order."""

    def __init__(self) -> None:
        self._datasets: dict[str, Dataset] = {}
        self._columns: dict[str, Column] = {}
        self._jobs: dict[str, Job] = {}
        self._edges: dict[str, ColumnEdge] = {}
        self._reads: dict[tuple[str, str], DatasetAccess] = {}
        self._writes: dict[tuple[str, str], DatasetAccess] = {}
        self._tags: dict[DeclaredTag, None] = {}
        self._failures: list[Failure] = []
        self._runs: list[RunReport] = []
        self._aliases: dict[DatasetAlias, None] = {}
        self._renames: dict[DatasetRename, None] = {}

    def add(self, batch: LineageBatch) -> None:
        for dataset in batch.datasets:
            self.add_dataset(dataset)
        for column in batch.columns:
            self.add_column(column)
        for job in batch.jobs:
            self._jobs.setdefault(job.key, job)
        for edge in batch.edges:
            self.add_edge(edge)
        for access in batch.reads:
            self._reads.setdefault((access.job.key, access.dataset.key), access)
        for access in batch.writes:
            self._writes.setdefault((access.job.key, access.dataset.key), access)
        self._tags.update(dict.fromkeys(batch.tags))
        self._failures.extend(batch.failures)
        self._runs.extend(batch.runs)
        self._aliases.update(dict.fromkeys(batch.aliases))
        self._renames.update(dict.fromkeys(batch.renames))

    def add_dataset(self, dataset: Dataset) -> None:
        known = self._datasets.get(dataset.key)
        if known is None or (known.kind != "view" and dataset.kind == "view"):
            self._datasets[dataset.key] = dataset

    def add_column(self, column: Column) -> None:
        known = self._columns.get(column.key)
        if known is None or (known.data_type is None and column.data_type is not None):
            self._columns[column.key] = column

    def add_edge(self, edge: ColumnEdge) -> None:
        known = self._edges.get(edge.key)
        if known is None or (known.transformation.masking and not edge.transformation.masking):
            self._edges[edge.key] = edge

    def add_failure(self, failure: Failure) -> None:
        self._failures.append(failure)

    def build(self, statements: int) -> LineageBatch:
        return LineageBatch(
            datasets=list(self._datasets.values()),
            columns=list(self._columns.values()),
            jobs=list(self._jobs.values()),
            edges=list(self._edges.values()),
            reads=list(self._reads.values()),
            writes=list(self._writes.values()),
            tags=list(self._tags),
            failures=list(self._failures),
            runs=list(self._runs),
            aliases=list(self._aliases),
            renames=list(self._renames),
            statements=statements,
        )
