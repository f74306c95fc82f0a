"""Batched reads: every function here costs one store round trip per chunk of ids, never one per id.

Look-ups go by the unique ``key`` property (indexed on both stores) and never by label + key,
which GremLite answers by scanning the label first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal, NamedTuple, TypeVar

from gremlin_python.process.graph_traversal import GraphTraversalSource, __
from gremlin_python.process.traversal import P

from tagline.graph.schema import KEY, is_expired
from tagline.graph.timefmt import iso, utcnow
from tagline.graph.records import EdgeRecord, Hop, VertexId, VertexRecord, edge_from_map, vertex_from_map

CHUNK = 500
Direction = Literal["in", "out"]
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


def hops(
    g: GraphTraversalSource, ids: Iterable[VertexId], direction: Direction, labels: Sequence[str]
) -> list[Hop]:
    """Edges with the given labels leaving (``out``) or entering (``in``) the vertices, with their
    far ends, in one round trip per chunk. Edges whose expiry has passed are not served: they wait
    for ``purge_expired`` to remove them."""
    wanted = list(dict.fromkeys(ids))
    now = iso(utcnow())
    result: list[Hop] = []
    for part in chunks(wanted):
        start = g.V(list(part))
        if direction == "out":
            step = start.out_e(*labels).project("e", "v").by(__.element_map()).by(__.in_v().element_map())
        else:
            step = start.in_e(*labels).project("e", "v").by(__.element_map()).by(__.out_v().element_map())
        for row in step.to_list():
            edge = edge_from_map(row["e"])
            if not is_expired(edge.props, now):
                result.append(Hop(edge=edge, neighbour=vertex_from_map(row["v"])))
    return result


def edges_by_keys(g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, EdgeRecord]:
    wanted = sorted(set(keys))
    found: dict[str, EdgeRecord] = {}
    for part in chunks(wanted):
        for element_map in g.E().has(KEY, P.within(list(part))).element_map().to_list():
            record = edge_from_map(element_map)
            found[str(record.props[KEY])] = record
    return found


def vertices_with_label(g: GraphTraversalSource, label: str) -> list[VertexRecord]:
    """Every vertex of a label: a scan, kept for small administrative sets such as dead letters."""
    return [vertex_from_map(m) for m in g.V().has_label(label).element_map().to_list()]


def count_by_label(g: GraphTraversalSource, vertex_labels: Sequence[str], edge_labels: Sequence[str]) -> dict[str, int]:
    counts = {label: g.V().has_label(label).count().next() for label in vertex_labels}
    counts.update({label: g.E().has_label(label).count().next() for label in edge_labels})
    return counts


def edge_ends(
    g: GraphTraversalSource,
    ids: Iterable[VertexId],
    direction: Direction,
    label: str,
    prop: str,
    on: Literal["edge", "far"] = "edge",
) -> list[tuple[VertexId, VertexId, str]]:
    """``(vertex id, far end id, property or "")`` for every ``label`` edge leaving (``out``) or
    entering (``in``) the vertices; ``prop`` is read from the edge, or from the far end.

    Lighter than :func:`hops` (no element maps), for questions such as "when did anything last
    derive from these columns" asked of a whole warehouse.
    """
    wanted = list(dict.fromkeys(ids))
    result: list[tuple[VertexId, VertexId, str]] = []
    for part in chunks(wanted):
        start = g.V(list(part))
        edges = start.out_e(label) if direction == "out" else start.in_e(label)
        # Anonymous traversals grow in place, so each by() gets a fresh one.
        own = __.out_v if direction == "out" else __.in_v
        far = __.in_v if direction == "out" else __.out_v
        holder = far().values(prop) if on == "far" else __.values(prop)
        value = __.coalesce(holder, __.constant(""))
        rows = edges.project("v", "w", "t").by(own().id_()).by(far().id_()).by(value).to_list()
        result.extend((row["v"], row["w"], str(row["t"])) for row in rows)
    return result


class EdgeEnds(NamedTuple):
    id: object
    key: str
    source_id: VertexId
    source_key: str
    target_id: VertexId
    target_key: str


def expired_edges(g: GraphTraversalSource, label: str, now: str) -> list[EdgeEnds]:
    """The edges of ``label`` whose ``expires_at`` is at or before ``now`` (a scan of the label),
    with both ends, so the copies kept on the ends can be updated with them."""
    rows = (
        g.E().has_label(label).has("expires_at", P.lte(now))
        .project("id", "key", "s", "sk", "t", "tk")
        .by(__.id_()).by(__.values(KEY))
        .by(__.out_v().id_()).by(__.out_v().values(KEY))
        .by(__.in_v().id_()).by(__.in_v().values(KEY))
        .to_list()
    )
    return [EdgeEnds(r["id"], r["key"], r["s"], r["sk"], r["t"], r["tk"]) for r in rows]
