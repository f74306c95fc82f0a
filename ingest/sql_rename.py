"""``ALTER TABLE old RENAME TO new`` within a script: lineage follows the table to its new name.

A script that builds ``stage_orders`` and renames it to ``orders`` at the end has written ``orders``:
everything the batch says of ``old`` up to then (the dataset, its columns, the edges into and out of
them, the job's reads and writes) is said of ``new`` instead. Applied once, to the finished batch.
"""

from __future__ import annotations

from typing import TypeVar

from tagline.graph.model import ColumnRef, DatasetRef, LineageBatch
from tagline.ingest.sql_batch import BatchBuilder

C = TypeVar("C", bound=ColumnRef)
D = TypeVar("D", bound=DatasetRef)


def rename_datasets(batch: LineageBatch, renames: dict[DatasetRef, DatasetRef]) -> LineageBatch:
    """``batch`` with every reference to a key of ``renames`` moved to its value."""
    moves = {old.key: new for old, new in renames.items() if old.key != new.key}
    if not moves:
        return batch

    def dataset(ref: D) -> D:
        new = moves.get(ref.key)
        return ref if new is None else ref.model_copy(update={"namespace": new.namespace, "name": new.name})

    def column(ref: C) -> C:
        new = moves.get(ref.dataset_ref.key)
        return ref if new is None else ref.model_copy(update={"namespace": new.namespace, "dataset": new.name})

    builder = BatchBuilder()
    builder.add(
        LineageBatch(
            datasets=[dataset(d) for d in batch.datasets],
            columns=[column(c) for c in batch.columns],
            jobs=batch.jobs,
            edges=[e.model_copy(update={"source": column(e.source), "target": column(e.target)}) for e in batch.edges],
            reads=[r.model_copy(update={"dataset": dataset(r.dataset)}) for r in batch.reads],
            writes=[w.model_copy(update={"dataset": dataset(w.dataset)}) for w in batch.writes],
            tags=[t.model_copy(update={"column": column(t.column)}) for t in batch.tags],
            failures=batch.failures,
        )
    )
    return builder.build(batch.statements)
