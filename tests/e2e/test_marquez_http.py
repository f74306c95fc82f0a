"""Marquez's read API end to end: Marquez's own Python client (and plain HTTP for the routes it
has no method for) reading a live `tagline serve` fed by OpenLineage events and the demo warehouse.

The events use the awkward names real emitters send: a Kafka namespace with a port, a topic name
with a colon, an object-store name with a slash, a job namespace with a colon.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from marquez_client import MarquezClient

from tests.e2e.conftest import Server, run_cli, start_server, stop_server

KAFKA, TOPIC = "kafka://broker:9092", "orders:v2"
LAKE, RAW = "s3://lake", "raw/orders"
JOB_NS, JOB = "spark:prod", "etl"
RUN = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e22"
OTHER_RUN = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e33"
PRODUCER = "https://example.com/emitter"
EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
T_START, T_DONE, T_LATER = "2026-11-30T10:00:00.000Z", "2026-11-30T10:05:00.000Z", "2026-11-30T11:00:00.000Z"


def facet(name: str, **body: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": f"https://openlineage.io/spec/facets/1-0-0/{name}.json", **body}


def event(state: str, at: str, run: str = RUN, job: str = JOB) -> dict[str, Any]:
    """A Spark-style run event: topic -> raw/orders, `id` copied, `email_hash` a masked hash."""

    def source(field: str, subtype: str, masking: bool) -> dict[str, Any]:
        return {
            "namespace": KAFKA,
            "name": TOPIC,
            "field": field,
            "transformations": [{"type": "DIRECT", "subtype": subtype, "description": "", "masking": masking}],
        }

    fields = [{"name": "id", "type": "bigint"}, {"name": "email_hash", "type": "string"}]
    lineage = facet(
        "ColumnLineageDatasetFacet",
        fields={
            "id": {"inputFields": [source("id", "IDENTITY", False)]},
            "email_hash": {"inputFields": [source("email", "TRANSFORMATION", True)]},
        },
    )
    return {
        "eventType": state,
        "eventTime": at,
        "producer": PRODUCER,
        "schemaURL": EVENT_SCHEMA,
        "run": {"runId": run},
        "job": {"namespace": JOB_NS, "name": job},
        "inputs": [
            {
                "namespace": KAFKA,
                "name": TOPIC,
                "facets": {
                    "schema": facet(
                        "SchemaDatasetFacet",
                        fields=[{"name": "id", "type": "bigint"}, {"name": "email", "type": "string"}],
                    )
                },
            }
        ],
        "outputs": [
            {
                "namespace": LAKE,
                "name": RAW,
                "facets": {"schema": facet("SchemaDatasetFacet", fields=fields), "columnLineage": lineage},
            }
        ],
    }


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("marquez") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store)
    for body in (
        event("START", T_START),
        event("COMPLETE", T_DONE),
        event("START", T_LATER, run=OTHER_RUN, job="backfill"),
    ):  # a run still going: not produced yet
        posted = httpx.post(f"{running.url}/api/v1/lineage", json=body, timeout=10)
        assert posted.status_code == 201 and posted.json()["status"] == "applied", posted.text
    running.caught_up()
    yield running
    stop_server(running)


@pytest.fixture
def marquez(served: Server) -> MarquezClient:
    return MarquezClient(url=served.url)


def get(server: Server, path: str, **params: str | int) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1{path}", params=params, timeout=10)


def test_namespaces_datasets_and_fields_as_marquez_lists_them(marquez: MarquezClient) -> None:
    names = [n["name"] for n in marquez.list_namespaces()["namespaces"]]
    assert names == sorted(names) and {KAFKA, LAKE, JOB_NS, "hive://warehouse"} <= set(names)
    assert all(
        {"name", "createdAt", "updatedAt", "ownerName"} <= set(n) for n in marquez.list_namespaces()["namespaces"]
    )
    listed = marquez.list_datasets("hive://warehouse", limit=3, offset=2)
    assert listed["totalCount"] == 8 and len(listed["datasets"]) == 3
    everything = [d["name"] for d in marquez.list_datasets("hive://warehouse")["datasets"]]
    assert [d["name"] for d in listed["datasets"]] == everything[2:5] and everything == sorted(everything)
    raw = marquez.get_dataset(LAKE, RAW)  # "s3://lake" and "raw/orders" both travel URL-encoded in the path
    assert raw["id"] == {"namespace": LAKE, "name": RAW} and raw["namespace"] == LAKE and raw["name"] == RAW
    assert {(f["name"], f["type"]) for f in raw["fields"]} == {("id", "bigint"), ("email_hash", "string")}
    assert all(isinstance(f["tags"], list) for f in raw["fields"])
    # Written by a completed run at T_DONE; the backfill that started later has produced nothing yet.
    assert raw["lastModifiedAt"] == T_DONE
    assert raw["nodeId"] == f"dataset:{LAKE}:{RAW}"  # Tagline's own, beside Marquez's fields
    customers = marquez.get_dataset("mysql://orders-db:3306", "shop.customers")
    email = next(f for f in customers["fields"] if f["name"] == "email")
    assert "pii.email" in email["tags"] and email["sensitivity"] == "confidential"


def test_jobs_with_their_latest_run(marquez: MarquezClient) -> None:
    job = marquez.get_job(JOB_NS, JOB)
    assert job["id"] == {"namespace": JOB_NS, "name": JOB} and job["type"] == "BATCH"
    assert job["inputs"] == [{"namespace": KAFKA, "name": TOPIC}] and job["outputs"] == [
        {"namespace": LAKE, "name": RAW}
    ]
    run = job["latestRun"]
    # The run as its events told it: the emitter's run id, its start and end, how long it took.
    assert run["id"] == RUN and run["state"] == "COMPLETED"
    assert (run["startedAt"], run["endedAt"], run["durationMs"]) == (T_START, T_DONE, 300_000)
    assert job["latestRuns"] == [run]
    assert marquez.get_job(JOB_NS, "backfill")["latestRun"]["state"] == "RUNNING"
    listed = marquez.list_jobs("airflow", limit=5)
    assert listed["totalCount"] == 12 and len(listed["jobs"]) == 5
    assert listed["jobs"][0]["latestRun"] is None  # SQL jobs have no runs
    demo_job = marquez.get_job("airflow", "build_fact_orders")
    assert {"namespace": "hive://warehouse", "name": "dw.fact_orders"} in demo_job["outputs"]
    assert demo_job["schedule"]


def test_unknown_names_are_marquez_404s(served: Server) -> None:
    for path in (
        "/namespaces/nowhere",
        "/namespaces/airflow/jobs/nope",
        "/namespaces/airflow/datasets/nope",
        f"/namespaces/{LAKE.replace(':', '%3A').replace('/', '%2F')}/datasets/raw",
    ):
        answer = httpx.get(f"{served.url}/api/v1{path}", timeout=10)
        assert answer.status_code == 404 and answer.json()["code"] == 404, path
    assert get(served, "/namespaces/airflow/jobs", limit="x").status_code == 400


def test_table_lineage_graph(served: Server) -> None:
    answer = get(served, "/lineage", nodeId=f"dataset:{KAFKA}:{TOPIC}", depth=2)
    assert answer.status_code == 200, answer.text
    graph = {n["id"]: n for n in answer.json()["graph"]}
    job, raw, topic = f"job:{JOB_NS}:{JOB}", f"dataset:{LAKE}:{RAW}", f"dataset:{KAFKA}:{TOPIC}"
    assert {job, raw, topic} <= set(graph)
    assert graph[job]["type"] == "JOB" and graph[raw]["type"] == "DATASET"
    assert graph[job]["inEdges"] == [{"origin": topic, "destination": job}]
    assert {"origin": job, "destination": raw} in graph[job]["outEdges"]
    backfill = f"job:{JOB_NS}:backfill"
    assert graph[topic]["outEdges"] == [
        {"origin": topic, "destination": backfill},
        {"origin": topic, "destination": job},
    ]
    assert graph[raw]["data"]["id"] == {"namespace": LAKE, "name": RAW}
    assert graph[job]["data"]["latestRun"]["state"] == "COMPLETED"
    demo = get(served, "/lineage", nodeId="job:airflow:build_fact_orders", depth=1).json()["graph"]
    assert "dataset:hive://warehouse:dw.fact_orders" in {n["id"] for n in demo}
    missing = get(served, "/lineage", nodeId="dataset:nowhere:nothing")
    # Marquez's error fields (what marquez-java and marquez-python read), in a problem document.
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json() == {
        "code": 404,
        "message": "node 'dataset:nowhere:nothing' not found",
        "type": "urn:tagline:problem:NOT_FOUND",
        "title": "Not Found",
        "status": 404,
        "detail": "node 'dataset:nowhere:nothing' not found",
    }
    assert get(served, "/lineage", nodeId="run:0190f3a2").status_code == 400
    assert get(served, "/lineage").status_code == 400


def test_column_lineage_as_marquez_draws_it(marquez: MarquezClient, served: Server) -> None:
    answer = marquez.get_column_lineage_by_dataset_field(LAKE, RAW, "email_hash", depth=5)
    nodes = {n["id"]: n for n in answer["graph"]}
    hashed, email = f"datasetField:{LAKE}:{RAW}:email_hash", f"datasetField:{KAFKA}:{TOPIC}:email"
    assert set(nodes) == {hashed, email}
    data = nodes[hashed]["data"]
    assert nodes[hashed]["type"] == "DATASET_FIELD" and data["field"] == "email_hash" and data["dataset"] == RAW
    assert [(i["namespace"], i["dataset"], i["field"]) for i in data["inputFields"]] == [(KAFKA, TOPIC, "email")]
    assert data["inputFields"][0]["transformationType"] == "TRANSFORMATION"
    # One derivation per job that made it: the finished run and the backfill still going.
    assert data["inputFields"][0]["transformations"] == [
        {
            "type": "DIRECT",
            "subtype": "TRANSFORMATION",
            "description": None,
            "masking": True,
            "job": job,
            "expression": None,
        }
        for job in (f"job:{JOB_NS}:backfill", f"job:{JOB_NS}:{JOB}")
    ]
    assert data["inputFields"][0]["masking"] is True
    # Marquez draws a column's inEdges from it to its inputs, and an input's outEdges from it onwards.
    assert nodes[hashed]["inEdges"] == [{"origin": hashed, "destination": email}]
    assert nodes[email]["outEdges"] == [{"origin": email, "destination": hashed}]
    by_dataset = marquez.get_column_lineage_by_dataset(LAKE, RAW)
    assert {n["id"] for n in by_dataset["graph"]} == {
        hashed,
        email,
        f"datasetField:{LAKE}:{RAW}:id",
        f"datasetField:{KAFKA}:{TOPIC}:id",
    }
    upstream_only = marquez.get_column_lineage_by_dataset(KAFKA, TOPIC)
    assert {n["id"] for n in upstream_only["graph"]} == {email, f"datasetField:{KAFKA}:{TOPIC}:id"}
    downstream = marquez.get_column_lineage_by_dataset(KAFKA, TOPIC, with_downstream=True)
    assert hashed in {n["id"] for n in downstream["graph"]}
    by_job = marquez.get_column_lineage_by_job(JOB_NS, JOB)
    assert hashed in {n["id"] for n in by_job["graph"]}
    capped = get(
        served, "/column-lineage", nodeId="dataset:hive://warehouse:dw.dim_customer", depth=3, withDownstream="true"
    ).json()
    assert capped["truncated"] is False and capped["complete"] is True and len(capped["graph"]) > 20
    # A limit that cuts the graph says so, which limit, and how to get the rest.
    cut = get(served, "/column-lineage", nodeId="dataset:hive://warehouse:dw.dim_customer", depth=3, maxNodes=5).json()
    assert (cut["complete"], cut["truncated"], cut["limit"]) == (False, True, "maxNodes") and cut["next"]
    assert len(cut["graph"]) <= 5
    table_cut = get(served, "/lineage", nodeId="dataset:hive://warehouse:dw.dim_customer", maxNodes=2).json()
    assert table_cut["complete"] is False and table_cut["limit"] == "maxNodes" and len(table_cut["graph"]) <= 2


def test_search_as_marquez_answers_it(served: Server) -> None:
    answer = get(served, "/search", q="orders", limit=50).json()
    results = answer["results"]
    assert answer["totalCount"] == len(results) and {"type", "name", "updatedAt", "namespace", "nodeId"} <= set(
        results[0]
    )
    assert [r["name"] for r in results] == sorted(r["name"] for r in results)  # Marquez sorts by name
    assert {"DATASET", "JOB"} == {r["type"] for r in results}
    assert {"nodeId": f"dataset:{LAKE}:{RAW}", "type": "DATASET"}.items() <= next(
        r for r in results if r["name"] == RAW
    ).items()
    jobs = get(served, "/search", q="ORDERS", filter="JOB").json()["results"]
    assert jobs and all(r["type"] == "JOB" for r in jobs)
    assert len(get(served, "/search", q="orders", limit=2).json()["results"]) == 2
    in_lake = get(served, "/search", q="%orders%", namespace=LAKE).json()
    assert [r["name"] for r in in_lake["results"]] == [RAW] and in_lake["totalCount"] == 1
    relevance = get(served, "/search", q="ods", sort="relevance").json()["results"]
    assert relevance[0]["name"].startswith("ods.")
    newest = get(served, "/search", q="orders", sort="updated_at", limit=50).json()["results"]
    assert [r["updatedAt"] for r in newest] == sorted((r["updatedAt"] for r in newest), reverse=True)
    assert get(served, "/search").status_code == 400
    assert get(served, "/search", q="x", filter="column").status_code == 400
    assert get(served, "/search", q="x", before="15/09/2022").status_code == 400
    # Date filters compare the last update with the day, as Marquez does (RAW was first seen today).
    today = datetime.now(UTC).date()
    yesterday, tomorrow = str(today - timedelta(days=1)), str(today + timedelta(days=1))
    assert [r["name"] for r in get(served, "/search", q="raw", after=yesterday, before=tomorrow).json()["results"]] == [
        RAW
    ]
    assert get(served, "/search", q="raw", after=tomorrow).json() == {"totalCount": 0, "results": []}
    assert get(served, "/search", q="raw", before=yesterday).json()["totalCount"] == 0


def test_marquez_routes_need_the_read_role(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = str(tmp_path_factory.mktemp("marquez-keys") / "graph.db")
    running = start_server(store, env={"TAGLINE_API_KEYS": "ui:ui-key-0123456789:reader,ci:ci-key-0123456789:ingester"})
    try:
        assert get(running, "/namespaces").status_code == 401
        ingester = httpx.get(
            f"{running.url}/api/v1/search",
            params={"q": "x"},
            headers={"Authorization": "Bearer ci-key-0123456789"},
            timeout=10,
        )
        assert ingester.status_code == 403
        reader = MarquezClient(url=running.url, api_key="ui-key-0123456789")
        assert reader.list_namespaces() == {"namespaces": []}
    finally:
        stop_server(running)
