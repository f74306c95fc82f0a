"""What a proposed change does, compared with the graph as it stands: a pure comparison of two
edge sets over the lineage index (read through the store, never written).

- edges added and removed;
- tags gained and lost by every column whose effective tags change, downstream included, each
  with the path that brings the tag (after) or used to (before) — propagation over the overlay;
- broken columns: downstream of the change, every source of their value would be gone;
- the columns, datasets and jobs downstream of the changed columns;
- scheduling dependencies (of the changed jobs and of the jobs reading what they write) gained
  and lost, by the rules of governance/dependencies.py;
- sensitivity violations created and cleared, by the rules of governance/violations.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tagline.governance.dependencies import JobGraph
from tagline.governance.policy import Policy
from tagline.governance.propagation import Change, ColumnState, propagate
from tagline.governance.provenance import tag_paths
from tagline.governance.review.overlay import Overlay
from tagline.governance.review.proposal import LineageEdge, Proposal, dataset_of
from tagline.governance.state import column_states
from tagline.governance.tags import tag_views
from tagline.governance.violations import Violation, find_violations
from tagline.graph import schema
from tagline.graph.model import LineageType, key_parts
from tagline.graph.records import InEdge
from tagline.graph.store import GraphStore

# Stale writers are reported by `deps`, not here: a change review compares who writes what.
NO_CUTOFF = ""


@dataclass(frozen=True, order=True)
class TagChange:
    """``column`` gains (or loses) ``tag``; ``path`` is the columns the tag comes by, source first."""

    column: str
    tag: str
    path: tuple[str, ...]


@dataclass(frozen=True, order=True)
class DependencyChange:
    """``job`` must (or no longer must) wait for ``upstream``, because it writes ``datasets`` ``job`` reads."""

    job: str
    upstream: str
    datasets: tuple[str, ...]


@dataclass
class Review:
    added: list[LineageEdge] = field(default_factory=list)
    removed: list[LineageEdge] = field(default_factory=list)
    gained: list[TagChange] = field(default_factory=list)
    lost: list[TagChange] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    downstream_columns: list[str] = field(default_factory=list)
    downstream_datasets: list[str] = field(default_factory=list)
    downstream_jobs: list[str] = field(default_factory=list)
    dependencies_added: list[DependencyChange] = field(default_factory=list)
    dependencies_removed: list[DependencyChange] = field(default_factory=list)
    violations_created: list[Violation] = field(default_factory=list)
    violations_cleared: list[Violation] = field(default_factory=list)


def review(store: GraphStore, proposal: Proposal, policy: Policy) -> Review:
    before, after = proposal.edges("before"), proposal.edges("after")
    added = sorted(after[k] for k in after.keys() - before.keys())
    removed = sorted(before[k] for k in before.keys() - after.keys())
    result = Review(added=added, removed=removed)
    overlay = Overlay(store, removed, added, proposal.declared)
    changed_columns = {e.target for e in (*added, *removed)}
    seeds = changed_columns | set(proposal.declared)
    changes = propagate(overlay, seeds, policy)
    result.gained, result.lost = _tag_changes(store, overlay, changes)
    result.broken = _broken(store, overlay, {e.target for e in removed})
    result.downstream_columns = _downstream(overlay, changed_columns)
    result.downstream_datasets = sorted({dataset_of(c) for c in result.downstream_columns})
    read = _readers(store, {dataset_of(c) for c in changed_columns} | set(result.downstream_datasets))
    result.downstream_jobs = [j for j in read if j not in proposal.jobs]
    result.dependencies_added, result.dependencies_removed = _dependency_changes(store, proposal)
    touched = changed_columns | set(changes) | set(result.broken)
    result.violations_created, result.violations_cleared = _violation_changes(
        store, overlay, changes, proposal, touched, policy
    )
    return result


# ---- tags ------------------------------------------------------------------------------------
def _tag_changes(
    store: GraphStore, overlay: Overlay, changes: dict[str, Change]
) -> tuple[list[TagChange], list[TagChange]]:
    gained: list[tuple[str, str]] = []
    lost: list[tuple[str, str]] = []
    for key, change in sorted(changes.items()):
        old, new = tag_views(change.before), tag_views(change.after)
        gained.extend((key, t) for t in sorted(new.keys() - old.keys()))
        lost.extend((key, t) for t in sorted(old.keys() - new.keys()))

    def read_after(keys: Iterable[str]) -> dict[str, ColumnState]:
        states = overlay.load(keys)
        return {k: replace(s, effective=changes[k].after) if k in changes else s for k, s in states.items()}

    def read_before(keys: Iterable[str]) -> dict[str, ColumnState]:
        return column_states(store, keys)

    return _with_paths(read_after, gained), _with_paths(read_before, lost)


def _with_paths(
    read: Callable[[Iterable[str]], dict[str, ColumnState]], asked: list[tuple[str, str]]
) -> list[TagChange]:
    if not asked:
        return []
    found = []
    for (column, tag), paths in zip(asked, tag_paths(read, asked), strict=True):
        shortest = min(paths, key=lambda p: (len(p.edges), p.source), default=None)
        found.append(TagChange(column, tag, shortest.columns if shortest else (column,)))
    return found


# ---- broken and downstream -------------------------------------------------------------------
def _broken(store: GraphStore, overlay: Overlay, cut: set[str]) -> list[str]:
    """Columns downstream of the change whose value would come from nowhere: starting from the
    columns the change leaves with no DIRECT input (they had some), a column is gone when every
    DIRECT edge into it comes from a gone column (join, filter and group-by keys carry no value).
    The change's own targets show as its removed edges; what it starves further down is broken."""
    stored = column_states(store, cut)
    gone = {k for k, s in overlay.load(cut).items() if not _values(s) and k in stored and _values(stored[k])}
    frontier = set(gone)
    while frontier:
        readers = {o for s in overlay.load(frontier).values() for o in s.outputs} - gone
        fresh = {
            k for k, s in overlay.load(readers).items() if _values(s) and all(f.source in gone for f in _values(s))
        }
        gone |= fresh
        frontier = fresh
    return sorted(gone - cut)


def _values(state: ColumnState) -> list[InEdge]:
    """The edges that bring a column its value."""
    return [f for f in state.inputs if f.type == LineageType.DIRECT.value]


def _downstream(overlay: Overlay, start: set[str]) -> list[str]:
    seen = set(start)
    frontier = set(start)
    while frontier:
        fresh = {o for s in overlay.load(frontier).values() for o in s.outputs} - seen
        seen |= fresh
        frontier = fresh
    return sorted(seen - start)


def _readers(store: GraphStore, datasets: set[str]) -> list[str]:
    return sorted({j for ends in _accessors(store, datasets, schema.READS).values() for j in ends})


def _accessors(store: GraphStore, datasets: Iterable[str], label: str) -> dict[str, set[str]]:
    """Per dataset, the jobs that currently read (or write) it."""
    records = store.find(datasets)
    by_id = {r.id: k for k, r in records.items()}
    found: dict[str, set[str]] = {k: set() for k in datasets}
    for hop in store.hops(list(by_id), "in", [label]):
        found[by_id[hop.edge.in_id]].add(hop.neighbour.key)
    return found


# ---- dependencies ----------------------------------------------------------------------------
def _dependency_changes(store: GraphStore, proposal: Proposal) -> tuple[list[DependencyChange], list[DependencyChange]]:
    jobs = set(proposal.jobs)
    sides = {"before": proposal.before, "after": proposal.after}
    touched = {d for lineage in sides.values() for j in lineage.values() for d in j.reads | j.writes}
    writers = _accessors(store, touched, schema.WRITES)
    readers = _accessors(store, touched, schema.READS)
    pairs: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {}
    for side, lineage in sides.items():
        graph = JobGraph()
        for dataset in touched:
            held = {w for w in writers[dataset] if w not in jobs}
            held |= {j for j, line in lineage.items() if dataset in line.writes}
            graph.writes[dataset] = dict.fromkeys(held)
            for reader in readers[dataset] - jobs:
                graph.reads.setdefault(reader, set()).add(dataset)
        for job, line in lineage.items():
            graph.reads.setdefault(job, set()).update(line.reads)
        pairs[side] = {
            (job, d.job): d.datasets
            for job in graph.reads
            for d in graph.dependencies(job, NO_CUTOFF)
            if job in jobs or d.job in jobs
        }
    before, after = pairs["before"], pairs["after"]
    return (
        sorted(DependencyChange(j, u, after[(j, u)]) for j, u in after.keys() - before.keys()),
        sorted(DependencyChange(j, u, before[(j, u)]) for j, u in before.keys() - after.keys()),
    )


# ---- violations ------------------------------------------------------------------------------
def _violation_changes(
    store: GraphStore,
    overlay: Overlay,
    changes: dict[str, Change],
    proposal: Proposal,
    touched: set[str],
    policy: Policy,
) -> tuple[list[Violation], list[Violation]]:
    """Violations of the columns of every dataset the change touches, before and after (a sink is
    judged by all its columns, so all are read)."""
    datasets = {dataset_of(c) for c in touched}
    columns = set(touched)
    records = store.find(datasets)
    for hop in store.hops([r.id for r in records.values()], "out", [schema.HAS_COLUMN]):
        columns.add(hop.neighbour.key)
    before_states = column_states(store, columns)
    after_states = {
        k: replace(s, effective=changes[k].after) if k in changes else s for k, s in overlay.load(columns).items()
    }
    read_before = store.datasets_with_readers()
    read_after = set(read_before)
    for job, line in proposal.after.items():
        read_after |= line.reads
        dropped = proposal.before.get(job, line).reads - line.reads
        others = _accessors(store, dropped, schema.READS)
        read_after -= {d for d in dropped if not others[d] - {job}}
    found = {
        side: {
            (v.kind, v.column, v.tags): v
            for v in find_violations(policy, {k: (_props_of(k), s) for k, s in states.items()}, read)
        }
        for side, states, read in (("before", before_states, read_before), ("after", after_states, read_after))
    }
    created = [found["after"][k] for k in sorted(found["after"].keys() - found["before"].keys())]
    cleared = [found["before"][k] for k in sorted(found["before"].keys() - found["after"].keys())]
    return created, cleared


def _props_of(column: str) -> dict[str, Any]:
    _, namespace, dataset, field_name = key_parts(column)
    return {schema.KEY: column, "namespace": namespace, "dataset": dataset, "field": field_name}
