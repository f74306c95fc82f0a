"""The review's rules on a real GremLite store: what counts as broken, tags lost with the path they
came by, violations created and cleared, dependencies removed, and a job the store has never seen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tagline.api.services.ingestion import SqlOptions, ingest_sql_texts
from tagline.api.services.review import review_sql
from tagline.governance.policy import Policy
from tagline.governance.service import Governance
from tagline.graph.model import ColumnRef
from tagline.graph.store import GraphStore

NS = "default"
JOBS = {
    "load_customers": "INSERT INTO stage.customers SELECT c.id AS id, c.email AS email FROM raw.customers c",
    "load_orders": "INSERT INTO stage.orders SELECT o.id AS id, o.amount AS amount FROM raw.orders o",
    "backfill_orders": "INSERT INTO stage.orders SELECT l.id AS id, l.amount AS amount FROM raw.legacy_orders l",
    "contacts": "INSERT INTO mart.contacts SELECT c.id AS id FROM stage.customers c",
    "totals": "INSERT INTO mart.totals SELECT SUM(o.amount) AS total FROM stage.orders o",
    "mailing": "INSERT INTO mart.mailing SELECT c.email AS email FROM stage.customers c",
}


@pytest.fixture
def store(tmp_path: Path) -> Any:
    graph = GraphStore(str(tmp_path / "graph.db"))
    for job, sql in JOBS.items():
        ingest_sql_texts(graph, [(f"{job}.sql", sql)], options(job))
    Governance(graph, Policy()).declare(ColumnRef(namespace=NS, dataset="raw.customers", field="email"), "pii", "test")
    yield graph
    graph.close()


def options(job: str) -> SqlOptions:
    return SqlOptions(dialect="hive", namespace=NS, job_name=job)


def review(store: GraphStore, job: str, sql: str) -> dict[str, Any]:
    return review_sql(store, [(f"{job}.sql", sql)], options(job), Policy())


def col(dataset: str, field: str) -> dict[str, str]:
    return {"namespace": NS, "dataset": dataset, "field": field}


def test_a_column_another_job_still_feeds_is_not_broken(store: GraphStore) -> None:
    found = review(store, "load_orders", "INSERT INTO stage.orders SELECT o.id AS id FROM raw.orders o")
    assert [e["target"] for e in found["edges"]["removed"]] == [col("stage.orders", "amount")]
    assert found["broken"] == []  # backfill_orders still writes stage.orders.amount


def test_a_dropped_tagged_column_loses_its_tags_downstream_with_the_old_path(store: GraphStore) -> None:
    found = review(store, "load_customers", "INSERT INTO stage.customers SELECT c.id AS id FROM raw.customers c")
    lost = {(t["column"]["dataset"], t["column"]["field"], t["tag"]): t["path"] for t in found["tags"]["lost"]}
    assert lost[("mart.mailing", "email", "pii")] == [
        col("raw.customers", "email"),
        col("stage.customers", "email"),
        col("mart.mailing", "email"),
    ]
    assert found["broken"] == [col("mart.mailing", "email")]
    # mart.mailing, a sink nobody reads, received pii: the change clears that violation.
    assert [(v["kind"], v["column"]) for v in found["violations"]["cleared"]] == [
        ("SINK_RECEIVES_SENSITIVE", col("mart.mailing", "email"))
    ]
    assert found["violations"]["created"] == []


def test_a_sink_that_starts_receiving_pii_is_a_violation_created(store: GraphStore) -> None:
    found = review(
        store, "contacts", "INSERT INTO mart.contacts SELECT c.id AS id, c.email AS email FROM stage.customers c"
    )
    created = found["violations"]["created"]
    assert [(v["kind"], v["column"], v["tags"]) for v in created] == [
        ("SINK_RECEIVES_SENSITIVE", col("mart.contacts", "email"), ["pii"])
    ]
    assert found["tags"]["gained"][0]["column"] == col("mart.contacts", "email")


def test_a_job_that_stops_reading_a_dataset_loses_the_dependency(store: GraphStore) -> None:
    found = review(store, "totals", "INSERT INTO mart.totals SELECT 0 AS total")
    removed = [(d["job"]["name"], d["upstream"]["name"]) for d in found["dependencies"]["removed"]]
    assert removed == [("totals", "backfill_orders"), ("totals", "load_orders")]
    assert found["dependencies"]["added"] == []


def test_a_job_the_store_has_never_seen_is_all_new(store: GraphStore) -> None:
    found = review(store, "new_report", "INSERT INTO mart.new SELECT c.email AS email FROM stage.customers c")
    assert [e["target"] for e in found["edges"]["added"]] == [col("mart.new", "email")]
    assert found["edges"]["removed"] == []
    assert [(d["job"]["name"], d["upstream"]["name"]) for d in found["dependencies"]["added"]] == [
        ("new_report", "load_customers")
    ]
    assert [t["tag"] for t in found["tags"]["gained"]] == ["pii"]
