"""The requests Marquez's web UI makes, replayed against Tagline, and every field its pages read
found in the shape they read it.

The requests and the fields are listed here from a reading of the web UI's source (its request
functions under ``web/src/store/requests`` and the pages under ``web/src/routes`` and
``web/src/components``): the URL each page builds (query strings as the UI writes them, names
URL-encoded where the UI encodes them) and the properties it reads from the answer. A path
``a.b`` means ``b`` of ``a``; ``a[].b`` means ``b`` of every element of the list ``a`` (which must
not be empty, or nothing would be checked); ``a?.b`` is read with optional chaining, so ``a`` may
be null.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.e2e.conftest import Server
from tests.e2e.marquez_world import ETL, JOB_NS, LAKE, RAW, RUN_B, TIMES, get, serve_world


def enc(name: str) -> str:
    """What the UI's ``encodeURIComponent`` makes of a name."""
    return quote(name, safe="~()*!.'")


DATASET_NODE = ["name", "namespace", "fields[].name", "description", "updatedAt", "facets"]
JOB_NODE = ["name", "namespace", "latestRun?.state", "description", "updatedAt"]
# page -> [(request as the UI builds it, fields the page reads from its answer)]
PAGES: dict[str, list[tuple[str, list[str]]]] = {
    "header (namespace select, search)": [
        ("/namespaces", ["namespaces[].name"]),
        ("/search?q=orders&sort=NAME&limit=100", ["results[].name", "results[].namespace", "results[].type"]),
        ("/search?q=orders&sort=NAME&limit=100&filter=DATASET", ["results[].nodeId", "results[].updatedAt"]),
    ],
    "table-level lineage": [
        (
            f"/lineage?nodeId=dataset:{LAKE}:{RAW}&depth=2",
            [
                "graph[].id",
                "graph[].type",
                "graph[].inEdges",
                "graph[].outEdges",
                "graph[].data",
            ],
        ),
    ],
    "column-level lineage": [
        (
            f"/column-lineage?nodeId=dataset:{LAKE}:{RAW}&depth=2&withDownstream=true",
            [
                "graph[].id",
                "graph[].inEdges",
                "graph[].outEdges",
                "graph[].data.namespace",
                "graph[].data.dataset",
                "graph[].data.field",
            ],
        ),
    ],
    "datasets list": [
        (
            f"/namespaces/{enc(LAKE)}/datasets?limit=20&offset=0",
            [
                "totalCount",
                "datasets[].id.name",
                "datasets[].id.namespace",
                "datasets[].name",
                "datasets[].namespace",
                "datasets[].sourceName",
                "datasets[].updatedAt",
                "datasets[].facets",
                "datasets[].deleted",
                "datasets[].columnLineage",
            ],
        ),
    ],
    "dataset (drawer, latest and history tabs, tags)": [
        (
            f"/namespaces/{enc(LAKE)}/datasets/{enc(RAW)}",
            [
                "name",
                "namespace",
                "id.name",
                "id.namespace",
                "type",
                "createdAt",
                "updatedAt",
                "facets",
                "tags",
                "deleted",
                "columnLineage",
                "fields[].name",
                "fields[].type",
                "fields[].tags",
                "fields[].description",
            ],
        ),
        (
            f"/namespaces/{enc(LAKE)}/datasets/{enc(RAW)}/versions?limit=10&offset=0",
            [
                "totalCount",
                "versions[].version",
                "versions[].createdAt",
                "versions[].createdByRun?.id",
                "versions[].fields",
                "versions[].lifecycleState",
            ],
        ),
        ("/tags", ["tags[].name", "tags[].description"]),
    ],
    "jobs list": [
        (
            f"/namespaces/{enc(JOB_NS)}/jobs?limit=25&offset=0",
            [
                "totalCount",
                "jobs[].name",
                "jobs[].namespace",
                "jobs[].updatedAt",
                "jobs[].latestRun?.state",
                "jobs[].latestRun?.durationMs",
            ],
        ),
        ("/jobs?limit=25&offset=0", ["totalCount", "jobs[].name", "jobs[].namespace"]),
        ("/jobs?limit=25&offset=0&lastRunStates=COMPLETED", ["jobs[].latestRun.state"]),
    ],
    "job (drawer, latest run, history)": [
        (
            f"/namespaces/{enc(JOB_NS)}/jobs/{enc(ETL)}",
            [
                "name",
                "namespace",
                "id.name",
                "id.namespace",
                "type",
                "createdAt",
                "updatedAt",
                "description",
                "location",
                "parentJobName",
                "tags",
                "latestRun.state",
                "latestRun.startedAt",
                "latestRun.durationMs",
                "latestRuns[].id",
                "latestRuns[].state",
            ],
        ),
        (
            f"/namespaces/{enc(JOB_NS)}/jobs/{enc(ETL)}/runs?limit=14&offset=0",
            [
                "totalCount",
                "runs[].id",
                "runs[].state",
                "runs[].createdAt",
                "runs[].startedAt",
                "runs[].endedAt",
                "runs[].durationMs",
                "runs[].facets",
            ],
        ),
        (f"/jobs/runs/{RUN_B}/facets?type=job", ["runId", "facets.sql"]),
        (f"/jobs/runs/{RUN_B}/facets?type=run", ["runId", "facets"]),
    ],
    "events": [
        (
            f"/events/lineage?limit=100&before={TIMES[7]}&after={TIMES[0]}&offset=0&sortDirection=desc",
            [
                "totalCount",
                "events[].eventType",
                "events[].eventTime",
                "events[].job.name",
                "events[].job.namespace",
                "events[].run.runId",
            ],
        ),
        ("/events/lineage?limit=100&before=&after=&offset=0&sortDirection=desc", ["events[].eventType"]),
    ],
}
REQUESTS = [(page, request, fields) for page, calls in PAGES.items() for request, fields in calls]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_world(str(tmp_path_factory.mktemp("marquez-web") / "graph.db"))


def read(value: Any, path: str, where: str) -> None:
    """Read ``path`` from ``value`` as the page does, failing where the page would find nothing."""
    head, _, rest = path.partition(".")
    optional = head.endswith("?")
    name = head.rstrip("?")
    listed = name.endswith("[]")
    name = name.removesuffix("[]")
    assert isinstance(value, dict) and name in value, f"{where}: no {name!r} in {value!r:.300}"
    found = value[name]
    if listed:
        assert isinstance(found, list) and found, f"{where}: {name} is not a list with items: {found!r:.300}"
        for n, item in enumerate(found):
            if rest:
                read(item, rest, f"{where}.{name}[{n}]")
        return
    if rest and not (optional and found is None):
        read(found, rest, f"{where}.{name}")


@pytest.mark.parametrize(("page", "request_", "fields"), REQUESTS, ids=[f"{p}: {r}" for p, r, _ in REQUESTS])
def test_each_page_finds_every_field_it_reads(served: Server, page: str, request_: str, fields: list[str]) -> None:
    path, _, query = request_.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&")) if query else {}
    answer = get(served, path, **params)
    assert answer.status_code == 200, f"{page}: {request_} -> {answer.status_code} {answer.text}"
    for field in fields:
        read(answer.json(), field, request_)


def test_lineage_nodes_carry_what_the_node_renderers_read(served: Server) -> None:
    """The lineage page draws a dataset node and a job node from each graph node's ``data``."""
    graph = get(served, "/lineage", nodeId=f"dataset:{LAKE}:{RAW}", depth="2").json()["graph"]
    kinds = {n["type"] for n in graph}
    assert kinds == {"DATASET", "JOB"}
    for node in graph:
        for field in DATASET_NODE if node["type"] == "DATASET" else JOB_NODE:
            read(node["data"], field, node["id"])
        for edge in node["inEdges"] + node["outEdges"]:
            assert set(edge) == {"origin", "destination"}
