"""Each column vertex keeps a compact copy of its `derives` edges: ``lineage_in`` (the edges into
it, with their transformation) and ``lineage_out`` (the columns it feeds).

Why: on the embedded store reading an edge with its properties costs ~0.5 ms, reading one vertex's
properties ~0.1 ms. Tag propagation needs every edge of the region it recomputes, and a full pass
needs all of them; with the copy on the column, one property read per column gives both
directions. The writer keeps the copy in step with the edges, in the same transaction.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, NamedTuple

from gremlin_python.process.graph_traversal import GraphTraversalSource, __

from tagline.graph.reader import EdgeEnds, chunks
from tagline.graph.records import VertexId

LINEAGE_IN = "lineage_in"
LINEAGE_OUT = "lineage_out"
# Set, in the same transaction, on every column whose incoming lineage changed; cleared when tag
# propagation has taken the change into account. A crash between the two leaves the mark, and the
# next propagation picks the column up: tags never silently lag behind lineage.
TAGS_PENDING = "tags_pending"


class InEdge(NamedTuple):
    """A `derives` edge seen from its target: its key, the source column's key, its transformation."""

    edge: str
    source: str
    type: str
    subtype: str
    masking: bool


def in_edges(props: dict[str, Any]) -> list[InEdge]:
    return [InEdge(*row) for row in json.loads(props.get(LINEAGE_IN) or "[]")]


def out_columns(props: dict[str, Any]) -> list[str]:
    return list(json.loads(props.get(LINEAGE_OUT) or "[]"))


def record_new_edges(
    g: GraphTraversalSource, ids: dict[str, VertexId], edges: Iterable[tuple[str, str, str, dict[str, Any]]]
) -> None:
    """Add new `derives` edges, given as (edge key, source key, target key, edge props), to the
    copies on both ends."""
    incoming: dict[str, list[InEdge]] = defaultdict(list)
    outgoing: dict[str, list[str]] = defaultdict(list)
    for key, source, target, props in edges:
        incoming[target].append(InEdge(key, source, props["type"], props["subtype"], bool(props["masking"])))
        outgoing[source].append(target)
    if not incoming:
        return
    current = _current(g, [ids[k] for k in {*incoming, *outgoing}])
    for key in {*incoming, *outgoing}:
        props = current.get(ids[key], {})
        step = g.V(ids[key])
        if key in incoming:
            known = {e.edge: e for e in in_edges(props)}
            known.update({e.edge: e for e in incoming[key]})
            step = step.property(LINEAGE_IN, json.dumps(sorted(known.values()))).property(TAGS_PENDING, True)
        if key in outgoing:
            targets = sorted({*out_columns(props), *outgoing[key]})
            step = step.property(LINEAGE_OUT, json.dumps(targets))
        step.iterate()


def record_removed_edges(g: GraphTraversalSource, removed: Iterable[EdgeEnds]) -> None:
    """Take removed `derives` edges out of the copies on both ends. A source keeps a target in
    ``lineage_out`` while another edge between the two remains."""
    gone = list(removed)
    if not gone:
        return
    ids = {e.source_key: e.source_id for e in gone} | {e.target_key: e.target_id for e in gone}
    current = _current(g, list(ids.values()))
    by_target: dict[str, set[str]] = defaultdict(set)
    for e in gone:
        by_target[e.target_key].add(e.key)
    remaining: dict[str, list[InEdge]] = {}
    for target, keys in by_target.items():
        remaining[target] = [e for e in in_edges(current.get(ids[target], {})) if e.edge not in keys]
        g.V(ids[target]).property(LINEAGE_IN, json.dumps(remaining[target])).property(TAGS_PENDING, True).iterate()
    dropped: dict[str, set[str]] = defaultdict(set)
    for e in gone:
        if not any(r.source == e.source_key for r in remaining[e.target_key]):
            dropped[e.source_key].add(e.target_key)
    for source, targets in dropped.items():
        kept = [t for t in out_columns(current.get(ids[source], {})) if t not in targets]
        g.V(ids[source]).property(LINEAGE_OUT, json.dumps(kept)).iterate()


def _current(g: GraphTraversalSource, ids: list[VertexId]) -> dict[VertexId, dict[str, Any]]:
    found: dict[VertexId, dict[str, Any]] = {}
    for part in chunks(ids):
        step = g.V(list(part)).project("id", "in", "out").by(__.id_())
        for row in step.by(__.values(LINEAGE_IN).fold()).by(__.values(LINEAGE_OUT).fold()).to_list():
            found[row["id"]] = {LINEAGE_IN: next(iter(row["in"]), None), LINEAGE_OUT: next(iter(row["out"]), None)}
    return found

