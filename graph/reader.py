"""Batched reads of the store itself: every function here costs one store round trip per chunk of
ids, never one per id. Lineage questions are answered by the lineage index; these serve the
writers (which must see the store inside their transaction: on a Gremlin Server, what is committed
plus what the write being prepared has made, see graph/sessionless.py), the index's rebuild, and
the records that are not lineage (dead letter, event log).

Look-ups go by the unique ``key`` property (indexed on both stores) and never by label + key,
which GremLite answers by scanning the label first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

from gremlin_python.process.graph_traversal import GraphTraversal, GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.graph.records import EdgeRecord, VertexId, VertexRecord, edge_from_map, vertex_from_map
from tagline.graph.schema import EDGE_LABEL_COPY, KEY, VERTEX_LABEL_COPY
from tagline.graph.sessionless import plan_of

CHUNK = 500
_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def find_by_keys(g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, VertexRecord]:
    wanted = sorted(set(keys))
    plan = plan_of(g)
    # What the write being prepared has made (a Gremlin Server write: graph/sessionless.py).
    found: dict[str, VertexRecord] = {} if plan is None else {k: plan.vertices[k] for k in wanted if k in plan.vertices}
    wanted = [k for k in wanted if k not in found]
    for part in chunks(wanted):
        for element_map in g.V().has(KEY, P.within(list(part))).element_map().to_list():
            record = vertex_from_map(element_map)
            found[record.key] = record
    return found if plan is None else {k: replace(r, props=plan.seen(r.id, r.props)) for k, r in found.items()}


def vertices_by_ids(g: GraphTraversalSource, ids: Iterable[VertexId]) -> dict[VertexId, VertexRecord]:
    # g.V() with an empty list means *every* vertex, so an empty request must not reach the store.
    wanted = list(dict.fromkeys(ids))
    plan = plan_of(g)
    made = {} if plan is None else {r.id: r for r in plan.vertices.values()}
    found: dict[VertexId, VertexRecord] = {i: made[i] for i in wanted if i in made}
    wanted = [i for i in wanted if i not in found]
    for part in chunks(wanted):
        for element_map in g.V(list(part)).element_map().to_list():
            record = vertex_from_map(element_map)
            found[record.id] = record
    return found if plan is None else {i: replace(r, props=plan.seen(r.id, r.props)) for i, r in found.items()}


def edges_by_keys(g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, EdgeRecord]:
    wanted = sorted(set(keys))
    plan = plan_of(g)
    found: dict[str, EdgeRecord] = {} if plan is None else {k: plan.edges[k] for k in wanted if k in plan.edges}
    wanted = [k for k in wanted if k not in found]
    for part in chunks(wanted):
        for element_map in g.E().has(KEY, P.within(list(part))).element_map().to_list():
            record = edge_from_map(element_map)
            found[str(record.props[KEY])] = record
    return found if plan is None else {k: replace(r, props=plan.seen(r.id, r.props)) for k, r in found.items()}


def labelled(g: GraphTraversalSource, label: str, indexed: bool) -> GraphTraversal:
    """The vertices of ``label``: through the indexed copy of the label on a Gremlin Server
    (``indexed``), by label on the embedded store (see ``schema.VERTEX_LABEL_COPY``)."""
    return g.V().has(VERTEX_LABEL_COPY, label) if indexed else g.V().has_label(label)


def labelled_edges(g: GraphTraversalSource, label: str, indexed: bool) -> GraphTraversal:
    """The edges of ``label``, as :func:`labelled` finds vertices."""
    return g.E().has(EDGE_LABEL_COPY, label) if indexed else g.E().has_label(label)


def vertices_with_label(g: GraphTraversalSource, label: str, indexed: bool) -> list[VertexRecord]:
    """Every vertex of a label, for small administrative sets such as dead letters."""
    return [vertex_from_map(m) for m in labelled(g, label, indexed).element_map().to_list()]
