"""OpenLineage end to end: the real openlineage-python client posting to a live `tagline serve`,
bad input over HTTP, duplicates and out-of-order runs, and event files through the CLI."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.facet_v2 import schema_dataset, symlinks_dataset, tags_dataset
from openlineage.client.transport.http import HttpCompression, HttpConfig, HttpTransport

from tests.e2e.conftest import Server, run_cli
from tests.unit.test_openlineage_mapping import output, run_event, source

RUN_ID = "0190f3a2-7c1e-7d2a-9b1e-2f0c5a1d4e11"
PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/integration/spark"
HIVE = "hive://metastore:9083"

UPSTREAM = """
query ($dataset: String!, $field: String!) {
  column(namespace: "hive://metastore:9083", dataset: $dataset, field: $field) {
    dataType
    upstream { transformation { type subtype masking description } source { namespace dataset field }
               job { namespace name lastRunState lastRunAt } lastSeen }
  }
}
"""


def spark_event(state: RunState, time: str) -> RunEvent:
    """What the Spark listener sends for INSERT INTO mart.contacts SELECT sha2(email), ... FROM a path
    that is the Hive table crm.customers, with the columnLineage facet in its default form."""
    customers = InputDataset(
        namespace="s3://lake",
        name="warehouse/crm.db/customers",
        facets={
            "schema": schema_dataset.SchemaDatasetFacet(
                fields=[
                    schema_dataset.SchemaDatasetFacetFields(name="email", type="string"),
                    schema_dataset.SchemaDatasetFacetFields(name="active", type="boolean"),
                ]
            ),
            "symlinks": symlinks_dataset.SymlinksDatasetFacet(
                identifiers=[
                    symlinks_dataset.Identifier(namespace=HIVE, name="crm.customers", type="TABLE"),
                ]
            ),
            "tags": tags_dataset.TagsDatasetFacet(
                tags=[
                    tags_dataset.TagsDatasetFacetFields(key="pii", value="true", source="SPARK", field="email"),
                ]
            ),
        },
    )

    def field(name: str, *transformations: cl.Transformation) -> cl.InputField:
        return cl.InputField(
            namespace="s3://lake", name="warehouse/crm.db/customers", field=name, transformations=list(transformations)
        )

    active = cl.Transformation(type="INDIRECT", subtype="FILTER", description="", masking=False)
    contacts = OutputDataset(
        namespace=HIVE,
        name="mart.contacts",
        facets={
            "schema": schema_dataset.SchemaDatasetFacet(
                fields=[schema_dataset.SchemaDatasetFacetFields(name="email_hash", type="string")]
            ),
            "columnLineage": cl.ColumnLineageDatasetFacet(
                fields={
                    "email_hash": cl.Fields(
                        inputFields=[
                            field(
                                "email",
                                cl.Transformation(
                                    type="DIRECT",
                                    subtype="TRANSFORMATION",
                                    description="sha2(email, 256)",
                                    masking=True,
                                ),
                            ),
                            field("active", active),
                        ]
                    ),
                }
            ),
        },
    )
    return RunEvent(
        eventType=state,
        eventTime=time,
        run=Run(runId=RUN_ID),
        job=Job(namespace="spark", name="contacts_export"),
        producer=PRODUCER,
        inputs=[customers],
        outputs=[contacts],
    )


def upstream(server: Server, dataset: str, field: str) -> dict:
    answer = server.graphql(UPSTREAM, {"dataset": dataset, "field": field})
    assert "errors" not in answer, answer
    return answer["data"]["column"]


def test_python_client_events_are_readable_through_graphql(server: Server) -> None:
    client = OpenLineageClient(transport=HttpTransport(HttpConfig(url=server.url)))
    client.emit(spark_event(RunState.START, "2026-01-05T06:00:00.000Z"))
    gzipped = HttpTransport(HttpConfig(url=server.url, compression=HttpCompression.GZIP))
    response = gzipped.emit(spark_event(RunState.COMPLETE, "2026-01-05T06:10:00.000Z"))
    assert response.status_code == 201 and response.json()["status"] == "applied"

    column = upstream(server, "mart.contacts", "email_hash")
    assert column["dataType"] == "string"
    edges = {
        (
            e["source"]["namespace"],
            e["source"]["dataset"],
            e["source"]["field"],
            e["transformation"]["type"],
            e["transformation"]["subtype"],
            e["transformation"]["masking"],
            e["transformation"]["description"],
        )
        for e in column["upstream"]
    }
    assert edges == {
        (HIVE, "crm.customers", "email", "DIRECT", "TRANSFORMATION", True, "sha2(email, 256)"),
        (HIVE, "crm.customers", "active", "INDIRECT", "FILTER", False, None),
    }
    jobs = {(e["job"]["name"], e["job"]["lastRunState"], e["job"]["lastRunAt"]) for e in column["upstream"]}
    assert jobs == {("contacts_export", "COMPLETE", "2026-01-05T06:10:00.000Z")}
    # The edges carry the time the job ran, not the time the events arrived.
    assert {e["lastSeen"] for e in column["upstream"]} == {"2026-01-05T06:10:00.000Z"}


def test_duplicates_and_out_of_order_runs(server: Server) -> None:
    transport = HttpTransport(HttpConfig(url=server.url))
    late = spark_event(RunState.COMPLETE, "2026-01-07T06:10:00.000Z")
    assert transport.emit(late).json()["duplicate"] is False
    assert transport.emit(late).json()["duplicate"] is True
    transport.emit(spark_event(RunState.START, "2026-01-07T06:00:00.000Z"))
    column = upstream(server, "mart.contacts", "email_hash")
    assert len(column["upstream"]) == 2
    assert {(e["job"]["lastRunState"], e["job"]["lastRunAt"]) for e in column["upstream"]} == {
        ("COMPLETE", "2026-01-07T06:10:00.000Z")
    }


def test_malformed_json_is_a_400_saying_where(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/lineage",
        content='{"eventType": "START",\n "run": {',
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    body = response.json()
    assert "malformed JSON" in body["detail"] and body["line"] == 2 and body["column"] > 1


def test_bad_gzip_is_a_400(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/lineage",
        content=b"not gzip",
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({**run_event([]), "run": {"runId": "nope"}}, "run.runId"),
        ([run_event([])], "(event)"),
        (
            run_event([output({"a": {"inputFields": [{"namespace": "n", "name": "t"}]}})]),
            "outputs[0].facets.columnLineage.fields.a.inputFields[0].field",
        ),
    ],
)
def test_spec_violations_are_422_naming_the_path(server: Server, body: object, path: str) -> None:
    response = httpx.post(f"{server.url}/api/v1/lineage", json=body, timeout=10)
    assert response.status_code == 422
    assert path in [e["path"] for e in response.json()["errors"]]


def test_gzip_by_hand_and_metrics_know_the_route(server: Server) -> None:
    body = gzip.compress(json.dumps(run_event([])).encode())
    response = httpx.post(
        f"{server.url}/api/v1/lineage",
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 201
    metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
    assert 'path="/api/v1/lineage"' in metrics


def test_event_file_through_the_cli_with_bad_lines_and_replay(server: Server, tmp_path: Path) -> None:
    good = run_event(
        [
            output(
                {"b": {"inputFields": [source("a", {"type": "DIRECT", "subtype": "IDENTITY"})]}},
                name="shop.public.file_out",
            )
        ]
    )
    bad_spec = {**run_event([]), "producer": None}
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([json.dumps(good), "{not json", json.dumps(bad_spec), json.dumps(good)]) + "\n")
    result = run_cli("ingest", "openlineage", str(events), "--store", server.store, check=False)
    assert result.returncode == 1 and "4 events" in result.stdout and "2 failed" in result.stdout
    assert "line 2: malformed JSON" in result.stderr and "line 3: not an OpenLineage event: producer" in result.stderr

    answer = server.graphql(
        '{ column(namespace: "postgres://db:5432", dataset: "shop.public.file_out", field: "b")'
        " { upstream { source { field } transformation { type subtype } } } }"
    )
    assert answer["data"]["column"]["upstream"] == [
        {"source": {"field": "a"}, "transformation": {"type": "DIRECT", "subtype": "IDENTITY"}}
    ]

    listed = run_cli("deadletter", "list", "--store", server.store).stdout
    assert listed.count("openlineage") == 2 and "line 3" in listed
    replayed = run_cli("deadletter", "replay", "--store", server.store, check=False)
    assert replayed.returncode == 1 and "still failing" in replayed.stderr and "producer" in replayed.stderr

    logged = run_cli("eventlog", "list", "--store", server.store).stdout
    assert "applied" in logged
    first = run_cli("eventlog", "list", "--limit", "1", "--store", server.store).stdout
    assert "More events follow: --offset 1" in first
    event_id = re.search(r"\b([0-9a-f]{24})\b", first).group(1)
    shown = json.loads(run_cli("eventlog", "show", event_id, "--store", server.store).stdout)
    assert shown["eventType"] in ("START", "COMPLETE", "RUNNING", "FAIL", "ABORT", "OTHER")
    missing = run_cli("eventlog", "show", "nope", "--store", server.store, check=False)
    assert missing.returncode != 0 and "eventlog list" in missing.stderr
    again = run_cli("eventlog", "replay", "--store", server.store)
    assert " 0 failed" in again.stdout
    array = tmp_path / "events.json"
    array.write_text(json.dumps([good, good]))
    assert "2 events" in run_cli("ingest", "openlineage", str(array), "--store", server.store).stdout


def test_compressed_body_that_expands_past_the_limit_is_refused(server: Server) -> None:
    bomb = gzip.compress(b" " * (17 * 1024 * 1024))
    response = httpx.post(
        f"{server.url}/api/v1/lineage",
        content=bomb,
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        timeout=30,
    )
    assert response.status_code == 413
    assert "decompressed" in response.json()["detail"]


def test_a_refused_tag_is_reported_to_the_emitter(server: Server) -> None:
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-05-01T10:00:00Z",
        "run": {"runId": "0191e2f3-0000-7000-8000-000000000abc"},
        "job": {"namespace": "spark", "name": "tagged_job"},
        "producer": "https://example.com/emitter",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "inputs": [],
        "outputs": [
            {
                "namespace": "hive://wh",
                "name": "db.tagged",
                "facets": {
                    "tags": {
                        "_producer": "https://example.com/emitter",
                        "_schemaURL": "https://openlineage.io/spec/facets/1-0-0/TagsDatasetFacet.json",
                        "tags": [
                            {"key": "pii", "value": "true", "field": "email"},
                            {"key": "Not A Tag!", "value": "true", "field": "email"},
                        ],
                    }
                },
            }
        ],
    }
    response = httpx.post(f"{server.url}/api/v1/lineage", json=event, timeout=30)
    assert response.status_code == 201, response.text
    assert any("not a tag" in r.lower() for r in response.json()["rejected_tags"]), response.json()


def ol_event(run_id: str, job: str, state: str, at: str, **extra: Any) -> dict[str, Any]:
    return {
        "eventType": state,
        "eventTime": at,
        "producer": PRODUCER,
        "run": {"runId": run_id, **extra.get("run", {})},
        "job": {"namespace": "airflow", "name": job},
        "inputs": extra.get("inputs", []),
        "outputs": extra.get("outputs", []),
    }


def test_runs_merge_their_reports_in_any_order_with_parents_and_statistics(server: Server) -> None:
    dag_run, task_run = "0190f3a2-0000-7000-8000-000000000001", "0190f3a2-0000-7000-8000-000000000002"
    parent = {"facets": {"parent": {"run": {"runId": dag_run}, "job": {"namespace": "airflow", "name": "nightly"}}}}
    orders = {"namespace": HIVE, "name": "raw.orders"}
    daily = {
        "namespace": HIVE,
        "name": "mart.daily",
        "outputFacets": {"outputStatistics": {"rowCount": 1200, "size": 48000}},
    }
    events = [
        ol_event(
            task_run,
            "nightly.load_daily",
            "COMPLETE",
            "2026-02-01T02:10:30Z",
            run=parent,
            inputs=[orders],
            outputs=[daily],
        ),
        ol_event(task_run, "nightly.load_daily", "START", "2026-02-01T02:10:00Z", run=parent, inputs=[orders]),
        ol_event(task_run, "nightly.load_daily", "START", "2026-02-01T02:10:00Z", run=parent, inputs=[orders]),
        ol_event(dag_run, "nightly", "START", "2026-02-01T02:00:00Z"),
    ]
    for event in events:
        assert httpx.post(f"{server.url}/api/v1/lineage", json=event, timeout=10).status_code == 201
    answer = server.graphql("""{ job(namespace: "airflow", name: "nightly.load_daily") { runs {
        runId state startedAt endedAt durationMs parent { runId state } inputs { name } outputs { name }
        outputStatistics { dataset { name } rows bytes } } } }""")
    (run,) = answer["data"]["job"]["runs"]
    assert run == {
        "runId": task_run,
        "state": "COMPLETE",
        "startedAt": "2026-02-01T02:10:00.000Z",
        "endedAt": "2026-02-01T02:10:30.000Z",
        "durationMs": 30000,
        "parent": {"runId": dag_run, "state": "START"},
        "inputs": [{"name": "raw.orders"}],
        "outputs": [{"name": "mart.daily"}],
        "outputStatistics": [{"dataset": {"name": "mart.daily"}, "rows": 1200, "bytes": 48000}],
    }


def test_owners_come_from_the_ownership_facets(server: Server) -> None:
    ownership = {"owners": [{"name": "team:finance", "type": "MAINTAINER"}, {"name": "ana@example.com"}]}
    event = ol_event(
        "0190f3a2-0000-7000-8000-000000000009",
        "ledger.close",
        "COMPLETE",
        "2026-02-02T00:00:00Z",
        outputs=[{"namespace": HIVE, "name": "fin.ledger", "facets": {"ownership": ownership}}],
    )
    event["job"]["facets"] = {"ownership": {"owners": [{"name": "team:platform", "type": "OWNER"}]}}
    assert httpx.post(f"{server.url}/api/v1/lineage", json=event, timeout=10).status_code == 201
    found = server.graphql(f"""{{ job(namespace: "airflow", name: "ledger.close") {{ owners {{ name type }} }}
                               dataset(namespace: "{HIVE}", name: "fin.ledger") {{ owners {{ name type }} }} }}""")[
        "data"
    ]
    assert found["job"]["owners"] == [{"name": "team:platform", "type": "OWNER"}]
    assert found["dataset"]["owners"] == [
        {"name": "team:finance", "type": "MAINTAINER"},
        {"name": "ana@example.com", "type": None},
    ]


WAREHOUSE = "file"
PATH_NAME = "/warehouse/mart.db/emails"
EMAILS_UPSTREAM = """{ column(namespace: "hive://metastore:9083", dataset: "mart.emails", field: "email") {
  upstream { source { dataset field } } } }"""


def path_insert(run_id: str, source_table: str, at: str, job: str = "spark.ctas.insert") -> dict:
    """A Spark CTAS's inner insert: the table named by its warehouse path alone, no symlinks."""
    lineage = {"email": {"inputFields": [{"namespace": HIVE, "name": source_table, "field": "email"}]}}
    target = {"namespace": WAREHOUSE, "name": PATH_NAME, "facets": {"columnLineage": {"fields": lineage}}}
    return ol_event(run_id, job, "COMPLETE", at, outputs=[target])


def symlinked_ctas(run_id: str, at: str) -> dict:
    """The CTAS event itself: the path, with the table it is as a TABLE symlink."""
    symlinks = {"identifiers": [{"namespace": HIVE, "name": "mart.emails", "type": "TABLE"}]}
    target = {"namespace": WAREHOUSE, "name": PATH_NAME, "facets": {"symlinks": symlinks}}
    return ol_event(run_id, "spark.ctas", "COMPLETE", at, outputs=[target])


def test_a_table_named_by_its_path_alone_is_one_table_whichever_event_came_first(server: Server) -> None:
    events = [
        path_insert("0190f3a2-0000-7000-8000-000000000021", "crm.people", "2026-02-03T00:00:00Z"),
        symlinked_ctas("0190f3a2-0000-7000-8000-000000000022", "2026-02-03T00:00:01Z"),
        # Another job: the same job's newer column lineage for the table would replace the first.
        path_insert("0190f3a2-0000-7000-8000-000000000023", "crm.leads", "2026-02-03T00:00:02Z", "spark.append"),
    ]
    for event in events:
        assert httpx.post(f"{server.url}/api/v1/lineage", json=event, timeout=10).status_code == 201
    upstream = server.graphql(EMAILS_UPSTREAM)["data"]["column"]["upstream"]
    assert {(u["source"]["dataset"], u["source"]["field"]) for u in upstream} == {
        ("crm.people", "email"),
        ("crm.leads", "email"),
    }
    # The path finds the table, and holds no lineage of its own.
    found = server.graphql(f'{{ dataset(namespace: "{WAREHOUSE}", name: "{PATH_NAME}") {{ namespace name }} }}')
    assert found["data"]["dataset"] == {"namespace": HIVE, "name": "mart.emails"}
    by_path = server.graphql(
        f'{{ column(namespace: "{WAREHOUSE}", dataset: "{PATH_NAME}", field: "email") {{ dataset upstream {{ source {{ dataset }} }} }} }}'
    )
    assert by_path["data"]["column"]["dataset"] == "mart.emails"
    assert len(by_path["data"]["column"]["upstream"]) == 2
