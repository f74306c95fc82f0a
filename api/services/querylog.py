"""Ingesting a query log: stream it, write lineage in bounded batches, keep every failure."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from tagline.api.services.ingestion import IngestReport, purge_expired, write_batch
from tagline.graph.model import JobDefinition, LineageBatch
from tagline.graph.store import GraphStore
from tagline.ingest.querylog import QueryLogOptions, query_batch, read_jsonl, read_sql
from tagline.ingest.sql.batch import BatchBuilder

BATCH_QUERIES = 200
"""Queries per store transaction: large enough to amortise a write, small enough to bound memory."""


@dataclass
class QueryLogReport(IngestReport):
    queries: int = 0
    edges: int = 0
    reads: int = 0
    purged: int = 0


Progress = Callable[[int, QueryLogReport], None]
"""Called after each batch with the bytes read so far and the running counts."""


def ingest_querylog(
    store: GraphStore,
    path: Path,
    options: QueryLogOptions,
    on_progress: Progress = lambda done, report: None,
    batch_queries: int = BATCH_QUERIES,
) -> QueryLogReport:
    """Ingest ``path`` (``.jsonl`` log or ``.sql`` file) into ``store``, then purge expired lineage."""
    report = QueryLogReport()
    with open(path, "rb") as raw:
        counter = _ByteCounter(raw)
        lines = counter.lines()
        queries = read_sql(lines, path.stem) if path.suffix.lower() == ".sql" else read_jsonl(lines)
        pending, unreadable = _Queries(), list[LineageBatch]()
        for query in queries:
            batch = query_batch(query, options, str(path))
            if pending.redefines(batch):
                _flush(store, pending.build(), unreadable, report)
                pending, unreadable = _Queries(), []
            if query.entry is None:
                unreadable.append(batch)
            else:
                pending.add(batch)
            report.queries += 1
            pending.count += 1
            if pending.count >= batch_queries:
                _flush(store, pending.build(), unreadable, report)
                pending, unreadable = _Queries(), []
                on_progress(counter.done, report)
        _flush(store, pending.build(), unreadable, report)
        on_progress(counter.done, report)
    report.purged = purge_expired(store, "ingest:querylog")
    return report


def write_queries(store: GraphStore, batches: list[LineageBatch]) -> QueryLogReport:
    """Write the lineage of queries already read (one transaction), keeping their failures."""
    report = QueryLogReport(queries=len(batches))
    pending = _Queries()
    for batch in batches:
        if pending.redefines(batch):
            _flush(store, pending.build(), [], report)
            pending = _Queries()
        pending.add(batch)
    _flush(store, pending.build(), [], report)
    return report


class _Queries:
    """Queries gathered into one transaction. A job's queries at one time are one definition of
    what it writes; another run of the same job starts a new transaction, so that each run
    replaces the one before it in event time (merged, their edges would lose which run said them)."""

    def __init__(self) -> None:
        self.builder = BatchBuilder()
        self.statements = 0
        self.count = 0
        self.definitions: dict[tuple[str, datetime], JobDefinition] = {}

    def redefines(self, batch: LineageBatch) -> bool:
        times = dict(self.definitions.keys())
        return any(times.get(d.job.key, d.at) != d.at for d in batch.definitions)

    def add(self, batch: LineageBatch) -> None:
        self.builder.add(batch)
        self.statements += batch.statements
        for definition in batch.definitions:
            known = self.definitions.get((definition.job.key, definition.at))
            outputs = {o.key: o for o in [*(known.outputs if known else []), *definition.outputs]}
            self.definitions[(definition.job.key, definition.at)] = definition.model_copy(
                update={"outputs": [outputs[k] for k in sorted(outputs)]}
            )

    def build(self) -> LineageBatch:
        batch = self.builder.build(self.statements)
        batch.definitions = list(self.definitions.values())
        return batch


def _flush(store: GraphStore, batch: LineageBatch, unreadable: list[LineageBatch], report: QueryLogReport) -> None:
    write_batch(store, batch, "sql", report)
    report.edges += len(batch.edges)
    report.reads += len(batch.reads)
    if unreadable:
        failures = [f for bad in unreadable for f in bad.failures]
        write_batch(store, LineageBatch(failures=failures), "querylog", report)


class _ByteCounter:
    """Lines of a binary file, decoded, with how many bytes have been read (for progress)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.done = 0

    def lines(self) -> Iterator[str]:
        for line in self.raw:
            self.done += len(line)
            yield line.decode("utf-8", errors="replace")
