"""Recommendation, checks, health and impact over the scheduler scenario on a real GremLite file."""

from __future__ import annotations

from datetime import datetime

import pytest

from tagline.governance.health_scan import scan_health
from tagline.governance.impact import NotFound, impact_of
from tagline.governance.scheduling import UnknownJob, check_dependencies, recommend_dependencies
from tagline.graph.model import DatasetRef, JobRef
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow
from tests import scheduler_scenario as scenario
from tests.scheduler_scenario import CONFIGURED, ds, job


@pytest.fixture
def now() -> datetime:
    return utcnow()


@pytest.fixture
def loaded(store: GraphStore, now: datetime) -> GraphStore:
    scenario.load(store, now)
    return store


def names(records) -> list[str]:
    return [r.props["name"] for r in records]


def test_recommendation_with_evidence_and_a_stale_writer(loaded: GraphStore, now: datetime) -> None:
    record, found = recommend_dependencies(loaded, job("build_orders"), now, 14)
    assert record.props["name"] == "build_orders"
    assert [(e.job.props["name"], e.stale) for e in found] == [
        ("extract_customers", False),
        ("extract_orders", False),
        ("legacy_loader", True),
    ]
    assert [(d.props["name"], at) for d, at in found[2].writes] == [("raw.customers", found[2].last_write_at)]
    _, wider = recommend_dependencies(loaded, job("build_orders"), now, 90)
    assert not any(e.stale for e in wider)


def test_direct_only_drops_a_dependency_implied_through_another(loaded: GraphStore, now: datetime) -> None:
    _, full = recommend_dependencies(loaded, job("build_report"), now, 14)
    _, direct = recommend_dependencies(loaded, job("build_report"), now, 14, direct_only=True)
    assert names(e.job for e in full) == ["build_orders", "extract_orders"]
    assert names(e.job for e in direct) == ["build_orders"]


def test_check_finds_missing_redundant_stale_and_cycles(loaded: GraphStore, now: datetime) -> None:
    lists = {job(j).key: {job(d).key for d in deps} for j, deps in CONFIGURED.items()}
    configured = [job(d) for d in CONFIGURED["build_orders"]] + [JobRef(namespace="sched", name="ghost")]
    report = check_dependencies(loaded, job("build_orders"), configured, now, 14, lists)
    assert names(report.missing) == ["extract_customers"]
    assert names(report.redundant) == ["build_report", "send_emails"]
    assert names(report.stale) == ["legacy_loader"]
    assert [names(c) for c in report.cycles] == [
        ["build_orders", "build_report"],
        ["build_orders", "send_emails", "build_report"],
    ]
    assert report.unknown == [JobRef(namespace="sched", name="ghost")] and report.failed


def test_a_lineage_cycle_shows_on_the_recommended_dependency(loaded: GraphStore, now: datetime) -> None:
    report = check_dependencies(loaded, job("enrich_customers"), [job("extract_customers")], now, 14)
    assert names(report.missing) == ["build_segments"]
    assert [names(c) for c in report.cycles] == [["enrich_customers", "build_segments"]]


def test_an_unknown_job_is_a_clear_error(loaded: GraphStore, now: datetime) -> None:
    with pytest.raises(UnknownJob, match="no job 'nope' in namespace 'sched'"):
        recommend_dependencies(loaded, job("nope"), now, 14)


def test_health_over_the_scenario(loaded: GraphStore, now: datetime) -> None:
    scan = scan_health(loaded, now, 30)
    assert [d.dataset.props["name"] for d in scan.orphans] == ["src.customers"]
    assert [d.dataset.props["name"] for d in scan.zombies] == ["old.archive"]
    assert [d.dataset.props["name"] for d in scan.unused] == ["old.archive"]
    assert [d.dataset.props["name"] for d in scan.deprecation_candidates] == ["old.archive"]
    assert [f"{c.column.props['dataset']}.{c.column.props['field']}" for c in scan.unused_columns] == [
        "dw.customers.segment",
        "dw.orders.customer_id",
        "mart.report.orders",
        "raw.customers.email",
    ]
    zombie = scan.zombies[0].facts
    assert len(zombie.writes) == 1 and zombie.reads == {} and zombie.last_read_at is None


def test_declaring_and_withdrawing_a_source(loaded: GraphStore, now: datetime) -> None:
    loaded.declare_sources([ds("src.customers"), DatasetRef(namespace="mysql://shop", name="src.new")])
    assert names(loaded.declared_sources()) == ["src.customers", "src.new", "src.orders"]
    assert scan_health(loaded, now, 30).orphans == []
    loaded.declare_sources([ds("src.customers")], declared=False)
    assert [d.dataset.props["name"] for d in scan_health(loaded, now, 30).orphans] == ["src.customers"]


def test_impact_of_a_column(loaded: GraphStore) -> None:
    found = impact_of(loaded, ds("raw.orders"), "id", depth=5)
    assert [(c.column.props["dataset"], c.column.props["field"], c.depth) for c in found.columns] == [
        ("dw.orders", "order_id", 1),
        ("old.archive", "order_id", 1),
        ("mart.report", "orders", 2),
    ]
    assert [(d.dataset.props["name"], d.depth) for d in found.datasets] == [
        ("dw.orders", 1),
        ("old.archive", 1),
        ("mart.report", 2),
    ]
    jobs = {j.job.props["name"]: (sorted(j.writes), sorted(j.reads)) for j in found.jobs}
    assert jobs["build_report"] == ([ds("mart.report").key], [ds("dw.orders").key, ds("raw.orders").key])
    assert jobs["send_emails"] == ([], [ds("mart.report").key])
    assert set(jobs) == {"build_orders", "build_report", "legacy_archiver", "send_emails"}
    assert len(impact_of(loaded, ds("raw.orders"), "id", depth=1).columns) == 2


def test_impact_of_a_dataset_and_unknown_names(loaded: GraphStore) -> None:
    found = impact_of(loaded, ds("raw.customers"), None, depth=5)
    assert [r.props["field"] for r in found.roots] == ["email", "id"]
    assert {d.dataset.props["name"] for d in found.datasets} == {"dw.customers", "dw.orders", "mart.segments"}
    with pytest.raises(NotFound, match="no column 'nope'"):
        impact_of(loaded, ds("raw.customers"), "nope", depth=5)
    with pytest.raises(NotFound, match=r"no dataset 'raw\.nope'"):
        impact_of(loaded, ds("raw.nope"), None, depth=5)
