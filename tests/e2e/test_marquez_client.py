"""Marquez's own Python client (marquez-python 0.50) against a live `tagline serve`: all 17 of its
read methods, its tag methods and the write methods tools still call, over real HTTP.

The client keeps its API key in a module-wide header, so one key serves the whole module: the
admin's, which may read, ingest and govern; the role checks are made with plain HTTP.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from marquez_client import MarquezClient
from marquez_client.models import DatasetId, DatasetType, JobType

from tests.e2e.conftest import Server
from tests.e2e.marquez_world import (
    BACKFILL,
    ETL,
    JOB_NS,
    KAFKA,
    KEYS,
    LAKE,
    LOCATION,
    RAW,
    REPORT,
    REPORTER,
    RUN_A,
    RUN_B,
    RUN_C,
    RUN_D,
    SQL_B,
    TIMES,
    TOPIC,
    auth,
    get,
    serve_world,
)

WAREHOUSE = "hive://warehouse"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_world(str(tmp_path_factory.mktemp("marquez-client") / "graph.db"))


@pytest.fixture
def marquez(served: Server) -> MarquezClient:
    return MarquezClient(url=served.url, api_key=KEYS["admin"])


def test_namespaces_sources_and_events(marquez: MarquezClient) -> None:
    names = [n["name"] for n in marquez.list_namespaces()["namespaces"]]
    assert {KAFKA, LAKE, JOB_NS, WAREHOUSE} <= set(names)
    assert marquez.get_namespace(LAKE)["name"] == LAKE
    sources = marquez.list_sources()["sources"]
    assert {(s["name"], s["type"], s["connectionUrl"]) for s in sources} >= {
        (KAFKA, "KAFKA", KAFKA),
        (LAKE, "S3", LAKE),
        (WAREHOUSE, "HIVE", WAREHOUSE),
    }
    assert marquez.get_source(KAFKA)["type"] == "KAFKA"
    events = marquez.list_events(limit=3)["events"]
    # Newest first, as received: the backfill's start, then the report's completion.
    assert [(e["eventType"], e["run"]["runId"]) for e in events] == [
        ("START", RUN_D),
        ("COMPLETE", RUN_C),
        ("START", RUN_C),
    ]
    in_job_namespace = marquez.list_events(namespace=JOB_NS, limit=100)
    assert in_job_namespace["totalCount"] == 7


def test_datasets_with_their_versions(marquez: MarquezClient) -> None:
    listed = marquez.list_datasets(LAKE)
    assert {d["name"] for d in listed["datasets"]} == {RAW, REPORT}
    raw = marquez.get_dataset(LAKE, RAW)
    assert [f["name"] for f in raw["fields"]] == ["amount", "email_hash", "id"]
    assert set(raw["facets"]) == {"schema", "columnLineage"}
    assert raw["type"] == "DB_TABLE" and marquez.get_dataset(KAFKA, TOPIC)["type"] == "STREAM"
    versions = marquez.list_dataset_versions(LAKE, RAW)["versions"]
    # Two schemas, two versions, newest first; each made by the run that brought it.
    assert [v["createdByRun"]["id"] for v in versions] == [RUN_B, RUN_A]
    assert [v["createdAt"] for v in versions] == [TIMES[2], TIMES[0]]
    assert versions[0]["version"] == raw["currentVersion"] != versions[1]["version"]
    assert [f["name"] for f in versions[1]["fields"]] == ["id", "email_hash"]
    assert [f["name"] for f in versions[0]["fields"]] == ["id", "email_hash", "amount"]
    older = marquez.get_dataset_version(LAKE, RAW, versions[1]["version"])
    assert older["id"] == {"namespace": LAKE, "name": RAW, "version": versions[1]["version"]}
    assert older["createdByRun"]["state"] == "COMPLETED"
    # A dataset no event told of has a version per change of its lineage's lifetime.
    assert marquez.list_dataset_versions(WAREHOUSE, "dw.fact_orders")["versions"]


def test_jobs_runs_and_their_facets(marquez: MarquezClient) -> None:
    etl = marquez.get_job(JOB_NS, ETL)
    assert etl["location"] == LOCATION and etl["facets"]["sql"]["query"] == SQL_B
    assert [r["id"] for r in etl["latestRuns"]] == [RUN_B, RUN_A]
    assert {j["name"] for j in marquez.list_jobs(JOB_NS)["jobs"]} >= {ETL, REPORTER, BACKFILL}
    runs = marquez.list_job_runs(JOB_NS, ETL)["runs"]
    assert [(r["id"], r["state"], r["durationMs"]) for r in runs] == [
        (RUN_B, "COMPLETED", 3_600_000),
        (RUN_A, "COMPLETED", 3_600_000),
    ]
    # Each facet as the latest event of the run carrying it said it (here its COMPLETE).
    assert runs[0]["facets"]["nominalTime"]["nominalStartTime"] == TIMES[3]
    assert runs[0]["jobVersion"]["version"] == etl["currentVersion"] != runs[1]["jobVersion"]["version"]
    assert runs[0]["outputDatasetVersions"] == [
        {
            "datasetVersionId": {
                "namespace": LAKE,
                "name": RAW,
                "version": marquez.get_dataset(LAKE, RAW)["currentVersion"],
            },
            "facets": {},
        }
    ]
    run = marquez.get_job_run(RUN_A)
    assert (run["id"], run["startedAt"], run["endedAt"]) == (RUN_A, TIMES[0], TIMES[1])
    assert marquez.list_job_runs(JOB_NS, ETL, limit=1, offset=1)["runs"][0]["id"] == RUN_A


def test_column_lineage_three_ways(marquez: MarquezClient) -> None:
    field = marquez.get_column_lineage_by_dataset_field(LAKE, RAW, "email_hash")
    assert {n["id"] for n in field["graph"]} == {
        f"datasetField:{LAKE}:{RAW}:email_hash",
        f"datasetField:{KAFKA}:{TOPIC}:email",
    }
    assert field["complete"] is True
    by_dataset = marquez.get_column_lineage_by_dataset(LAKE, RAW)
    assert f"datasetField:{LAKE}:{RAW}:id" in {n["id"] for n in by_dataset["graph"]}
    by_job = marquez.get_column_lineage_by_job(JOB_NS, ETL)
    assert {n["id"] for n in by_job["graph"]} == {n["id"] for n in by_dataset["graph"]}


def test_tags_and_tagging(marquez: MarquezClient, served: Server) -> None:
    assert {"pii", "pii.email", "restricted"} <= {t["name"] for t in marquez.list_tags()["tags"]}
    created = marquez.create_tag("gdpr", "personal data of EU residents")
    assert created == {"name": "gdpr", "description": "personal data of EU residents"}
    assert {"name": "gdpr", "description": "personal data of EU residents"} in marquez.list_tags()["tags"]
    # Tagging a field declares the tag, which then flows downstream like any declaration.
    tagged = marquez.tag_dataset_field(KAFKA, TOPIC, "id", "gdpr")
    assert "gdpr" in next(f for f in tagged["fields"] if f["name"] == "id")["tags"]
    raw_id = next(f for f in marquez.get_dataset(LAKE, RAW)["fields"] if f["name"] == "id")
    assert "gdpr" in raw_id["tags"]
    # Tagging a dataset declares the tag on each of its fields; the dataset then carries it.
    whole = marquez.tag_dataset(LAKE, REPORT, "gdpr")
    assert whole["tags"] == ["gdpr"] and all("gdpr" in f["tags"] for f in whole["fields"])
    audit = httpx.post(
        f"{served.url}/graphql",
        json={"query": '{ tagAudit(tag: "gdpr", actor: "admin-user") { edges { node { change cause } } } }'},
        headers=auth("admin"),
        timeout=30,
    ).json()
    causes = {e["node"]["cause"] for e in audit["data"]["tagAudit"]["edges"]}
    assert any("through Marquez's API" in c for c in causes)
    # Untagging (Marquez's web UI sends DELETE) removes the declarations and what flowed from them.
    for path in (
        f"/namespaces/{_q(KAFKA)}/datasets/{_q(TOPIC)}/fields/id/tags/gdpr",
        f"/namespaces/{_q(LAKE)}/datasets/{_q(REPORT)}/tags/gdpr",
    ):
        deleted = httpx.delete(f"{served.url}/api/v1{path}", headers=auth("steward"), timeout=30)
        assert deleted.status_code == 200, deleted.text
    raw_id = next(f for f in marquez.get_dataset(LAKE, RAW)["fields"] if f["name"] == "id")
    assert "gdpr" not in raw_id["tags"] and marquez.get_dataset(LAKE, REPORT)["tags"] == []


def test_writes_need_their_roles(served: Server) -> None:
    tag_path = f"{served.url}/api/v1/namespaces/{_q(LAKE)}/datasets/{_q(RAW)}/tags/gdpr"
    assert httpx.post(tag_path, timeout=10).status_code == 401
    for role in ("reader", "ingester"):
        assert httpx.post(tag_path, headers=auth(role), timeout=10).status_code == 403
    put = f"{served.url}/api/v1/namespaces/team"
    assert httpx.put(put, json={"ownerName": "me"}, headers=auth("reader"), timeout=10).status_code == 403
    assert get(served, "/tags", role="ingester").status_code == 403
    assert (
        httpx.post(f"{served.url}/api/v1/jobs/runs/{RUN_D}/fail", headers=auth("steward"), timeout=10).status_code
        == 403
    )


def _q(name: str) -> str:
    """A name as Marquez's clients put it in a path."""
    return quote(name, safe="")


def test_declared_metadata_is_kept(marquez: MarquezClient, served: Server) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        namespace = marquez.create_namespace("finance", "finance-team", "the finance team's tables")
        source = marquez.create_source("finance-db", "postgresql", "jdbc:postgresql://db.example.com/finance")
        dataset = marquez.create_dataset(
            "finance",
            "public.ledger",
            DatasetType.DB_TABLE,
            "public.ledger",
            "finance-db",
            description="the general ledger",
            fields=[
                {"name": "account", "type": "VARCHAR", "description": "account number", "tags": ["pii"]},
                {"name": "amount", "type": "DECIMAL"},
            ],
        )
        job = marquez.create_job(
            "finance",
            "close_books",
            JobType.BATCH,
            location="https://git.example.com/close.py",
            inputs=[DatasetId("finance", "public.ledger")],
            description="month-end close",
        )
    assert (namespace["ownerName"], namespace["description"]) == ("finance-team", "the finance team's tables")
    assert marquez.get_namespace("finance")["ownerName"] == "finance-team"
    assert (source["type"], source["connectionUrl"]) == ("POSTGRESQL", "jdbc:postgresql://db.example.com/finance")
    assert marquez.get_source("finance-db")["name"] == "finance-db"
    fields = {f["name"]: f for f in marquez.get_dataset("finance", "public.ledger")["fields"]}
    assert (fields["account"]["type"], fields["account"]["description"]) == ("VARCHAR", "account number")
    assert "pii" in fields["account"]["tags"] and dataset["description"] == "the general ledger"
    assert job["inputs"] == [{"namespace": "finance", "name": "public.ledger"}]
    assert (job["location"], job["description"]) == ("https://git.example.com/close.py", "month-end close")
    # Declared again, the latest wins.
    again = httpx.put(
        f"{served.url}/api/v1/namespaces/finance",
        json={"ownerName": "controller"},
        headers=auth("ingester"),
        timeout=10,
    )
    assert again.status_code == 200 and marquez.get_namespace("finance")["ownerName"] == "controller"
    bad = httpx.put(f"{served.url}/api/v1/namespaces/finance", json={}, headers=auth("ingester"), timeout=10)
    assert bad.status_code == 400 and "ownerName" in bad.json()["message"]


def test_runs_marked_through_marquez_become_run_events(marquez: MarquezClient, served: Server) -> None:
    assert marquez.get_job_run(RUN_D)["state"] == "RUNNING"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        failed = marquez.mark_job_run_as_failed(RUN_D, at=TIMES[7])
    assert (failed["state"], failed["endedAt"]) == ("FAILED", TIMES[7])
    assert marquez.get_job(JOB_NS, BACKFILL)["latestRun"]["state"] == "FAILED"
    newest = marquez.list_events(limit=1)["events"][0]
    assert (newest["eventType"], newest["run"]["runId"], newest["job"]["name"]) == ("FAIL", RUN_D, BACKFILL)
    unknown = httpx.post(
        f"{served.url}/api/v1/jobs/runs/0190f3a2-0000-7000-8000-000000000000/complete",
        headers=auth("admin"),
        timeout=10,
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == 404
