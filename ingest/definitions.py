"""A batch as a job's whole definition: what replaces the lineage the job reported before.

An intake that reads a job's complete logic (a named job's SQL, a query-log entry of a scheduled
job, a DataX job file, a dbt model) says so by attaching a :class:`JobDefinition`; the store then
closes the job's edges into the datasets the batch writes that the batch no longer holds (see
graph/writers/lifetimes.py). A batch with failures is not the job's whole logic — a statement that
could not be read would look like lineage the job dropped — so it defines nothing.
"""

from __future__ import annotations

from datetime import datetime

from tagline.graph.model import DatasetRef, JobDefinition, JobRef, LineageBatch


def outputs_of(batch: LineageBatch, job: JobRef) -> list[DatasetRef]:
    """The datasets ``job`` writes in ``batch``: its writes and the targets of its column edges."""
    found = {w.dataset.key: w.dataset for w in batch.writes if w.job.key == job.key}
    for edge in batch.edges:
        if edge.job is not None and edge.job.key == job.key:
            found.setdefault(edge.target.dataset_ref.key, edge.target.dataset_ref)
    return [DatasetRef(namespace=d.namespace, name=d.name) for _, d in sorted(found.items())]


def defined_by(batch: LineageBatch, job: JobRef, at: datetime, tables: bool = False) -> LineageBatch:
    """``batch`` marked as ``job``'s whole lineage into the datasets it writes, as of ``at``; with
    ``tables``, the job's whole set of reads and writes too. Unchanged if the batch has failures."""
    if batch.failures:
        return batch
    outputs = outputs_of(batch, job)
    if not outputs and not tables:
        return batch
    definition = JobDefinition(job=job, outputs=outputs, at=at, tables=tables)
    batch.definitions = [*batch.definitions, definition]
    return batch
