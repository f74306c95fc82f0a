"""Two writers racing to create the same columns on JanusGraph (on BerkeleyJE, and on Cassandra, where
JanusGraph takes the lock itself in lock tables): the unique `uid` index's lock makes one of them
lose at commit, and the store runs its write again, so both succeed and every key is one vertex.
The store waits for each commit's answer: a refused commit that went unnoticed once made both
writes vanish, with no error, under load."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pytest

from tagline.graph.model import LineageBatch
from tagline.graph.reader import labelled, labelled_edges
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.conftest import col, derive

T = TypeVar("T")
ENGINES = pytest.mark.parametrize(
    "server", ["janusgraph_url", "janusgraph_cql_url"], ids=["janusgraph", "janusgraph-cql"]
)


def at_once(work: list[Callable[[], T]]) -> tuple[list[T], list[BaseException]]:
    """Run each of ``work`` on a thread of its own, all released together; what they returned
    and what they raised (asserted by the caller, in the test's thread)."""
    start = threading.Barrier(len(work))
    results: list[T] = []
    errors: list[BaseException] = []

    def run(one: Callable[[], T]) -> None:
        start.wait()
        try:
            results.append(one())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


@pytest.mark.engine
@ENGINES
def test_racing_writers_both_succeed_and_keys_stay_unique(server: str, request: pytest.FixtureRequest) -> None:
    janusgraph_url = str(request.getfixturevalue(server))
    janusgraph_server.clear(janusgraph_url)
    batch = LineageBatch(edges=[derive(col("db.src", f"c{i}"), col("db.dst", f"c{i}")) for i in range(20)])
    stores = [GraphStore(janusgraph_url) for _ in range(2)]
    _, errors = at_once([partial(s.write, batch) for s in stores])
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
@ENGINES
def test_processes_opening_an_empty_graph_at_once_share_one_store(server: str, request: pytest.FixtureRequest) -> None:
    """Each opening creates the store's meta vertex if it is missing; all but one lose that race
    (the unique index, or a lock timeout) and must take the winner's."""
    janusgraph_url = str(request.getfixturevalue(server))
    janusgraph_server.clear(janusgraph_url)
    opened, errors = at_once([lambda: GraphStore(janusgraph_url)] * 3)
    try:
        assert errors == []
        assert len({s.changelog.store_id for s in opened}) == 1  # type: ignore[attr-defined]
    finally:
        for s in opened:
            s.close()
