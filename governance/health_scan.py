"""The health report over the whole store: gather each dataset's facts in a few batched reads,
classify them with :mod:`tagline.governance.health`, and keep the records for the answer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tagline.governance.health import ColumnFacts, DatasetFacts, classify
from tagline.governance.window import cutoff_of
from tagline.graph import schema
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
class HealthScan:
    days: int
    cutoff: str
    orphans: list[DatasetHealth]
    zombies: list[DatasetHealth]
    unused: list[DatasetHealth]
    unused_columns: list[ColumnHealth]
    deprecation_candidates: list[DatasetHealth]


@dataclass
class _Gathered:
    datasets: dict[str, VertexRecord]
    facts: dict[str, DatasetFacts]
    column_ids: dict[str, VertexId]


def _gather(store: GraphStore) -> _Gathered:
    """Every dataset's record and facts in five batched reads (per chunk of ids)."""
    datasets = {r.id: r for r in store.datasets()}
    accesses: dict[tuple[str, VertexId], dict[str, str | None]] = defaultdict(dict)
    for hop in store.hops(list(datasets), "in", [schema.READS, schema.WRITES]):
        accesses[(hop.edge.label, hop.edge.in_id)][hop.neighbour.key] = hop.edge.props.get("last_at")
    column_ids: dict[str, VertexId] = {}
    dataset_of: dict[VertexId, VertexId] = {}
    for dataset, column, column_key in store.edge_ends(list(datasets), "out", schema.HAS_COLUMN, schema.KEY, "far"):
        column_ids[column_key] = column
        dataset_of[column] = dataset
    # Lineage in only matters where no job writes the dataset (see DatasetFacts.upstream_seen), and
    # each edge read costs, so it is read for those columns alone.
    unwritten = [c for c, d in dataset_of.items() if not accesses.get((schema.WRITES, d))]
    upstream: dict[VertexId, list[str]] = defaultdict(list)
    for column, _, seen in store.edge_ends(unwritten, "in", schema.DERIVES, "last_seen"):
        upstream[dataset_of[column]].append(seen)
    downstream: dict[VertexId, list[str]] = defaultdict(list)
    for column, _, seen in store.edge_ends(list(dataset_of), "out", schema.DERIVES, "last_seen"):
        downstream[column].append(seen)
    columns: dict[VertexId, list[ColumnFacts]] = defaultdict(list)
    for key, column in column_ids.items():
        columns[dataset_of[column]].append(ColumnFacts(key=key, downstream_seen=tuple(downstream[column])))
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
    report = classify(found.facts.values(), cutoff)

    def datasets(keys: tuple[str, ...]) -> list[DatasetHealth]:
        return [DatasetHealth(dataset=found.datasets[k], facts=found.facts[k]) for k in keys]

    column_records = store.vertices(found.column_ids[k] for k in report.unused_columns)
    column_facts = {c.key: (c, f) for f in found.facts.values() for c in f.columns}
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
    )
