"""An in-memory column graph for propagation tests, and a reference fixed point to check it by."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tagline.governance.policy import Inflow, MaskedClassifications, Policy
from tagline.governance.propagation import DECLARED, ColumnState, Derivation, Effective, Item, propagate


class MemoryGraph:
    """Columns as :class:`ColumnState`s; every change goes through incremental propagation."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.states: dict[str, ColumnState] = {}

    def load(self, keys: Iterable[str]) -> dict[str, ColumnState]:
        return {k: replace(self.states[k]) for k in keys if k in self.states}

    def column(self, key: str) -> ColumnState:
        return self.states.setdefault(key, ColumnState(key=key))

    def apply(self, seeds: Iterable[str]) -> None:
        for key, change in propagate(self, seeds, self.policy).items():
            self.states[key] = replace(self.states[key], effective=change.after)

    def add_edges(self, edges: Iterable[Inflow], target_of: dict[str, str]) -> None:
        seeds = set()
        for inflow in edges:
            target = self.column(target_of[inflow.edge])
            source = self.column(inflow.source)
            if inflow.edge in {f.edge for f in target.inputs}:
                continue
            target.inputs = (*target.inputs, inflow)
            source.outputs = tuple(sorted({*source.outputs, target.key}))
            seeds.add(target.key)
        self.apply(seeds)

    def remove_edges(self, edges: Iterable[str]) -> None:
        """Edges the data no longer takes (a job's redefinition closed them): their targets are
        propagated again, as the store marks them."""
        gone = set(edges)
        seeds = set()
        for state in self.states.values():
            kept = tuple(f for f in state.inputs if f.edge not in gone)
            if kept != state.inputs:
                state.inputs = kept
                seeds.add(state.key)
        for state in self.states.values():
            state.outputs = tuple(
                sorted(k for k, s in self.states.items() if any(f.source == state.key for f in s.inputs))
            )
        self.apply(seeds)

    def declare(self, key: str, tag: str, present: bool = True) -> None:
        column = self.column(key)
        column.declared = column.declared | {tag} if present else column.declared - {tag}
        self.apply([key])

    def block_column(self, key: str, tag: str, present: bool = True) -> None:
        column = self.column(key)
        column.column_blocks = column.column_blocks | {tag} if present else column.column_blocks - {tag}
        self.apply([key])

    def block_edge(self, target: str, edge: str, tag: str, present: bool = True) -> None:
        column = self.column(target)
        blocks = column.edge_blocks.get(edge, frozenset())
        column.edge_blocks = {**column.edge_blocks, edge: blocks | {tag} if present else blocks - {tag}}
        self.apply([target])

    def effective(self) -> dict[str, Effective]:
        return {k: dict(s.effective) for k, s in self.states.items()}


def reference(states: dict[str, ColumnState], policy: Policy) -> dict[str, Effective]:
    """The specification, computed the slow way: relax every edge until nothing changes."""
    result: dict[str, Effective] = {k: {Item(t, False, k): DECLARED for t in s.declared} for k, s in states.items()}
    changed = True
    while changed:
        changed = False
        for key, state in states.items():
            for inflow in state.inputs:
                for item, d in list(result[inflow.source].items()):
                    carried = crossed(policy, state, inflow, item)
                    if carried is None:
                        continue
                    candidate = Derivation(d.dist + 1, inflow.edge, item.tag, item.masked)
                    current = result[key].get(carried)
                    if current is None or candidate < current:
                        result[key][carried] = candidate
                        changed = True
    return result


def crossed(policy: Policy, target: ColumnState, inflow: Inflow, item: Item) -> Item | None:
    """What ``item`` becomes on ``target`` after crossing ``inflow``, as the README's rules state it,
    written apart from the code under test so that the reference does not share its mistakes."""

    def blocked(tag: str, blocks: Iterable[str]) -> bool:  # a block on `pii` stops `pii.email` too
        return any(tag == b or tag.startswith(f"{b}.") for b in blocks)

    if item.source == target.key or blocked(item.tag, target.edge_blocks.get(inflow.edge, ())):
        return None
    if inflow.type == "INDIRECT" and inflow.subtype not in policy.indirect_carries:
        return None
    aggregated = inflow.type == "DIRECT" and inflow.subtype == "AGGREGATION" and not inflow.masking
    if aggregated and not policy.aggregation_carries:
        return None
    tag, masked = item.tag, item.masked
    if inflow.masking:
        if tag in policy.levels:
            masked_rank = list(policy.levels).index(policy.masked_level)
            tag = policy.levels[min(list(policy.levels).index(tag), masked_rank)]
        elif policy.masked_classifications == MaskedClassifications.DROP:
            return None
        masked = True
    return None if blocked(tag, target.column_blocks) else Item(tag, masked, item.source)
