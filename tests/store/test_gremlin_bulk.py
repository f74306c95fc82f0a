"""New elements on a Gremlin Server (graph/writers/gremlin_bulk.py, graph/sessionless.py): a write
is one request; its new vertices stand as markers until it is sent and come back with their own
ids, in order; edges join the ends asked for, by id or by marker; an end that is missing refuses the
write, and nothing of it lands."""

from __future__ import annotations

import pytest

from tagline.graph.sessionless import MissingEnd
from tagline.graph.store import GraphStore
from tagline.graph.writers.gremlin_bulk import NewEdge, NewVertex, create_edges, create_vertices

pytestmark = pytest.mark.engine


@pytest.fixture(params=["janusgraph", "janusgraph-cql"])
def remote_store(request: pytest.FixtureRequest) -> GraphStore:
    from tests import janusgraph_server

    url = str(request.getfixturevalue("janusgraph_url" if request.param == "janusgraph" else "janusgraph_cql_url"))
    janusgraph_server.clear(url)
    return GraphStore(url)


def test_vertices_and_edges_land_in_one_request(remote_store: GraphStore) -> None:
    store = remote_store
    wanted = [NewVertex("column", {"uid": f"c|t{n}", "field": f"f{n}"}) for n in range(7)]
    with store.connection.transaction() as g:
        markers = create_vertices(g, wanted)
        edges = [NewEdge(markers[n], "derives", markers[n + 1], {"uid": f"e|t{n}", "type": "DIRECT"}) for n in range(6)]
        create_edges(g, edges)
        assert store.g.V().has("uid", "c|t0").to_list() == [], "nothing is sent before the write ends"
    ids = list(store.connection.settled({f"c|t{n}": m for n, m in enumerate(markers)}).values())
    g = store.g
    assert len(set(ids)) == 7 and all(i > 0 for i in ids)
    assert [g.V(i).values("uid").next() for i in ids] == [f"c|t{n}" for n in range(7)]
    assert [g.V(i).values("vlabel").next() for i in ids] == ["column"] * 7
    for n in range(6):
        found = g.V(ids[n]).out_e("derives").element_map().to_list()
        assert [(m["uid"], m["type"], m["elabel"]) for m in found] == [(f"e|t{n}", "DIRECT", "derives")]
        assert g.V(ids[n]).out("derives").id_().to_list() == [ids[n + 1]]
    store.close()


def test_a_missing_end_refuses_the_write_and_nothing_lands(remote_store: GraphStore) -> None:
    store = remote_store
    with store.connection.transaction() as g:
        markers = create_vertices(g, [NewVertex("column", {"uid": f"c|m{n}"}) for n in range(2)])
    ids = list(store.connection.settled({"a": markers[0], "b": markers[1]}).values())
    gone = max(ids) + 1_000_003  # no vertex has this id (and it stays a 32-bit int, as the real ids here are)
    with pytest.raises(MissingEnd), store.connection.transaction() as g:
        [fresh] = create_vertices(g, [NewVertex("column", {"uid": "c|m2"})])
        create_edges(g, [NewEdge(ids[0], "derives", fresh, {"uid": "e|m0"}), NewEdge(ids[0], "derives", gone, {})])
    assert store.g.V(ids[0]).out_e("derives").to_list() == []
    assert store.g.V().has("uid", "c|m2").to_list() == []
    store.close()
