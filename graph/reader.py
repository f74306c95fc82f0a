"""Batched reads of the store itself: every function here costs one store round trip per chunk of
ids, never one per id. Lineage questions are answered by the lineage index; these serve the
writers (which must see the store inside their transaction), the index's rebuild, and the
records that are not lineage (dead letter, event log).

Look-ups go by the unique ``key`` property (indexed on both stores) and never by label + key,
which GremLite answers by scanning the label first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from gremlin_python.process.graph_traversal import GraphTraversal, GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.graph.records import EdgeRecord, VertexId, VertexRecord, edge_from_map, vertex_from_map
from tagline.graph.schema import EDGE_LABEL_COPY, KEY, VERTEX_LABEL_COPY

CHUNK = 500
_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def find_by_keys(g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, VertexRecord]:
    wanted = sorted(set(keys))
    found: dict[str, VertexRecord] = {}
    for part in chunks(wanted):
        for element_map in g.V().has(KEY, P.within(list(part))).element_map().to_list():
            record = vertex_from_map(element_map)
            found[record.key] = record
    return found


def vertices_by_ids(g: GraphTraversalSource, ids: Iterable[VertexId]) -> dict[VertexId, VertexRecord]:
    # g.V() with an empty list means *every* vertex, so an empty request must not reach the store.
    wanted = list(dict.fromkeys(ids))
    found: dict[VertexId, VertexRecord] = {}
    for part in chunks(wanted):
        for element_map in g.V(list(part)).element_map().to_list():
            record = vertex_from_map(element_map)
            found[record.id] = record
    return found


def edges_by_keys(g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, EdgeRecord]:
    wanted = sorted(set(keys))
    found: dict[str, EdgeRecord] = {}
    for part in chunks(wanted):
        for element_map in g.E().has(KEY, P.within(list(part))).element_map().to_list():
            record = edge_from_map(element_map)
            found[str(record.props[KEY])] = record
    return found


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
