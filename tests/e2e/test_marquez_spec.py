"""Marquez's API as its OpenAPI spec (``spec/openapi.yml`` in Marquez's repository) defines it:
every route Tagline answers, and every field of every schema those routes answer, checked on a
live server. The fields are listed here from a reading of the spec, schema by schema; nested
schemas are followed (a Dataset's ``id`` is a DatasetId, a Run's ``jobVersion`` a JobVersionId).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.e2e.marquez_world import ETL, JOB_NS, KAFKA, LAKE, RAW, RUN_B, TOPIC, auth, get, serve_world

# schema -> its fields; a field's value names the schema it holds (a list's items for lists), or None.
SCHEMAS: dict[str, dict[str, str | None]] = {
    "Namespace": dict.fromkeys(["name", "createdAt", "updatedAt", "ownerName", "description"]),
    "NamespaceList": {"namespaces": "Namespace"},
    "Source": dict.fromkeys(["type", "name", "createdAt", "updatedAt", "connectionUrl", "description"]),
    "SourceList": {"sources": "Source"},
    "DatasetId": dict.fromkeys(["namespace", "name"]),
    "Field": dict.fromkeys(["name", "type", "tags", "description"]),
    "Dataset": {
        **dict.fromkeys(
            [
                "type",
                "name",
                "physicalName",
                "createdAt",
                "updatedAt",
                "namespace",
                "sourceName",
                "tags",
                "lastModifiedAt",
                "lastLifecycleState",
                "description",
                "facets",
                "currentVersion",
                "deleted",
            ]
        ),
        "id": "DatasetId",
        "fields": "Field",
    },
    "DatasetList": {"datasets": "Dataset", "totalCount": None},
    "DatasetVersionId": dict.fromkeys(["namespace", "name", "version"]),
    "DatasetVersion": {
        **dict.fromkeys(
            ["type", "name", "physicalName", "createdAt", "version", "namespace", "sourceName", "tags", "description"]
        ),
        "id": "DatasetVersionId",
        "fields": "Field",
        "createdByRun": "Run",
        "facets": None,
    },
    "DatasetVersionList": {"versions": "DatasetVersion"},
    "JobId": dict.fromkeys(["namespace", "name"]),
    "JobVersionId": dict.fromkeys(["namespace", "name", "version"]),
    "Job": {
        **dict.fromkeys(
            [
                "type",
                "name",
                "simpleName",
                "parentJobName",
                "parentJobUuid",
                "createdAt",
                "updatedAt",
                "namespace",
                "location",
                "context",
                "description",
                "facets",
                "currentVersion",
            ]
        ),
        "id": "JobId",
        "inputs": "DatasetId",
        "outputs": "DatasetId",
        "latestRun": "Run",
        "latestRuns": "Run",
    },
    "JobList": {"jobs": "Job", "totalCount": None},
    "JobVersion": {
        **dict.fromkeys(["name", "version", "createdAt", "namespace", "location", "context", "facets"]),
        "id": "JobVersionId",
        "inputs": "DatasetId",
        "outputs": "DatasetId",
        "latestRun": "Run",
    },
    "JobVersionList": {"versions": "JobVersion"},
    "DatasetVersionRef": {"datasetVersionId": "DatasetVersionId", "facets": None},
    "Run": {
        **dict.fromkeys(
            [
                "id",
                "createdAt",
                "updatedAt",
                "nominalStartTime",
                "nominalEndTime",
                "state",
                "startedAt",
                "endedAt",
                "durationMs",
                "args",
                "facets",
                "context",
            ]
        ),
        "jobVersion": "JobVersionId",
        "inputDatasetVersions": "DatasetVersionRef",
        "outputDatasetVersions": "DatasetVersionRef",
    },
    "RunList": {"runs": "Run"},
    "FacetsResult": dict.fromkeys(["runId", "facets"]),
    "LineageEvent": dict.fromkeys(["eventType", "eventTime", "run", "job", "producer"]),
    "LineageEventList": {"events": "LineageEvent", "totalCount": None},
    "Tag": dict.fromkeys(["name", "description"]),
    "TagList": {"tags": "Tag"},
    "GraphEdge": dict.fromkeys(["origin", "destination"]),
    "GraphNode": {**dict.fromkeys(["id", "type", "data"]), "inEdges": "GraphEdge", "outEdges": "GraphEdge"},
    "LineageGraph": {"graph": "GraphNode"},
    "UpstreamJob": dict.fromkeys(["namespace", "name", "version"]),
    "UpstreamRun": dict.fromkeys(["id", "start", "end", "status"]),
    "UpstreamInput": dict.fromkeys(["namespace", "name", "version", "producedByRunId"]),
    "UpstreamEntry": {"job": "UpstreamJob", "run": "UpstreamRun", "inputs": "UpstreamInput"},
    "UpstreamRunLineage": {"runs": "UpstreamEntry"},
    "SearchResult": dict.fromkeys(["type", "name", "updatedAt", "namespace", "nodeId"]),
    "SearchResultList": {"totalCount": None, "results": "SearchResult"},
}
RUN_STATES = {"NEW", "RUNNING", "COMPLETED", "FAILED", "ABORTED"}


def q(name: str) -> str:
    return quote(name, safe="")


# Every GET route of the spec Tagline answers: (path, query parameters, the schema answered).
READS: list[tuple[str, dict[str, Any], str]] = [
    ("/namespaces", {"limit": 5}, "NamespaceList"),
    (f"/namespaces/{q(LAKE)}", {}, "Namespace"),
    ("/sources", {}, "SourceList"),
    (f"/sources/{q(LAKE)}", {}, "Source"),
    (f"/namespaces/{q(LAKE)}/datasets", {"limit": 10, "offset": 0}, "DatasetList"),
    (f"/namespaces/{q(LAKE)}/datasets/{q(RAW)}", {}, "Dataset"),
    (f"/namespaces/{q(LAKE)}/datasets/{q(RAW)}/versions", {"limit": 10}, "DatasetVersionList"),
    (f"/namespaces/{q(JOB_NS)}/jobs", {"limit": 10}, "JobList"),
    (f"/namespaces/{q(JOB_NS)}/jobs/{ETL}", {}, "Job"),
    (f"/namespaces/{q(JOB_NS)}/jobs/{ETL}/versions", {}, "JobVersionList"),
    (f"/namespaces/{q(JOB_NS)}/jobs/{ETL}/runs", {"limit": 10}, "RunList"),
    (f"/jobs/runs/{RUN_B}", {}, "Run"),
    (f"/jobs/runs/{RUN_B}/facets", {"type": "run"}, "FacetsResult"),
    (f"/jobs/runs/{RUN_B}/facets", {"type": "job"}, "FacetsResult"),
    ("/events/lineage", {"sortDirection": "asc", "limit": 3}, "LineageEventList"),
    ("/lineage", {"nodeId": f"dataset:{LAKE}:{RAW}", "depth": 2}, "LineageGraph"),
    ("/column-lineage", {"nodeId": f"dataset:{LAKE}:{RAW}", "depth": 2, "withDownstream": "true"}, "LineageGraph"),
    ("/runlineage/upstream", {"runId": RUN_B, "depth": 3}, "UpstreamRunLineage"),
    ("/tags", {}, "TagList"),
    ("/search", {"q": "orders", "filter": "DATASET", "sort": "NAME", "limit": 5}, "SearchResultList"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_world(str(tmp_path_factory.mktemp("marquez-spec") / "graph.db"))


def check(value: Any, schema: str, where: str) -> None:
    """Every field of ``schema`` is in ``value``, and so on down its nested schemas."""
    assert isinstance(value, dict), f"{where}: expected a {schema} object, got {value!r}"
    missing = set(SCHEMAS[schema]) - set(value)
    assert not missing, f"{where}: {schema} lacks {sorted(missing)}"
    for name, inner in SCHEMAS[schema].items():
        held = value[name]
        if inner is None or held is None:
            continue
        for n, item in enumerate(held if isinstance(held, list) else [held]):
            check(item, inner, f"{where}.{name}[{n}]")


@pytest.mark.parametrize(("path", "params", "schema"), READS, ids=[f"{r[2]} {r[0]}" for r in READS])
def test_every_read_route_answers_every_field(served: Server, path: str, params: dict[str, Any], schema: str) -> None:
    answer = get(served, path, **params)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    check(found, schema, path)
    # A list of a schema answered empty would check nothing: the world holds something for each.
    lists = [n for n, inner in SCHEMAS[schema].items() if inner and isinstance(found[n], list)]
    assert all(found[n] for n in lists), f"{path}: an empty list among {lists}"


def test_values_are_of_marquez_vocabularies(served: Server) -> None:
    dataset = get(served, f"/namespaces/{q(LAKE)}/datasets/{q(RAW)}").json()
    assert dataset["type"] in ("DB_TABLE", "STREAM") and isinstance(dataset["facets"], dict)
    assert get(served, f"/namespaces/{q(KAFKA)}/datasets/{q(TOPIC)}").json()["type"] == "STREAM"
    job = get(served, f"/namespaces/{q(JOB_NS)}/jobs/{ETL}").json()
    assert job["type"] in ("BATCH", "STREAM", "SERVICE")
    assert {r["state"] for r in job["latestRuns"]} <= RUN_STATES
    graph = get(served, "/lineage", nodeId=f"job:{JOB_NS}:{ETL}").json()["graph"]
    assert {n["type"] for n in graph} == {"JOB", "DATASET"}
    # A node's data is its dataset or job, whose type is the dataset's or job's, as in Marquez.
    assert {n["data"]["type"] for n in graph} <= {"DB_TABLE", "STREAM", "BATCH", "SERVICE"}
    results = get(served, "/search", q="o", limit=50).json()["results"]
    assert {r["type"] for r in results} == {"DATASET", "JOB"}


def test_every_write_route_answers_its_schema(served: Server) -> None:
    def send(method: str, path: str, body: dict[str, Any] | None, role: str) -> dict[str, Any]:
        answer = httpx.request(method, f"{served.url}/api/v1{path}", json=body, headers=auth(role), timeout=30)
        assert answer.status_code == 200, (method, path, answer.text)
        found: dict[str, Any] = answer.json()
        return found

    check(send("PUT", "/namespaces/ops", {"ownerName": "ops", "description": "d"}, "ingester"), "Namespace", "PUT ns")
    source = {"type": "POSTGRESQL", "connectionUrl": "jdbc:postgresql://db/ops"}
    check(send("PUT", "/sources/ops-db", source, "ingester"), "Source", "PUT source")
    table = {"type": "DB_TABLE", "physicalName": "t", "sourceName": "ops-db", "fields": [{"name": "a", "type": "INT"}]}
    check(send("PUT", "/namespaces/ops/datasets/t", table, "ingester"), "Dataset", "PUT dataset")
    job = {"type": "BATCH", "inputs": [{"namespace": "ops", "name": "t"}], "outputs": []}
    check(send("PUT", "/namespaces/ops/jobs/j", job, "ingester"), "Job", "PUT job")
    check(send("PUT", "/tags/ops", {"description": "operational"}, "steward"), "Tag", "PUT tag")
    check(send("POST", "/namespaces/ops/datasets/t/tags/ops", None, "steward"), "Dataset", "tag dataset")
    check(send("POST", "/namespaces/ops/datasets/t/fields/a/tags/pii", None, "steward"), "Dataset", "tag field")
    check(send("DELETE", "/namespaces/ops/datasets/t/fields/a/tags/pii", None, "steward"), "Dataset", "untag field")
    check(send("DELETE", "/namespaces/ops/datasets/t/tags/ops", None, "steward"), "Dataset", "untag dataset")
    for action in ("start", "complete"):
        run = send("POST", f"/jobs/runs/{RUN_B}/{action}", None, "ingester")
        check(run, "Run", action)
    assert run["state"] == "COMPLETED"


def test_refusals_are_marquez_errors(served: Server) -> None:
    for path, params, status in [
        (f"/namespaces/{q(LAKE)}/datasets/{q(RAW)}/versions/00000000-0000-0000-0000-000000000000", {}, 404),
        (f"/namespaces/{q(JOB_NS)}/jobs/{ETL}/versions/00000000-0000-0000-0000-000000000000", {}, 404),
        ("/jobs/runs/00000000-0000-0000-0000-000000000000", {}, 404),
        (f"/jobs/runs/{RUN_B}/facets", {"type": "dataset"}, 400),
        ("/events/lineage", {"before": "yesterday"}, 400),
        ("/events/lineage", {"sortDirection": "sideways"}, 400),
        ("/runlineage/upstream", {}, 400),
        ("/sources/nowhere", {}, 404),
        (f"/namespaces/{q(JOB_NS)}/jobs", {"lastRunStates": "SLEEPING"}, 400),
    ]:
        answer = get(served, path, **params)
        assert answer.status_code == status and answer.json()["code"] == status, (path, answer.text)
    wrong = httpx.patch(f"{served.url}/api/v1/tags/x", headers=auth("admin"), timeout=10)
    assert wrong.status_code == 405
