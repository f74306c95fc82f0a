"""Two writers racing to create the same columns on JanusGraph (on BerkeleyJE, and on Cassandra, where
JanusGraph takes the lock itself in lock tables): the unique `uid` index's lock makes one of them
lose at commit, and the store runs its write again, so both succeed and every key is one vertex.
The store waits for each commit's answer: a refused commit that went unnoticed once made both
writes vanish, with no error, under load."""

from __future__ import annotations

import threading

import pytest

from tagline.graph.model import LineageBatch
from tagline.graph.reader import labelled, labelled_edges
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.conftest import col, derive


@pytest.mark.engine
@pytest.mark.parametrize("server", ["janusgraph_url", "janusgraph_cql_url"], ids=["janusgraph", "janusgraph-cql"])
def test_racing_writers_both_succeed_and_keys_stay_unique(server: str, request: pytest.FixtureRequest) -> None:
    janusgraph_url = str(request.getfixturevalue(server))
    janusgraph_server.clear(janusgraph_url)
    batch = LineageBatch(edges=[derive(col("db.src", f"c{i}"), col("db.dst", f"c{i}")) for i in range(20)])
    stores = [GraphStore(janusgraph_url) for _ in range(2)]
    start = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def write(store: GraphStore) -> None:
        start.wait()
        try:
            store.write(batch)
        except BaseException as exc:  # collected and asserted below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        # Counted in the store itself: an index keyed by uid would fold duplicates into one.
        g = stores[0].g
        counts = {label: labelled(g, label, True).count().next() for label in ("column", "dataset")}
        counts.update({label: labelled_edges(g, label, True).count().next() for label in ("derives", "has_column")})
        assert counts == {"column": 40, "dataset": 2, "derives": 20, "has_column": 40}
        assert stores[0].counts()["column"] == stores[1].counts()["column"] == 40
    finally:
        for s in stores:
            s.close()


@pytest.mark.engine
@pytest.mark.parametrize("server", ["janusgraph_url", "janusgraph_cql_url"], ids=["janusgraph", "janusgraph-cql"])
def test_processes_opening_an_empty_graph_at_once_share_one_store(server: str, request: pytest.FixtureRequest) -> None:
    """Each opening creates the store's meta vertex if it is missing; all but one lose that race
    (the unique index, or a lock timeout) and must take the winner's."""
    janusgraph_url = str(request.getfixturevalue(server))
    janusgraph_server.clear(janusgraph_url)
    start = threading.Barrier(3)
    opened: list[GraphStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            opened.append(GraphStore(janusgraph_url))
        except BaseException as exc:  # collected and asserted below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        assert len({s.changelog.store_id for s in opened}) == 1  # type: ignore[attr-defined]
    finally:
        for s in opened:
            s.close()
