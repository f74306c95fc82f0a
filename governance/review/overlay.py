"""The lineage index with a change laid over it, in memory: column states as propagation reads
them (:class:`~tagline.governance.propagation.StateView`), with the change's removed edges taken
out and its added edges put in. Nothing is written; a column the store does not hold yet (a new
output) starts empty."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from tagline.governance.propagation import ColumnState
from tagline.governance.review.proposal import LineageEdge
from tagline.governance.state import column_states
from tagline.graph.store import GraphStore


class Overlay:
    def __init__(
        self,
        store: GraphStore,
        removed: Iterable[LineageEdge] = (),
        added: Iterable[LineageEdge] = (),
        declared: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.store = store
        self.removed = {e.key for e in removed}
        self.cut_out: dict[str, set[str]] = {}
        for edge in removed:
            self.cut_out.setdefault(edge.source, set()).add(edge.target)
        self.added_in: dict[str, list[LineageEdge]] = {}
        self.added_out: dict[str, set[str]] = {}
        for edge in added:
            self.added_in.setdefault(edge.target, []).append(edge)
            self.added_out.setdefault(edge.source, set()).add(edge.target)
        self.declared = declared or {}
        # Columns the change names, which exist after it even if the store has none of them yet.
        self.named = set(self.added_in) | set(self.added_out) | set(self.declared)
        self.states: dict[str, ColumnState] = {}

    def load(self, keys: Iterable[str]) -> dict[str, ColumnState]:
        wanted = set(keys)
        missing = wanted - self.states.keys()
        if missing:
            stored = column_states(self.store, missing)
            for key in missing:
                state = stored.get(key)
                if state is None and key not in self.named:
                    continue
                self.states[key] = self._laid_over(state or ColumnState(key=key))
            self._drop_cut_outputs(missing)
        return {k: self.states[k] for k in wanted if k in self.states}

    def _laid_over(self, state: ColumnState) -> ColumnState:
        key = state.key
        inputs = tuple(f for f in state.inputs if f.edge not in self.removed)
        known = {f.edge for f in inputs}
        inputs += tuple(e.inflow for e in self.added_in.get(key, ()) if e.key not in known)
        outputs = tuple(sorted(set(state.outputs) | self.added_out.get(key, set())))
        declared = state.declared | self.declared.get(key, frozenset())
        return replace(state, inputs=inputs, outputs=outputs, declared=declared)

    def _drop_cut_outputs(self, keys: set[str]) -> None:
        """A removed edge's target stays among its source's outputs only if another edge between
        them is left (another job's, or another kind)."""
        for key in keys & self.cut_out.keys():
            if key not in self.states:
                continue
            targets = self.load(self.cut_out[key])
            gone = {t for t, state in targets.items() if not state.inflows_from(key)}
            state = self.states[key]
            self.states[key] = replace(state, outputs=tuple(o for o in state.outputs if o not in gone))
