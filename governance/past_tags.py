"""A column's effective tags as they were at a past moment, recomputed from the lineage index.

Stored effective tags describe the present. For a past moment the column's upstream closure is
walked over the `derives` edges the data took then (their lifetimes), and propagation runs afresh
over that closure. Declarations and blocks are read as they are now: the audit log records changes
of effective tags, not a replayable history of declarations, so a tag declared or removed since
the moment counts as if it had always been (or never been) declared.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from tagline.governance.policy import Policy
from tagline.governance.propagation import ColumnState, propagate
from tagline.graph import schema
from tagline.graph.records import InEdge
from tagline.graph.store import GraphStore
from tagline.graph.tag_encoding import read_declarations

MAX_HOPS = 10_000  # upstream depth walked; propagation itself has no depth limit


class PastStates:
    """Column states with lineage as it was at a moment, declarations as they are now; what
    propagation and provenance read in place of the stored states."""

    def __init__(self, states: dict[str, ColumnState]) -> None:
        self.states = states

    def load(self, keys: Iterable[str]) -> dict[str, ColumnState]:
        return {k: self.states[k] for k in keys if k in self.states}


def states_as_of(store: GraphStore, key: str, as_of: datetime, policy: Policy) -> PastStates:
    """The states of ``key`` and every column upstream of it at ``as_of``, with the effective
    tags propagation gives over those edges (nothing outside the closure can reach ``key``)."""
    start = store.find([key]).get(key)
    if start is None or start.label != schema.COLUMN:
        return PastStates({})
    expansion = store.lineage([start.id], "in", MAX_HOPS, as_of=as_of)
    vertices = {**expansion.vertices, start.id: start}
    keys = {v: r.key for v, r in vertices.items() if r.label == schema.COLUMN}
    inputs: dict[str, list[InEdge]] = {k: [] for k in keys.values()}
    outputs: dict[str, set[str]] = {k: set() for k in keys.values()}
    for edge in expansion.edges.values():
        if edge.label != schema.DERIVES or edge.out_id not in keys or edge.in_id not in keys:
            continue
        source, target = keys[edge.out_id], keys[edge.in_id]
        p = edge.props
        inputs[target].append(
            InEdge(
                edge=schema.edge_key(schema.DERIVES, source, target, p),
                source=source,
                type=str(p.get("type", "")),
                subtype=str(p.get("subtype", "")),
                masking=bool(p.get("masking", False)),
            )
        )
        outputs[source].add(target)
    states = {}
    for vertex, column in keys.items():
        declarations = read_declarations(vertices[vertex].props)
        states[column] = ColumnState(
            key=column,
            inputs=tuple(sorted(inputs[column])),
            outputs=tuple(sorted(outputs[column])),
            declared=declarations.declared,
            column_blocks=declarations.column_blocks,
            edge_blocks=dict(declarations.edge_blocks),
        )
    past = PastStates(states)
    for column, change in propagate(past, states, policy).items():
        states[column].effective = change.after
    return past
