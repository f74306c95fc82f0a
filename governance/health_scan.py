"""The health report over the whole store: gather each dataset's facts in a few batched reads,
classify them with :mod:`tagline.governance.health`, and keep the records for the answer; with the
jobs that redo another job's work (:mod:`tagline.governance.redundancy`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tagline.governance.health import ColumnFacts, DatasetFacts, classify
from tagline.governance.redundancy import RedundantJob, find_redundant_jobs
from tagline.governance.window import cutoff_of
from tagline.graph import deadline, schema
from tagline.graph.records import VertexId, VertexRecord
from tagline.graph.store import GraphStore


@dataclass(frozen=True)
class DatasetHealth:
    dataset: VertexRecord
    facts: DatasetFacts


@dataclass(frozen=True)
class ColumnHealth:
    column: VertexRecord
    facts: ColumnFacts
    dataset: DatasetFacts


@dataclass(frozen=True)
class UnfedColumn:
    """A column that lost its last producer: lineage flowed in, none does now."""

    column: VertexRecord
    since: str  # when its last incoming edge closed (event time)


@dataclass(frozen=True)
class HealthScan:
    days: int
    cutoff: str
    orphans: list[DatasetHealth]
    zombies: list[DatasetHealth]
    unused: list[DatasetHealth]
    unused_columns: list[ColumnHealth]
    deprecation_candidates: list[DatasetHealth]
    unfed_columns: list[UnfedColumn]
    redundant_jobs: list[RedundantJob]


@dataclass
class _Gathered:
    datasets: dict[str, VertexRecord]
    facts: dict[str, DatasetFacts]
    column_ids: dict[str, VertexId]


def _gather(store: GraphStore) -> _Gathered:
    """Every dataset's record and facts from whole-warehouse reads of the lineage index."""
    datasets = {r.id: r for r in store.datasets()}
    accesses: dict[tuple[str, VertexId], dict[str, str | None]] = defaultdict(dict)
    for label in (schema.READS, schema.WRITES):
        found = store.edge_ends(list(datasets), "in", label, "last_at")
        for (dataset, _, at), job in zip(found, store.keys_of(j for _, j, _ in found), strict=True):
            accesses[(label, dataset)][job] = at or None
    # When lineage last flowed into and out of each column (only the latest time counts).
    last_in = store.latest_edge_value(schema.DERIVES, "last_seen", "in")
    last_out = store.latest_edge_value(schema.DERIVES, "last_seen", "out")
    column_ids: dict[str, VertexId] = {}
    upstream: dict[VertexId, list[str]] = defaultdict(list)
    columns: dict[VertexId, list[ColumnFacts]] = defaultdict(list)
    never = ()
    for dataset, column, column_key in store.edge_ends(list(datasets), "out", schema.HAS_COLUMN, schema.KEY, "far"):
        column_ids[column_key] = column
        seen = last_in.get(column)
        if seen is not None:
            upstream[dataset].append(seen)
        seen = last_out.get(column)
        columns[dataset].append(ColumnFacts(column_key, never if seen is None else (seen,)))
    facts = {
        record.key: DatasetFacts(
            key=record.key,
            first_seen=record.props.get("first_seen"),
            declared_source=bool(record.props.get(schema.DECLARED_SOURCE, False)),
            writes=accesses[(schema.WRITES, id_)],
            reads=accesses[(schema.READS, id_)],
            upstream_seen=tuple(upstream[id_]),
            columns=tuple(columns[id_]),
        )
        for id_, record in datasets.items()
    }
    return _Gathered(datasets={r.key: r for r in datasets.values()}, facts=facts, column_ids=column_ids)


def scan_health(store: GraphStore, now: datetime, days: int) -> HealthScan:
    cutoff = cutoff_of(now, days)
    found = _gather(store)
    deadline.check()
    report = classify(found.facts.values(), cutoff)
    deadline.check()

    def datasets(keys: tuple[str, ...]) -> list[DatasetHealth]:
        return [DatasetHealth(dataset=found.datasets[k], facts=found.facts[k]) for k in keys]

    column_records = store.vertices(found.column_ids[k] for k in report.unused_columns)
    wanted = set(report.unused_columns)
    column_facts = {c.key: (c, f) for f in found.facts.values() for c in f.columns if c.key in wanted}
    unused_columns = [
        ColumnHealth(column=column_records[found.column_ids[k]], facts=column_facts[k][0], dataset=column_facts[k][1])
        for k in report.unused_columns
    ]
    return HealthScan(
        days=days,
        cutoff=cutoff,
        orphans=datasets(report.orphans),
        zombies=datasets(report.zombies),
        unused=datasets(report.unused),
        unused_columns=unused_columns,
        deprecation_candidates=datasets(report.deprecation_candidates),
        unfed_columns=[UnfedColumn(column=c, since=at) for c, at in store.unfed_columns()],
        redundant_jobs=find_redundant_jobs(store),
    )
