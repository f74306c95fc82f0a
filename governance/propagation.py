"""Tag propagation along `derives` edges: exact, incremental, safe on cycles. No I/O here.

Semantics. A tag *item* is (tag, masked, source column). A column holds item (t, False, c) for
each tag t declared on c. An item at s crosses an edge s -> c as :func:`policy.carry` says,
unless the edge or c blocks the tag; an item never returns to its own source. The effective
items of every column are the least fixed point of these rules, so a cycle can never keep an item
alive on its own. For each item, a column also keeps a *derivation*: the length of the shortest
path the item came by and the last edge of that path (ties broken by the smallest edge key, then
the prior tag), so provenance is one pointer per hop and is itself a function of the graph.

Incremental runs (Ramalingam-Reps style): every item at a *seed* column (one whose declarations,
blocks or incoming edges changed) is invalidated, then every item downstream whose derivation
pointed at an invalidated item; the invalidated items are then re-derived from their still-valid
neighbours with a bucketed Dijkstra that also lets any improvement flow downstream. The result is
exactly what a full recomputation gives (a property test checks this), and only the affected part
of the graph is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from tagline.governance.policy import Inflow, Policy, carry, covers


class Item(NamedTuple):
    tag: str
    masked: bool
    source: str


class Derivation(NamedTuple):
    """How an item reached a column; ordered so that the smaller derivation is the preferred one."""

    dist: int
    edge: str  # "" where the item is declared
    prior_tag: str
    prior_masked: bool


DECLARED = Derivation(0, "", "", False)
Effective = dict[Item, Derivation]


@dataclass
class ColumnState:
    key: str
    inputs: tuple[Inflow, ...] = ()
    outputs: tuple[str, ...] = ()
    declared: frozenset[str] = frozenset()
    column_blocks: frozenset[str] = frozenset()
    edge_blocks: dict[str, frozenset[str]] = field(default_factory=dict)
    effective: Effective = field(default_factory=dict)

    def inflows_from(self, source: str) -> list[Inflow]:
        return [f for f in self.inputs if f.source == source]


class StateView(Protocol):
    """Where propagation reads column states; unknown keys are left out of the answer."""

    def load(self, keys: Iterable[str]) -> dict[str, ColumnState]: ...


def transfer(policy: Policy, target: ColumnState, inflow: Inflow, item: Item) -> Item | None:
    """The item ``target`` receives when ``item`` crosses ``inflow``, or None if it is stopped."""
    if item.source == target.key:
        return None
    if any(covers(b, item.tag) for b in target.edge_blocks.get(inflow.edge, ())):
        return None
    carried = carry(policy, inflow, item.tag, item.masked)
    if carried is None or any(covers(b, carried[0]) for b in target.column_blocks):
        return None
    return Item(carried[0], carried[1], item.source)


@dataclass
class Change:
    before: Effective
    after: Effective
    state: ColumnState


class _Run:
    def __init__(self, view: StateView, policy: Policy) -> None:
        self.view = view
        self.policy = policy
        self.states: dict[str, ColumnState] = {}
        self.work: dict[str, Effective] = {}
        self.buckets: dict[int, dict[tuple[str, Item], Derivation]] = {}
        self.touched: set[str] = set()

    def ensure(self, keys: Iterable[str]) -> None:
        missing = {k for k in keys if k not in self.states}
        for key, state in self.view.load(missing).items():
            self.states[key] = state
            self.work[key] = dict(state.effective)

    def invalidate(self, seeds: Iterable[str]) -> set[str]:
        self.ensure(seeds)
        frontier: dict[str, set[Item]] = {}
        for key in seeds:
            if key in self.states:
                frontier[key] = set(self.work[key])
                self.work[key] = {}
        invalid = set(frontier)
        while frontier:
            self.ensure(o for k in frontier for o in self.states[k].outputs)
            next_frontier: dict[str, set[Item]] = {}
            for key, items in frontier.items():
                for out in self.states[key].outputs:
                    target = self.states.get(out)
                    if target is None:
                        continue
                    edges = {f.edge for f in target.inflows_from(key)}
                    lost = [
                        item
                        for item, d in self.work[out].items()
                        if d.edge in edges and Item(d.prior_tag, d.prior_masked, item.source) in items
                    ]
                    for item in lost:
                        del self.work[out][item]
                    if lost:
                        next_frontier.setdefault(out, set()).update(lost)
                        invalid.add(out)
            frontier = next_frontier
        return invalid

    def offer(self, key: str, item: Item, derivation: Derivation) -> None:
        current = self.work[key].get(item)
        if current is not None and current <= derivation:
            return
        bucket = self.buckets.setdefault(derivation.dist, {})
        best = bucket.get((key, item))
        if best is None or derivation < best:
            bucket[(key, item)] = derivation

    def rederive(self, invalid: set[str]) -> None:
        self.ensure(f.source for k in invalid for f in self.states[k].inputs)
        for key in invalid:
            state = self.states[key]
            for tag in state.declared:
                self.offer(key, Item(tag, False, key), DECLARED)
            for inflow in state.inputs:
                for item, d in self.work.get(inflow.source, {}).items():
                    self._offer_across(state, inflow, item, d.dist)

    def _offer_across(self, target: ColumnState, inflow: Inflow, item: Item, dist: int) -> None:
        carried = transfer(self.policy, target, inflow, item)
        if carried is not None:
            self.offer(target.key, carried, Derivation(dist + 1, inflow.edge, item.tag, item.masked))

    def settle(self) -> None:
        while self.buckets:
            dist = min(self.buckets)
            settled: dict[str, list[Item]] = {}
            for (key, item), derivation in self.buckets.pop(dist).items():
                current = self.work[key].get(item)
                if current is None or derivation < current:
                    self.work[key][item] = derivation
                    settled.setdefault(key, []).append(item)
            self.touched.update(settled)
            self.ensure(o for k in settled for o in self.states[k].outputs)
            for key, items in settled.items():
                for out in self.states[key].outputs:
                    target = self.states.get(out)
                    if target is None:
                        continue
                    for inflow in target.inflows_from(key):
                        for item in items:
                            self._offer_across(target, inflow, item, dist)


def propagate(view: StateView, seeds: Iterable[str], policy: Policy) -> dict[str, Change]:
    """Recompute what ``seeds`` (columns whose own declarations, blocks or incoming edges changed)
    affect; returns the columns whose effective items changed."""
    run = _Run(view, policy)
    invalid = run.invalidate(set(seeds))
    run.rederive(invalid)
    run.settle()
    changes = {}
    for key in invalid | run.touched:
        state = run.states[key]
        if run.work[key] != state.effective:
            changes[key] = Change(before=state.effective, after=run.work[key], state=state)
    return changes
