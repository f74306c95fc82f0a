"""End to end: a job's SQL changes from reading `s.a` to reading `s.b` (through the CLI), and the
same through OpenLineage events over HTTP, a late older event included. Current answers, `asOf`,
`lineageDiff`, tags and the scheduler all follow."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tagline.graph.timefmt import iso, utcnow
from tests.e2e.conftest import Server, run_cli

NS = "hive://d"
UPSTREAM = """query ($dataset: String!, $asOf: DateTime) {
  column(namespace: "hive://d", dataset: $dataset, field: "c") {
    upstream(asOf: $asOf) { source { dataset field } validFrom validTo job { name } }
    tags { name }
  }
}"""
DIFF = """query ($from: DateTime!, $to: DateTime!, $dataset: String) {
  lineageDiff(from: $from, to: $to, namespace: "hive://d", dataset: $dataset) {
    added { source { dataset field } target { dataset field } validTo }
    removed { source { dataset field } target { dataset field } validTo job { name } }
    addedCount removedCount
    tagChanges { column { dataset field } tag change cause }
  }
}"""
RECOMMEND = """query ($namespace: String!, $name: String!) {
  recommendDependencies(namespace: $namespace, name: $name, staleAfterDays: 100000) { job { name } }
}"""


def data(answer: dict) -> dict:
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


def sources(server: Server, dataset: str, as_of: str | None = None) -> list[str]:
    found = data(server.graphql(UPSTREAM, {"dataset": dataset, "asOf": as_of}))["column"]["upstream"]
    return sorted(f"{e['source']['dataset']}.{e['source']['field']}" for e in found)


def ingest_job(server: Server, folder: Path, job: str, sql: str) -> None:
    path = folder / f"{job}.sql"
    path.write_text(sql)
    run_cli("ingest", "sql", str(path), "--job", job, "--dialect", "hive", "--namespace", NS, "--store", server.store)


def recommended(server: Server, namespace: str, job: str) -> list[str]:
    found = data(server.graphql(RECOMMEND, {"namespace": namespace, "name": job}))["recommendDependencies"]
    return sorted(d["job"]["name"] for d in found)


def test_a_jobs_new_sql_replaces_its_lineage(server: Server, tmp_path: Path) -> None:
    ingest_job(server, tmp_path, "load_a", "INSERT INTO s.a SELECT x FROM raw.a")
    ingest_job(server, tmp_path, "load_b", "INSERT INTO s.b SELECT y FROM raw.b")
    ingest_job(server, tmp_path, "report", "INSERT INTO t.report SELECT x AS c FROM s.a")
    run_cli("tag", "set", NS, "s.a", "x", "pii", "--store", server.store)
    assert [t["name"] for t in data(server.graphql(UPSTREAM, {"dataset": "t.report"}))["column"]["tags"]] == ["pii"]
    assert recommended(server, "default", "report") == ["load_a"]
    time.sleep(0.01)
    before = iso(utcnow())
    time.sleep(0.01)
    ingest_job(server, tmp_path, "report", "INSERT INTO t.report SELECT y AS c FROM s.b")

    assert sources(server, "t.report") == ["s.b.y"]
    assert sources(server, "t.report", before) == ["s.a.x"]
    tree = run_cli("lineage", NS, "t.report", "c", "--store", server.store).stdout
    assert "s.b.y" in tree and "s.a.x" not in tree
    old_tree = run_cli("lineage", NS, "t.report", "c", "--as-of", before, "--store", server.store).stdout
    assert "s.a.x" in old_tree and "s.b.y" not in old_tree

    diff = data(server.graphql(DIFF, {"from": before, "to": iso(utcnow()), "dataset": "t.report"}))["lineageDiff"]
    assert (diff["addedCount"], diff["removedCount"]) == (1, 1)
    assert diff["added"][0]["source"] == {"dataset": "s.b", "field": "y"} and diff["added"][0]["validTo"] is None
    [removed] = diff["removed"]
    assert removed["source"] == {"dataset": "s.a", "field": "x"} and removed["job"] == {"name": "report"}
    assert removed["validTo"] > before
    [lost] = [t for t in diff["tagChanges"] if t["change"] == "REMOVED" and t["tag"] == "pii"]
    assert lost["column"] == {"dataset": "t.report", "field": "c"} and "retired 1" in lost["cause"]
    cli_diff = json.loads(
        run_cli(
            "diff", "--since", before, "--namespace", NS, "--dataset", "t.report", "--json", "--store", server.store
        ).stdout
    )
    assert [e["source"] for e in cli_diff["removed"]] == [f"{NS}/s.a.x"]
    assert [e["source"] for e in cli_diff["added"]] == [f"{NS}/s.b.y"]

    marquez = httpx.get(
        f"{server.url}/api/v1/column-lineage",
        params={"nodeId": f"datasetField:{NS}:t.report:c", "depth": 2},
        timeout=10,
    ).json()
    fields = {n["id"] for n in marquez["graph"]}
    assert f"datasetField:{NS}:s.b:y" in fields and f"datasetField:{NS}:s.a:x" not in fields

    assert data(server.graphql(UPSTREAM, {"dataset": "t.report"}))["column"]["tags"] == []
    audit = data(
        server.graphql(
            """{ tagAudit(column: {namespace: "hive://d", dataset: "t.report", field: "c"}, tag: "pii") {
                 edges { node { change cause } } } }"""
        )
    )["tagAudit"]["edges"]
    withdrawn = [e["node"]["cause"] for e in audit if e["node"]["change"] == "REMOVED"]
    assert len(withdrawn) == 1
    assert f"{NS}/s.a.x -> {NS}/t.report.c of job default/report" in withdrawn[0]
    assert recommended(server, "default", "report") == ["load_b"]


PAST_TAGS = """query ($asOf: DateTime) {
  column(namespace: "hive://d", dataset: "t.summary", field: "c") {
    tags(asOf: $asOf) { name origin sources { column { dataset field } path { source { dataset field } } } }
  }
}"""


def test_tags_as_of_a_moment_follow_the_lineage_of_that_moment(server: Server, tmp_path: Path) -> None:
    ingest_job(server, tmp_path, "load_p", "INSERT INTO s.p SELECT x FROM raw.p")
    ingest_job(server, tmp_path, "load_q", "INSERT INTO s.q SELECT y FROM raw.q")
    ingest_job(server, tmp_path, "summary", "INSERT INTO t.summary SELECT x AS c FROM s.p")
    run_cli("tag", "set", NS, "raw.p", "x", "pii", "--store", server.store)
    time.sleep(0.01)
    before = iso(utcnow())
    time.sleep(0.01)
    ingest_job(server, tmp_path, "summary", "INSERT INTO t.summary SELECT y AS c FROM s.q")

    assert data(server.graphql(PAST_TAGS, {}))["column"]["tags"] == []
    [past] = data(server.graphql(PAST_TAGS, {"asOf": before}))["column"]["tags"]
    assert (past["name"], past["origin"]) == ("pii", "INHERITED")
    [source] = past["sources"]
    assert source["column"] == {"dataset": "raw.p", "field": "x"}
    assert [e["source"] for e in source["path"]] == [
        {"dataset": "raw.p", "field": "x"},
        {"dataset": "s.p", "field": "x"},
    ]
    assert data(server.graphql(PAST_TAGS, {"asOf": "2000-01-01T00:00:00Z"}))["column"]["tags"] == []


def event(run: int, at: str, source: str, job: str) -> dict:
    dataset, field = source.rsplit(".", 1)
    lineage = {"c": {"inputFields": [{"namespace": NS, "name": dataset, "field": field}]}}
    return {
        "eventType": "COMPLETE",
        "eventTime": at,
        "producer": "https://example.com/emitter",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": f"0190f3a2-0000-7000-8000-{run:012d}"},
        "job": {"namespace": "airflow", "name": job},
        "inputs": [{"namespace": NS, "name": dataset}],
        "outputs": [{"namespace": NS, "name": f"t.{job}", "facets": {"columnLineage": {"fields": lineage}}}],
    }


@pytest.mark.parametrize("late_first", [False, True], ids=["late", "in-order"])
def test_openlineage_events_replace_lineage_and_a_late_one_changes_only_the_past(
    server: Server, tmp_path: Path, late_first: bool
) -> None:
    ingest_job(server, tmp_path, "load_a", "INSERT INTO s.a SELECT x FROM raw.a")
    ingest_job(server, tmp_path, "load_b", "INSERT INTO s.b SELECT y FROM raw.b")
    job = f"ol_report_{int(late_first)}"
    first = event(1 + 10 * late_first, "2026-01-01T00:00:00Z", "s.a.x", job)
    newer = event(2 + 10 * late_first, "2026-01-05T00:00:00Z", "s.b.y", job)
    late = event(3 + 10 * late_first, "2026-01-03T00:00:00Z", "s.a.x", job)
    for posted in (first, newer, late) if not late_first else (first, late, newer):
        response = httpx.post(f"{server.url}/api/v1/lineage", json=posted, timeout=10)
        assert response.status_code == 201, response.text

    assert sources(server, f"t.{job}") == ["s.b.y"]
    assert sources(server, f"t.{job}", "2026-01-02T00:00:00Z") == ["s.a.x"]
    assert sources(server, f"t.{job}", "2026-01-04T00:00:00Z") == ["s.a.x"]
    assert sources(server, f"t.{job}", "2025-12-31T00:00:00Z") == []
    diff = data(
        server.graphql(DIFF, {"from": "2026-01-04T00:00:00Z", "to": "2026-01-06T00:00:00Z", "dataset": f"t.{job}"})
    )["lineageDiff"]
    assert [e["source"]["field"] for e in diff["removed"]] == ["x"]
    assert [e["source"]["field"] for e in diff["added"]] == ["y"]
    assert diff["removed"][0]["validTo"] == "2026-01-05T00:00:00.000Z"
    assert recommended(server, "airflow", job) == ["load_b"]


def test_bad_moments_are_refused_with_what_to_do(server: Server) -> None:
    backwards = server.graphql(
        '{ lineageDiff(from: "2026-01-05T00:00:00Z", to: "2026-01-01T00:00:00Z") { addedCount } }'
    )
    assert "must not be later than to" in backwards["errors"][0]["message"]
    no_namespace = server.graphql(
        '{ lineageDiff(from: "2026-01-01T00:00:00Z", to: "2026-01-05T00:00:00Z", dataset: "t.report") { addedCount } }'
    )
    assert "dataset needs its namespace" in no_namespace["errors"][0]["message"]
    result = run_cli("diff", "--since", "yesterday", "--store", server.store, check=False)
    assert result.returncode == 2 and "span back from now" in result.stderr
    result = run_cli("lineage", NS, "t.report", "c", "--as-of", "soon", "--store", server.store, check=False)
    assert result.returncode == 2 and "--as-of 'soon'" in result.stderr
