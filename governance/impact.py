"""Impact analysis: everything downstream of a column or a dataset, to decide whether it can change.

The walk follows ``derives`` edges downstream (every kind, INDIRECT included: a filter or join key
that changes changes its results too). What it reports: every column reached with its distance in
hops, the datasets holding them, and the jobs involved, both those that derive the reached columns
and those that read the root's or a reached dataset (query logs included) and so may break.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from tagline import errors
from tagline.governance.state import tag_views_of
from tagline.graph import schema
from tagline.graph.model import ColumnRef, DatasetRef, dataset_key
from tagline.graph.records import EdgeRecord, Expansion, VertexId, VertexRecord
from tagline.graph.store import GraphStore


def distances(start: Iterable[VertexId], edges: Iterable[tuple[VertexId, VertexId]]) -> dict[VertexId, int]:
    """Fewest hops from any start vertex to each vertex the edges reach (start vertices at 0)."""
    following: dict[VertexId, list[VertexId]] = {}
    for source, target in edges:
        following.setdefault(source, []).append(target)
    found = dict.fromkeys(start, 0)
    queue = deque(found)
    while queue:
        current = queue.popleft()
        for nxt in following.get(current, ()):
            if nxt not in found:
                found[nxt] = found[current] + 1
                queue.append(nxt)
    return found


@dataclass(frozen=True)
class ImpactedColumn:
    column: VertexRecord
    depth: int


@dataclass(frozen=True)
class ImpactedDataset:
    dataset: VertexRecord
    columns: tuple[VertexRecord, ...]
    depth: int


@dataclass
class ImpactedJob:
    job: VertexRecord
    writes: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Impact:
    dataset: VertexRecord
    roots: tuple[VertexRecord, ...]
    columns: tuple[ImpactedColumn, ...]
    datasets: tuple[ImpactedDataset, ...]
    jobs: tuple[ImpactedJob, ...]
    expansion: Expansion
    truncated: bool

    def tags(self) -> list[TagReach]:
        """The tags on the root columns and every column reached."""
        return tags_reached([*self.roots, *(c.column for c in self.columns)])


class NotFound(errors.NotFound):
    pass


def _roots(store: GraphStore, ref: DatasetRef, field_: str | None) -> tuple[VertexRecord, list[VertexRecord]]:
    dataset = store.find_folded(ref.key)
    if dataset is None:
        raise NotFound(f"no dataset {ref.name!r} in namespace {ref.namespace!r}")
    if field_ is None:
        columns = [h.neighbour for h in store.hops([dataset.id], "out", [schema.HAS_COLUMN])]
        return dataset, sorted(columns, key=lambda r: r.key)
    column = store.find_folded(ColumnRef(namespace=ref.namespace, dataset=ref.name, field=field_).key)
    if column is None:
        raise NotFound(f"no column {field_!r} in dataset {ref.name!r} of namespace {ref.namespace!r}")
    return dataset, [column]


def impact_of(
    store: GraphStore,
    ref: DatasetRef,
    field_: str | None,
    depth: int,
    max_nodes: int | None = None,
    as_of: datetime | None = None,
) -> Impact:
    """Everything downstream of a column or dataset over current lineage (or as it was ``as_of``)."""
    dataset, roots = _roots(store, ref, field_)
    expansion = store.lineage([r.id for r in roots], "out", depth, max_nodes, as_of=as_of)
    edges: list[EdgeRecord] = list(expansion.edges.values())
    hops = distances([r.id for r in roots], [(e.out_id, e.in_id) for e in edges])
    reached = sorted(
        (ImpactedColumn(column=expansion.vertices[i], depth=d) for i, d in hops.items() if d > 0),
        key=lambda c: (c.depth, c.column.key),
    )
    by_dataset: dict[str, list[ImpactedColumn]] = {}
    for item in reached:
        p = item.column.props
        by_dataset.setdefault(dataset_key(p["namespace"], p["dataset"]), []).append(item)
    records = store.find([*by_dataset, *(str(e.props.get("job") or "") for e in edges)])
    datasets = tuple(
        ImpactedDataset(
            dataset=records[key],
            columns=tuple(c.column for c in items),
            depth=min(c.depth for c in items),
        )
        for key, items in sorted(by_dataset.items(), key=lambda kv: (min(c.depth for c in kv[1]), kv[0]))
        if key in records
    )
    jobs: dict[str, ImpactedJob] = {}
    for edge in edges:
        job = records.get(str(edge.props.get("job") or ""))
        if job is not None:
            target = expansion.vertices[edge.in_id].props
            jobs.setdefault(job.key, ImpactedJob(job=job)).writes.add(
                dataset_key(target["namespace"], target["dataset"])
            )
    read = {dataset.id: dataset.key, **{d.dataset.id: d.dataset.key for d in datasets}}
    for hop in store.hops(list(read), "in", [schema.READS], as_of):
        jobs.setdefault(hop.neighbour.key, ImpactedJob(job=hop.neighbour)).reads.add(read[hop.edge.in_id])
    return Impact(
        dataset=dataset,
        roots=tuple(roots),
        columns=tuple(reached),
        datasets=datasets,
        jobs=tuple(jobs[k] for k in sorted(jobs)),
        expansion=expansion,
        truncated=expansion.truncated,
    )


@dataclass(frozen=True)
class TagReach:
    """A tag carried by the root or impacted columns: what a change to the root would touch."""

    tag: str
    columns: tuple[str, ...]
    unmasked: tuple[str, ...]


def tags_reached(columns: Iterable[VertexRecord]) -> list[TagReach]:
    """Every effective tag among ``columns``, with the columns carrying it and those carrying it
    unmasked (the ones a security review looks at first)."""
    carriers: dict[str, list[str]] = {}
    unmasked: dict[str, list[str]] = {}
    for record in columns:
        for name, view in tag_views_of(record.props).items():
            carriers.setdefault(name, []).append(record.key)
            if not view.masked:
                unmasked.setdefault(name, []).append(record.key)
    return [
        TagReach(tag=name, columns=tuple(sorted(keys)), unmasked=tuple(sorted(unmasked.get(name, ()))))
        for name, keys in sorted(carriers.items())
    ]
