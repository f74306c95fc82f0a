"""Where a write stands in the change log, and what a request's deadline does to a write, on both
engines: every write returns a position another process's index can be asked about; a write whose
request was abandoned before it committed is rolled back, and one that committed first lifts the
request's deadline."""

from __future__ import annotations

import pytest

from tagline.graph import deadline
from tagline.graph.model import LineageBatch, column_key
from tagline.graph.store import GraphStore
from tests.conftest import col, derive


def edge_batch(name: str) -> LineageBatch:
    return LineageBatch(edges=[derive(col("db.src", "x"), col(f"db.{name}", "x"))])


def test_a_write_returns_a_position_another_store_reaches_once_it_syncs(store: GraphStore) -> None:
    other = GraphStore(store.location, follow=False)
    try:
        other.counts()  # its index, loaded now
        before = store.last_write
        assert other.has_passed(before)
        store.write(edge_batch("t1"))
        written = store.last_write
        assert written != before and store.has_passed(written)
        assert not other.has_passed(written)
        other.sync()
        assert other.has_passed(written)
        assert column_key("ns", "db.t1", "x") in other.find([column_key("ns", "db.t1", "x")])
        store.write(LineageBatch())  # nothing changed: the position stays
        assert store.last_write == written
    finally:
        other.close()


def test_a_position_of_another_kind_is_refused(store: GraphStore) -> None:
    for wrong in ("", "abc", "12-xyz" if store.connection.embedded else "12", "-1"):
        with pytest.raises(ValueError):
            store.has_passed(wrong)


def test_a_write_of_an_abandoned_request_is_rolled_back(store: GraphStore) -> None:
    gate = deadline.Gate()
    with deadline.budget(60, gate):
        assert gate.abandon()
        with pytest.raises(deadline.Abandoned):
            store.write(edge_batch("abandoned"))
    assert not gate.committed
    fresh = GraphStore(store.location)
    try:
        assert fresh.find([column_key("ns", "db.abandoned", "x")]) == {}
    finally:
        fresh.close()


def test_a_write_past_its_deadline_is_rolled_back_and_the_request_abandoned(store: GraphStore) -> None:
    gate = deadline.Gate()
    with deadline.budget(-1, gate), pytest.raises(deadline.Abandoned):
        store.write(edge_batch("late"))
    assert gate.abandoned
    assert store.find([column_key("ns", "db.late", "x")]) == {}


def test_a_committed_write_lifts_the_deadline(store: GraphStore) -> None:
    gate = deadline.Gate()
    with deadline.budget(60, gate):
        store.write(edge_batch("committed"))
        assert gate.committed and not gate.abandon()
    with deadline.budget(-1, gate):
        deadline.check()  # past its deadline, but its write landed: the work goes on to its answer
    assert column_key("ns", "db.committed", "x") in store.find([column_key("ns", "db.committed", "x")])
