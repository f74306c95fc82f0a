"""Dependency recommendation and checking against the store: load the jobs upstream of a job, then
apply the rules of :mod:`tagline.governance.dependencies`.

The walk goes job -> datasets it reads -> jobs that write them, one batched round trip per step,
as far upstream as lineage (and any configured lists) lead; that is what direct-only reduction and
cycle detection need to see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tagline.errors import NotFound
from tagline.governance.dependencies import CheckResult, Dependency, JobGraph, check, recommend
from tagline.governance.window import cutoff_of, is_stale
from tagline.graph import schema
from tagline.graph.model import JobRef
from tagline.graph.records import VertexRecord
from tagline.graph.store import GraphStore


class UnknownJob(NotFound):
    def __init__(self, ref: JobRef) -> None:
        super().__init__(f"no job {ref.name!r} in namespace {ref.namespace!r}; has its lineage been ingested?")
        self.ref = ref


def find_job(store: GraphStore, ref: JobRef) -> VertexRecord:
    """The job by exact key, else by its case-folded key (SQL names are case-insensitive)."""
    record = store.find_folded(ref.key)
    if record is None:
        raise UnknownJob(ref)
    return record


@dataclass
class Neighbourhood:
    """The part of the job graph upstream of one job, and the records of everything in it."""

    graph: JobGraph = field(default_factory=JobGraph)
    records: dict[str, VertexRecord] = field(default_factory=dict)


def load_upstream(
    store: GraphStore, start: VertexRecord, cutoff: str, configured: Mapping[str, Iterable[str]] | None = None
) -> Neighbourhood:
    """Walk upstream from ``start`` through fresh writers and configured dependencies."""
    configured = configured or {}
    found = Neighbourhood(records={start.key: start})
    named = {key for keys in configured.values() for key in keys} | set(configured)
    found.records.update(store.find(named - {start.key}))
    frontier = [start]
    while frontier:
        by_id = {r.id: r.key for r in frontier}
        for record in frontier:
            found.graph.reads.setdefault(record.key, set())
        datasets: dict[str, VertexRecord] = {}
        for hop in store.hops(list(by_id), "out", [schema.READS]):
            found.graph.reads[by_id[hop.edge.out_id]].add(hop.neighbour.key)
            if hop.neighbour.key not in found.graph.writes:
                datasets[hop.neighbour.key] = hop.neighbour
        found.records.update(datasets)
        next_keys: set[str] = set()
        for key in datasets:
            found.graph.writes[key] = {}
        ds_keys = {r.id: r.key for r in datasets.values()}
        for hop in store.hops(list(ds_keys), "in", [schema.WRITES]):
            at = hop.edge.props.get("last_at")
            found.graph.writes[ds_keys[hop.edge.in_id]][hop.neighbour.key] = at
            found.records.setdefault(hop.neighbour.key, hop.neighbour)
            if not is_stale(at, cutoff):
                next_keys.add(hop.neighbour.key)
        for key in by_id.values():
            next_keys.update(configured.get(key, ()))
        frontier = [found.records[k] for k in sorted(next_keys - set(found.graph.reads)) if k in found.records]
    return found


@dataclass(frozen=True)
class Evidence:
    """One recommended (or stale) dependency with the records it stands on."""

    job: VertexRecord
    writes: tuple[tuple[VertexRecord, str | None], ...]
    last_write_at: str | None
    stale: bool


def _evidence(dependency: Dependency, records: Mapping[str, VertexRecord]) -> Evidence:
    return Evidence(
        job=records[dependency.job],
        writes=tuple((records[dataset], at) for dataset, at in dependency.writes),
        last_write_at=dependency.last_write_at,
        stale=dependency.stale,
    )


def recommend_dependencies(
    store: GraphStore, ref: JobRef, now: datetime, stale_after_days: int, direct_only: bool = False
) -> tuple[VertexRecord, list[Evidence]]:
    """The job, and every writer of its inputs (stale ones flagged) in job-key order."""
    job = find_job(store, ref)
    cutoff = cutoff_of(now, stale_after_days)
    around = load_upstream(store, job, cutoff)
    found = recommend(around.graph, job.key, cutoff, direct_only)
    return job, [_evidence(d, around.records) for d in found]


@dataclass(frozen=True)
class CheckReport:
    job: VertexRecord
    missing: list[VertexRecord]
    redundant: list[VertexRecord]
    stale: list[VertexRecord]
    cycles: list[list[VertexRecord]]
    unknown: list[JobRef]
    result: CheckResult

    @property
    def failed(self) -> bool:
        return self.result.failed


def check_dependencies(
    store: GraphStore,
    ref: JobRef,
    configured: Sequence[JobRef],
    now: datetime,
    stale_after_days: int,
    configured_elsewhere: Mapping[str, Iterable[str]] | None = None,
) -> CheckReport:
    """Check ``ref``'s configured list; ``configured_elsewhere`` holds the lists of other jobs
    (by job key) so that a cycle through them is found too."""
    job = find_job(store, ref)
    cutoff = cutoff_of(now, stale_after_days)
    own = {r.key for r in configured}
    lists = {**(configured_elsewhere or {}), job.key: own}
    around = load_upstream(store, job, cutoff, lists)
    known = {key for key, record in around.records.items() if record.label == schema.JOB}
    result = check(around.graph, job.key, own, cutoff, lists, known_jobs=known)

    def records(keys: Iterable[str]) -> list[VertexRecord]:
        return [around.records[k] for k in keys]

    unknown = set(result.unknown)

    return CheckReport(
        job=job,
        missing=records(result.missing),
        redundant=records(result.redundant),
        stale=records(result.stale),
        cycles=[records(cycle) for cycle in result.cycles],
        unknown=[r for r in configured if r.key in unknown],
        result=result,
    )
