"""Which jobs a job must wait for, judged from what it reads and who writes that.

Pure rules over plain data (job and dataset keys, ISO-8601 times), so they are tested without a
store. The words used throughout:

- job A *depends on* job B when B writes a dataset A reads (B other than A);
- a writer is *stale* for A when it has not written any of A's inputs since the cutoff: it is
  reported, never recommended, and no dependency is implied through it;
- B is *implied* for A through C when C is another dependency of A and B is upstream of C;
- a dependency B of A *makes a cycle* when A is upstream of B.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tagline.governance.window import is_stale, latest

Edges = Mapping[str, Iterable[str]]


@dataclass(frozen=True)
class Dependency:
    """A writer of some of A's inputs, with the evidence: which inputs and when it last wrote each."""

    job: str
    writes: tuple[tuple[str, str | None], ...]
    stale: bool

    @property
    def datasets(self) -> tuple[str, ...]:
        return tuple(dataset for dataset, _ in self.writes)

    @property
    def last_write_at(self) -> str | None:
        return latest(at for _, at in self.writes)


@dataclass
class JobGraph:
    """Who reads and who writes what: ``reads[job]`` is a set of datasets, ``writes[dataset]``
    maps each writer to the last time it wrote that dataset."""

    reads: dict[str, set[str]] = field(default_factory=dict)
    writes: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def dependencies(self, job: str, cutoff: str) -> list[Dependency]:
        """Every writer of ``job``'s inputs (``job`` itself aside), stale ones flagged, by job key."""
        by_writer: dict[str, list[tuple[str, str | None]]] = {}
        for dataset in sorted(self.reads.get(job, ())):
            for writer, at in self.writes.get(dataset, {}).items():
                if writer != job:
                    by_writer.setdefault(writer, []).append((dataset, at))
        return [
            Dependency(job=writer, writes=tuple(writes), stale=is_stale(latest(at for _, at in writes), cutoff))
            for writer, writes in sorted(by_writer.items())
        ]

    def upstream_edges(self, cutoff: str) -> dict[str, set[str]]:
        """job -> the jobs it depends on (stale writers left out), for every job whose reads are known."""
        return {job: {d.job for d in self.dependencies(job, cutoff) if not d.stale} for job in self.reads}


def merge_edges(*graphs: Edges) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for graph in graphs:
        for job, upstream in graph.items():
            merged.setdefault(job, set()).update(upstream)
    return merged


def path(edges: Edges, start: str, goal: str) -> list[str] | None:
    """The shortest chain ``start -> ... -> goal`` following ``edges``, or None."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            chain = [current]
            while (before := previous[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        for nxt in sorted(edges.get(current, ())):
            if nxt not in previous:
                previous[nxt] = current
                queue.append(nxt)
    return None


def reaches(edges: Edges, start: str, goal: str) -> bool:
    return start != goal and path(edges, start, goal) is not None


def without(edges: Edges, job: str) -> dict[str, set[str]]:
    """The graph with ``job`` taken out: what is implied *for* a job must not be implied *through* it."""
    return {j: set(upstream) - {job} for j, upstream in edges.items() if j != job}


def recommend(graph: JobGraph, job: str, cutoff: str, direct_only: bool = False) -> list[Dependency]:
    """A's dependencies, stale ones included and flagged.

    ``direct_only`` drops a fresh dependency B that is implied through another fresh dependency C
    (C depends on B, directly or not, without going through A). Two dependencies implied through
    each other (a cycle among A's writers) are both kept: dropping either would leave A waiting
    for neither.
    """
    found = graph.dependencies(job, cutoff)
    if not direct_only:
        return found
    edges = without(graph.upstream_edges(cutoff), job)
    fresh = [d.job for d in found if not d.stale]

    def implied(candidate: str) -> bool:
        return any(
            reaches(edges, other, candidate) and not reaches(edges, candidate, other)
            for other in fresh
            if other != candidate
        )

    return [d for d in found if d.stale or not implied(d.job)]


@dataclass(frozen=True)
class CheckResult:
    """What a configured dependency list gets wrong. Each cycle starts with the job checked:
    ``[A, B, ..., Z]`` reads "A waits for B ... which waits for Z, which waits for A"."""

    missing: tuple[str, ...]
    redundant: tuple[str, ...]
    stale: tuple[str, ...]
    cycles: tuple[tuple[str, ...], ...]
    unknown: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """What a scheduler's CI should stop on: a missing dependency or a cycle."""
        return bool(self.missing or self.cycles)


def check(
    graph: JobGraph,
    job: str,
    configured: Iterable[str],
    cutoff: str,
    configured_edges: Edges | None = None,
    known_jobs: Iterable[str] | None = None,
) -> CheckResult:
    """Compare ``job``'s configured dependencies with what lineage says.

    - missing: fresh dependencies neither configured nor implied through a configured one (by a
      chain of lineage or configured dependencies that does not pass through ``job``);
    - redundant: configured jobs that write nothing ``job`` reads (a stale writer is reported as
      stale instead; a job Tagline has never seen is reported as unknown);
    - stale: writers of ``job``'s inputs not seen since the cutoff, configured or not;
    - cycles: one per configured or fresh dependency that ``job`` is itself upstream of, following
      lineage and every configured list in ``configured_edges`` (``job``'s own included).
    """
    configured = set(configured)
    found = graph.dependencies(job, cutoff)
    fresh = {d.job for d in found if not d.stale}
    stale = {d.job for d in found if d.stale}
    edges = merge_edges(graph.upstream_edges(cutoff), configured_edges or {}, {job: configured})
    around = without(edges, job)
    missing = {b for b in fresh - configured if not any(reaches(around, c, b) for c in configured)}
    known = set(known_jobs) if known_jobs is not None else configured
    unknown = configured - known
    redundant = configured - fresh - stale - unknown - {job}
    cycles = []
    for dependency in sorted(fresh | configured):
        chain = path(edges, dependency, job)
        if chain is not None:
            cycles.append((job, *chain[:-1]))
    return CheckResult(
        missing=tuple(sorted(missing)),
        redundant=tuple(sorted(redundant)),
        stale=tuple(sorted(stale)),
        cycles=tuple(cycles),
        unknown=tuple(sorted(unknown)),
    )
