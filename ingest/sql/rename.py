"""``ALTER TABLE old RENAME TO new`` within a script: lineage follows the table to its new name.

A script that builds ``stage_orders`` and renames it to ``orders`` at the end has written ``orders``:
everything the batch says of ``old`` up to then (the dataset, its columns, the edges into and out of
them, the job's reads and writes) is said of ``new`` instead. Applied once, to the finished batch,
which also carries the renames so the store moves what it already holds of ``old``.
"""

from __future__ import annotations

from tagline.graph.model import DatasetRef, DatasetRename, LineageBatch
from tagline.ingest.sql.batch import BatchBuilder


def rename_datasets(batch: LineageBatch, renames: dict[DatasetRef, DatasetRef]) -> LineageBatch:
    """``batch`` with every reference to a key of ``renames`` moved to its value."""
    moves = {old.key: new for old, new in renames.items() if old.key != new.key}
    if not moves:
        return batch
    builder = BatchBuilder()
    builder.add(batch.moved(moves))
    result = builder.build(batch.statements)
    result.renames = [DatasetRename(old=old, new=new) for old, new in renames.items() if old.key != new.key]
    return result
