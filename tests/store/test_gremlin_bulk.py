"""The Gremlin Server's bulk creation traversals (graph/writers/gremlin_bulk.py), on every engine:
vertices come back with their own ids, in order, across chunk boundaries (a last chunk of one
included); edges join the ends asked for; an end that is missing fails the chunk, and the
transaction rolls back whole."""

from __future__ import annotations

import pytest

from tagline.graph.store import GraphStore
from tagline.graph.writers.gremlin_bulk import MissingEnd, NewEdge, NewVertex, create_edges, create_vertices

# Small chunks, so that a handful of elements crosses chunk boundaries (and GremLite, whose
# evaluator recurses once per step, takes them).
VERTEX_CHUNK = 3
EDGE_CHUNK = 4


def test_vertices_and_edges_land_many_to_a_request(store: GraphStore) -> None:
    wanted = [NewVertex("column", {"uid": f"c|t{n}", "field": f"f{n}"}) for n in range(7)]
    with store.connection.transaction() as g:
        ids = create_vertices(g, wanted, chunk=VERTEX_CHUNK)
        edges = [NewEdge(ids[n], "derives", ids[n + 1], {"uid": f"e|t{n}", "type": "DIRECT"}) for n in range(6)]
        create_edges(g, edges, chunk=EDGE_CHUNK)
    g = store.g
    assert len(set(ids)) == 7
    assert [g.V(i).values("uid").next() for i in ids] == [f"c|t{n}" for n in range(7)]
    assert [g.V(i).values("vlabel").next() for i in ids] == ["column"] * 7
    for n in range(6):
        found = g.V(ids[n]).out_e("derives").element_map().to_list()
        assert [(m["uid"], m["type"], m["elabel"]) for m in found] == [(f"e|t{n}", "DIRECT", "derives")]
        assert g.V(ids[n]).out("derives").id_().to_list() == [ids[n + 1]]


def test_a_missing_end_fails_the_chunk_and_the_transaction_rolls_back(store: GraphStore) -> None:
    with store.connection.transaction() as g:
        ids = create_vertices(g, [NewVertex("column", {"uid": f"c|m{n}"}) for n in range(2)])
    gone = max(ids) + 1_000_003  # no vertex has this id (and it stays a 32-bit int, as the real ids here are)
    with pytest.raises(MissingEnd), store.connection.transaction() as g:
        create_edges(g, [NewEdge(ids[0], "derives", ids[1], {"uid": "e|m0"}), NewEdge(ids[0], "derives", gone, {})])
    assert store.g.V(ids[0]).out_e("derives").to_list() == []
