"""What a change proposes, as plain data: for each job it touches, the column edges, reads and
writes it reports now ("before") and would report after the change.

"Before" is either what the store holds for the job — read the way a new definition of the job
replaces it (graph/writers/lifetimes.py): its current edges into the datasets the new lineage
writes, and all its reads and writes — or a second batch (an older script, a base manifest).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tagline.graph import schema
from tagline.graph.model import ColumnEdge, LineageBatch, key_parts
from tagline.graph.records import InEdge
from tagline.graph.store import GraphStore


@dataclass(frozen=True, order=True)
class LineageEdge:
    """A `derives` edge as the review compares it: keys of its ends, its job and transformation."""

    source: str
    target: str
    key: str
    job: str
    type: str
    subtype: str
    masking: bool

    @classmethod
    def of(cls, edge: ColumnEdge) -> LineageEdge:
        t = edge.transformation
        return cls(
            edge.source.key,
            edge.target.key,
            edge.key,
            edge.job.key if edge.job else "",
            t.type.value,
            t.subtype.value if t.subtype else "",
            t.masking,
        )

    @property
    def inflow(self) -> InEdge:
        return InEdge(self.key, self.source, self.type, self.subtype, self.masking)


@dataclass(frozen=True)
class JobLineage:
    """A job's lineage at one side of the change."""

    edges: frozenset[LineageEdge] = frozenset()
    reads: frozenset[str] = frozenset()  # dataset keys
    writes: frozenset[str] = frozenset()


@dataclass
class Proposal:
    before: dict[str, JobLineage] = field(default_factory=dict)  # by job key
    after: dict[str, JobLineage] = field(default_factory=dict)
    declared: dict[str, frozenset[str]] = field(default_factory=dict)  # tags the new sources declare

    @property
    def jobs(self) -> list[str]:
        return sorted(self.before.keys() | self.after.keys())

    def edges(self, side: str) -> dict[str, LineageEdge]:
        lineage = self.before if side == "before" else self.after
        return {e.key: e for job in lineage.values() for e in job.edges}


def dataset_of(column_key: str) -> str:
    _, namespace, dataset, _ = key_parts(column_key)
    return schema.dataset_key(namespace, dataset)


def batch_lineage(batch: LineageBatch, jobs: Iterable[str]) -> dict[str, JobLineage]:
    """Each job's lineage in a batch (a job the batch says nothing of has none)."""
    found: dict[str, JobLineage] = {}
    for job in jobs:
        found[job] = JobLineage(
            edges=frozenset(LineageEdge.of(e) for e in batch.edges if e.job is not None and e.job.key == job),
            reads=frozenset(a.dataset.key for a in batch.reads if a.job.key == job),
            writes=frozenset(a.dataset.key for a in batch.writes if a.job.key == job),
        )
    return found


def declared_tags(batch: LineageBatch) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for declared in batch.tags:
        found.setdefault(declared.column.key, set()).add(declared.tag)
    return {k: frozenset(v) for k, v in found.items()}


def stored_lineage(store: GraphStore, job: str, outputs: Iterable[str]) -> JobLineage:
    """What the store holds for ``job`` that a definition writing ``outputs`` (dataset keys)
    would replace: its current edges into those datasets, and its current reads and writes."""
    scope = set(outputs)
    edges = frozenset(
        LineageEdge(
            e.source,
            e.target,
            e.key,
            job,
            str(e.props.get("type") or ""),
            str(e.props.get("subtype") or ""),
            bool(e.props.get("masking", False)),
        )
        for e in store.job_edges(job)
        if dataset_of(e.target) in scope
    )
    record = store.find([job]).get(job)
    reads: set[str] = set()
    writes: set[str] = set()
    if record is not None:
        for hop in store.hops([record.id], "out", [schema.READS, schema.WRITES]):
            (reads if hop.edge.label == schema.READS else writes).add(hop.neighbour.key)
    return JobLineage(edges=edges, reads=frozenset(reads), writes=frozenset(writes))


def against_store(store: GraphStore, batch: LineageBatch, jobs: Iterable[str]) -> Proposal:
    """``batch`` as the new lineage of ``jobs``, compared with what the store holds for them."""
    after = batch_lineage(batch, jobs)
    before = {
        job: stored_lineage(store, job, lineage.writes | {dataset_of(e.target) for e in lineage.edges})
        for job, lineage in after.items()
    }
    return Proposal(before=before, after=after, declared=declared_tags(batch))
