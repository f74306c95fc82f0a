"""A request that starts after a write committed sees it, whichever process wrote.

The server here is `tagline serve` in a process of its own; the writes come from this process
through a GraphStore of its own on the same file (as `tagline ingest sql` writes, through the same
service), and a few from the installed `tagline` script itself. No test waits for the server's
index to catch up first: that is the point.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tagline.api.services.ingestion import SqlOptions, ingest_sql_texts
from tagline.graph.changelog.log import REMOTE_POSITION
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.e2e.conftest import Server, run_cli, run_cli_process, start_server, start_server_process, stop_server

NS = "hive://ryw"
ROUNDS = 1_000
# Only a hang fails a test here.
HANG_S = 600
UPSTREAM = """
query ($dataset: String!) {
  column(namespace: "hive://ryw", dataset: $dataset, field: "v") { upstream { source { dataset field } } }
}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("ryw") / "graph.db")
    GraphStore(store).close()  # the file exists before the server opens it
    # A long refresh interval: what the server sees, it sees because it caught up per request.
    running = start_server_process(
        store, {"TAGLINE_INDEX_REFRESH_SECONDS": "3600", "TAGLINE_READ_AFTER_TIMEOUT_SECONDS": "0.5"}
    )
    yield running
    stop_server(running)


def upstream_of(client: httpx.Client, dataset: str) -> list[dict[str, str]] | None:
    response = client.post("/graphql", json={"query": UPSTREAM, "variables": {"dataset": dataset}})
    assert response.status_code == 200, response.text
    column = response.json()["data"]["column"]
    return None if column is None else [edge["source"] for edge in column["upstream"]]


def chain_sql(n: int) -> str:
    """Round ``n`` writes table ``t<n>`` from the previous round's table."""
    return f"INSERT INTO db.t{n} SELECT v FROM db.t{n - 1}"


@pytest.mark.thorough
def test_every_write_is_seen_by_the_next_request(served: Server) -> None:
    options = SqlOptions(dialect="hive", namespace=NS, job_name="chain")
    writer = GraphStore(served.store)
    stale = []
    try:
        with httpx.Client(base_url=served.url, timeout=HANG_S) as client:
            for n in range(1, ROUNDS + 1):
                report = ingest_sql_texts(writer, [(f"round-{n}", chain_sql(n))], options)
                assert not report.failures, report.failures
                seen = upstream_of(client, f"db.t{n}")
                if seen != [{"dataset": f"db.t{n - 1}", "field": "v"}]:
                    stale.append((n, seen))
    finally:
        writer.close()
    assert stale == [], f"{len(stale)} stale answers of {ROUNDS}, first: {stale[:3]}"


def test_the_cli_prints_a_position_and_its_writes_are_seen_at_once(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=HANG_S) as client:
        for n in range(1, 4):
            sql = f"INSERT INTO cli.t{n} SELECT v FROM cli.s{n}"
            out = run_cli_process(
                "ingest", "sql", "-", "--dialect", "hive", "--namespace", NS, "--store", served.store, stdin=sql
            ).stdout
            position = out.splitlines()[-1].removeprefix("position ")
            assert position.isdigit(), out
            response = client.post(
                "/graphql",
                json={"query": UPSTREAM, "variables": {"dataset": f"cli.t{n}"}},
                headers={"X-Tagline-After": position},
            )
            assert response.json()["data"]["column"]["upstream"] == [{"source": {"dataset": f"cli.s{n}", "field": "v"}}]


def test_a_position_the_store_never_gave_is_refused(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=HANG_S) as client:
        bad = client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Tagline-After": "12-ab"})
        assert bad.status_code == 422 and bad.json()["code"] == "BAD_POSITION", bad.text
        ahead = client.post("/graphql", json={"query": "{ __typename }"}, headers={"X-Tagline-After": "999999999"})
        assert ahead.status_code == 503 and ahead.json()["code"] == "INDEX_BEHIND", ahead.text


def test_the_intake_routes_answer_the_position_of_their_write(served: Server) -> None:
    event = {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-01T04:00:00+00:00",
        "producer": "https://example.invalid/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
        "run": {"runId": "0193a4f0-0000-7000-8000-000000000001"},
        "job": {"namespace": "airflow", "name": "load"},
        "inputs": [{"namespace": NS, "name": "ol.src"}],
        "outputs": [
            {
                "namespace": NS,
                "name": "ol.dst",
                "facets": {
                    "columnLineage": {
                        "_producer": "https://example.invalid/producer",
                        "_schemaURL": "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json",
                        "fields": {"v": {"inputFields": [{"namespace": NS, "name": "ol.src", "field": "v"}]}},
                    }
                },
            }
        ],
    }
    query = {"sql": "INSERT INTO http.t SELECT v FROM http.s", "dialect": "hive", "namespace": NS, "job": "hook"}
    with httpx.Client(base_url=served.url, timeout=HANG_S) as client:
        positions = []
        for path, body, dataset, source in (
            ("/api/v1/lineage", event, "ol.dst", "ol.src"),
            ("/api/v1/sql", query, "http.t", "http.s"),
        ):
            written = client.post(path, json=body)
            assert written.status_code == 201, written.text
            position = written.headers["X-Tagline-Position"]
            assert position.isdigit() and written.json()["position"] == position
            positions.append(int(position))
            response = client.post(
                "/graphql",
                json={"query": UPSTREAM, "variables": {"dataset": dataset}},
                headers={"X-Tagline-After": position},
            )
            assert response.json()["data"]["column"]["upstream"] == [{"source": {"dataset": source, "field": "v"}}]
        assert positions[0] < positions[1]
        declare = (
            f'mutation {{ declareTag(column: {{namespace: "{NS}", dataset: "http.s", field: "v"}}, tag: "pii") '
            "{ field } }"
        )
        tagged = client.post("/graphql", json={"query": declare})
        assert tagged.json()["data"]["declareTag"] == {"field": "v"}, tagged.text
        assert int(tagged.headers["X-Tagline-Position"]) > positions[1]


@pytest.mark.engine
def test_on_janusgraph_a_read_after_a_position_sees_the_write_in_another_server(janusgraph_url: str) -> None:
    janusgraph_server.clear(janusgraph_url)
    # Index refreshes far apart: only X-Tagline-After can make the writes visible in time.
    slow = {"TAGLINE_INDEX_REFRESH_SECONDS": "3600", "TAGLINE_READ_AFTER_TIMEOUT_SECONDS": "120"}
    writer, reader = start_server(janusgraph_url, slow), start_server(janusgraph_url, slow)
    try:
        with httpx.Client(timeout=HANG_S) as client:
            query = {"sql": "INSERT INTO jg.t SELECT v FROM jg.s", "dialect": "hive", "namespace": NS, "job": "hook"}
            written = client.post(f"{writer.url}/api/v1/sql", json=query)
            assert written.status_code == 201, written.text
            position = written.headers["X-Tagline-Position"]
            assert REMOTE_POSITION.fullmatch(position) and written.json()["position"] == position
            answer = client.post(
                f"{reader.url}/graphql",
                json={"query": UPSTREAM, "variables": {"dataset": "jg.t"}},
                headers={"X-Tagline-After": position},
            )
            assert answer.json()["data"]["column"]["upstream"] == [{"source": {"dataset": "jg.s", "field": "v"}}]

            sql = "INSERT INTO jg.cli SELECT v FROM jg.s"
            out = run_cli(
                "ingest", "sql", "-", "--dialect", "hive", "--namespace", NS, "--store", janusgraph_url, stdin=sql
            )
            printed = out.stdout.splitlines()[-1].removeprefix("position ")
            assert REMOTE_POSITION.fullmatch(printed), out.stdout
            answer = client.post(
                f"{reader.url}/graphql",
                json={"query": UPSTREAM, "variables": {"dataset": "jg.cli"}},
                headers={"X-Tagline-After": printed},
            )
            assert answer.json()["data"]["column"]["upstream"] == [{"source": {"dataset": "jg.s", "field": "v"}}]
            wrong = client.post(
                f"{reader.url}/graphql", json={"query": "{ __typename }"}, headers={"X-Tagline-After": "7"}
            )
            assert wrong.status_code == 422 and wrong.json()["code"] == "BAD_POSITION"
    finally:
        stop_server(writer)
        stop_server(reader)
