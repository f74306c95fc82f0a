"""The domain's counters move where the work happens, on a real store: an event file with a bad
line counts one event applied and one dead-lettered, the lineage it wrote, and a propagation."""

from __future__ import annotations

import json
from pathlib import Path

from tagline.api.services import domain_metrics
from tagline.api.services.lineage_events import ingest_event_file
from tagline.graph.store import GraphStore
from tests.unit.test_openlineage_mapping import output, run_event, source

COUNTED = ("tagline_events_accepted_total", "tagline_events_applied_total", "tagline_events_dead_lettered_total",
           "tagline_edges_written_total", "tagline_propagation_seconds_count")  # fmt: skip


def counts() -> dict[str, float]:
    return {name: domain_metrics.REGISTRY.get_sample_value(name) or 0.0 for name in COUNTED}


def test_an_event_file_counts_what_was_applied_what_was_dead_lettered_and_the_edges(tmp_path: Path) -> None:
    store = GraphStore(str(tmp_path / "graph.db"))
    good = run_event([output({"b": {"inputFields": [source("a", {"type": "DIRECT", "subtype": "IDENTITY"})]}})])
    before = counts()
    try:
        ingest_event_file(store, "events.jsonl", json.dumps(good) + "\n{not json\n", skew_seconds=86_400)
        domain_metrics.observe_store(store)
    finally:
        store.close()
    moved = {name: counts()[name] - before[name] for name in COUNTED}
    assert moved == {
        "tagline_events_accepted_total": 1,
        "tagline_events_applied_total": 1,
        "tagline_events_dead_lettered_total": 1,
        "tagline_edges_written_total": 1,
        "tagline_propagation_seconds_count": 1,
    }
    assert domain_metrics.REGISTRY.get_sample_value("tagline_index_lag") == 0
    assert domain_metrics.REGISTRY.get_sample_value("tagline_propagation_backlog") == 0
