"""A served store for the Marquez API's tests: the demo warehouse plus a few OpenLineage runs that
tell what Marquez keeps beyond lineage — job facets (SQL, source location, job type), run facets,
a dataset type, a schema that changes between two runs (two dataset versions, two job versions),
a downstream job whose run read what the second run wrote, and a run still going.

Keys with every role, so the role checks of the write routes can be exercised.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from tests.e2e.conftest import Server, run_cli, start_server, stop_server

KAFKA, TOPIC = "kafka://broker:9092", "orders:v2"
LAKE, RAW, REPORT = "s3://lake", "raw/orders", "marts/report"
JOB_NS, ETL, REPORTER, BACKFILL = "spark:prod", "etl", "report", "backfill"
RUN_A = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e01"
RUN_B = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e02"
RUN_C = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e03"
RUN_D = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e04"
TIMES = [f"2026-11-30T{h:02d}:00:00.000Z" for h in range(8, 16)]
PRODUCER = "https://example.com/emitter"
EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
SQL_A = "INSERT INTO raw.orders SELECT id, md5(email) AS email_hash FROM orders"
SQL_B = "INSERT INTO raw.orders SELECT id, md5(email) AS email_hash, amount FROM orders"
LOCATION = "https://git.example.com/etl/job.py"
KEYS = {
    "reader": "ui-key-0123456789",
    "ingester": "ci-key-0123456789",
    "steward": "sec-key-0123456789",
    "admin": "ops-key-0123456789",
}
ENV = {"TAGLINE_API_KEYS": ",".join(f"{role}-user:{key}:{role}" for role, key in KEYS.items())}


def facet(name: str, **body: Any) -> dict[str, Any]:
    return {"_producer": PRODUCER, "_schemaURL": f"https://openlineage.io/spec/facets/1-0-0/{name}.json", **body}


def schema(*fields: tuple[str, str]) -> dict[str, Any]:
    return facet("SchemaDatasetFacet", fields=[{"name": n, "type": t} for n, t in fields])


def run_event(
    state: str,
    at: str,
    run: str,
    job: str,
    inputs: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
    job_facets: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "eventType": state,
        "eventTime": at,
        "producer": PRODUCER,
        "schemaURL": EVENT_SCHEMA,
        "run": {"runId": run, "facets": {"nominalTime": facet("NominalTimeRunFacet", nominalStartTime=at)}},
        "job": {"namespace": JOB_NS, "name": job, "facets": job_facets or {}},
        "inputs": inputs,
        "outputs": outputs,
    }


def etl_event(state: str, at: str, run: str, sql: str, with_amount: bool) -> dict[str, Any]:
    """topic -> raw/orders: `id` copied, `email_hash` masked; the second definition adds `amount`."""
    fields = [("id", "bigint"), ("email_hash", "string"), *([("amount", "decimal(10,2)")] if with_amount else [])]
    lineage = facet(
        "ColumnLineageDatasetFacet",
        fields={
            "id": {"inputFields": [{"namespace": KAFKA, "name": TOPIC, "field": "id"}]},
            "email_hash": {
                "inputFields": [
                    {
                        "namespace": KAFKA,
                        "name": TOPIC,
                        "field": "email",
                        "transformations": [{"type": "DIRECT", "subtype": "TRANSFORMATION", "masking": True}],
                    }
                ]
            },
        },
    )
    topic = {
        "namespace": KAFKA,
        "name": TOPIC,
        "facets": {
            "schema": schema(("id", "bigint"), ("email", "string"), ("amount", "decimal(10,2)")),
            "datasetType": facet("DatasetTypeDatasetFacet", datasetType="STREAM"),
        },
    }
    raw = {"namespace": LAKE, "name": RAW, "facets": {"schema": schema(*fields), "columnLineage": lineage}}
    job_facets = {
        "sql": facet("SQLJobFacet", query=sql),
        "sourceCodeLocation": facet("SourceCodeLocationJobFacet", type="git", url=LOCATION),
        "jobType": facet("JobTypeJobFacet", processingType="BATCH", integration="SPARK", jobType="JOB"),
    }
    return run_event(state, at, run, ETL, [topic], [raw], job_facets)


def report_event(state: str, at: str) -> dict[str, Any]:
    report = {"namespace": LAKE, "name": REPORT, "facets": {"schema": schema(("id", "bigint"))}}
    return run_event(state, at, RUN_C, REPORTER, [{"namespace": LAKE, "name": RAW}], [report])


EVENTS = [
    etl_event("START", TIMES[0], RUN_A, SQL_A, with_amount=False),
    etl_event("COMPLETE", TIMES[1], RUN_A, SQL_A, with_amount=False),
    etl_event("START", TIMES[2], RUN_B, SQL_B, with_amount=True),
    etl_event("COMPLETE", TIMES[3], RUN_B, SQL_B, with_amount=True),
    report_event("START", TIMES[4]),
    report_event("COMPLETE", TIMES[5]),
    run_event("START", TIMES[6], RUN_D, BACKFILL, [{"namespace": KAFKA, "name": TOPIC}], []),
]


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


def serve_world(store: str) -> Iterator[Server]:
    """The demo plus :data:`EVENTS`, served with :data:`KEYS`; stopped after the module."""
    run_cli("demo", "--store", store)
    running = start_server(store, env=ENV)
    for body in EVENTS:
        posted = httpx.post(f"{running.url}/api/v1/lineage", json=body, headers=auth("ingester"), timeout=10)
        assert posted.status_code == 201 and posted.json()["status"] == "applied", posted.text
    yield running
    stop_server(running)


def get(server: Server, path: str, role: str = "reader", **params: Any) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1{path}", params=params, headers=auth(role), timeout=30)
