"""The event log and job runs on a real GremLite file: duplicates, out-of-order delivery, replay."""

from __future__ import annotations

from tagline.api.services.lineage_events import accept_event, canonical_json, replay_event_log
from tagline.graph.model import job_key
from tagline.graph.store import GraphStore
from tagline.ingest.openlineage_events import parse_event
from tests.unit.test_openlineage_mapping import output, run_event, source

LINEAGE = [output({"b": {"inputFields": [source("a", {"type": "DIRECT", "subtype": "IDENTITY"})]}})]


def accept(store: GraphStore, raw: dict):
    return accept_event(store, raw, parse_event(raw), "test")


def job_run(store: GraphStore) -> tuple[str, str]:
    props = store.find([job_key("spark", "nightly.orders")])[job_key("spark", "nightly.orders")].props
    return props["last_run_at"], props["last_run_state"]


def test_an_event_delivered_twice_is_logged_once_and_applied_once(store: GraphStore) -> None:
    raw = run_event(LINEAGE)
    first = accept(store, raw)
    counts = store.counts()
    second = accept(store, dict(reversed(list(raw.items()))))
    assert first.event_id == second.event_id and second.times_received == 2
    assert store.counts() == counts
    assert [(e.status, e.times_received) for e in store.events()] == [("applied", 2)]


def test_complete_before_start_keeps_the_complete(store: GraphStore) -> None:
    accept(store, run_event(LINEAGE, event_type="COMPLETE", time="2026-01-05T06:05:00Z"))
    accept(store, run_event(LINEAGE, event_type="START", time="2026-01-05T06:00:00Z"))
    assert job_run(store) == ("2026-01-05T06:05:00.000Z", "COMPLETE")
    accept(store, run_event(LINEAGE, event_type="FAIL", time="2026-01-06T06:00:00Z"))
    assert job_run(store) == ("2026-01-06T06:00:00.000Z", "FAIL")


def test_start_and_complete_at_the_same_moment_end_complete(store: GraphStore) -> None:
    accept(store, run_event(LINEAGE, event_type="COMPLETE"))
    accept(store, run_event(LINEAGE, event_type="START"))
    assert job_run(store)[1] == "COMPLETE"


def test_logged_but_unapplied_events_are_replayed(store: GraphStore) -> None:
    logged = store.log_event("openlineage", canonical_json(run_event(LINEAGE)))
    assert store.counts()["derives"] == 0 and store.events()[0].status == "received"
    applied, failures = replay_event_log(store, only_unapplied=True)
    assert (applied, failures) == (1, [])
    assert store.counts()["derives"] == 1
    assert [(e.id, e.status) for e in store.events()] == [(logged.id, "applied")]


def test_the_log_survives_reopening(store_path: str) -> None:
    first = GraphStore(store_path)
    accept(first, run_event(LINEAGE))
    first.close()
    again = GraphStore(store_path)
    try:
        assert [e.status for e in again.events()] == ["applied"]
    finally:
        again.close()


def test_a_large_event_is_kept_beside_the_graph_and_listed_a_page_at_a_time(store: GraphStore) -> None:
    events = [run_event(LINEAGE, time=f"2026-01-05T06:00:0{n}.000Z") for n in range(3)]
    events[1]["run"]["facets"] = {"notes": {"text": "x" * 2_000_000}}
    logged = [accept(store, raw) for raw in events]
    if store.connection.sqlite is not None:
        # Not one of GremLite's indexed strings: those are what made every later write slower.
        longest = store.connection.sqlite.execute("SELECT MAX(LENGTH(v)) FROM strings").fetchone()[0]
        assert longest < 10_000
    first_page, second_page = store.events(limit=2), store.events(offset=2, limit=2)
    assert len(first_page) == 2 and len(second_page) == 1
    assert {e.id for e in [*first_page, *second_page]} == {e.event_id for e in logged}
    big = next(e for e in [*first_page, *second_page] if e.size > 2_000_000)
    assert "x" * 2_000_000 in store.event_payloads([big.id])[big.id]
    assert replay_event_log(store) == (3, [])


def test_a_logged_event_is_found_by_its_content_without_counting_a_delivery(store: GraphStore) -> None:
    raw = run_event(LINEAGE)
    assert store.logged_event("openlineage", canonical_json(raw)) is None
    accepted = accept(store, raw)
    found = store.logged_event("openlineage", canonical_json(dict(reversed(list(raw.items())))))
    assert found is not None and (found.id, found.status, found.times_received) == (accepted.event_id, "applied", 1)
    assert store.events()[0].times_received == 1
