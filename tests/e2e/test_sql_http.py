"""Runtime SQL over HTTP, the way engine hooks report finished queries: POST /api/v1/sql."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server, run_cli, start_server, stop_server

NS = "hive://hooks"
KEYS = "ana:reader-key-1:reader,ivy:ingest-key-3:ingester"
SLOW = "INSERT INTO d.t SELECT " + ", ".join(f"upper(c{i}) || c{i + 1} AS o{i}" for i in range(2400)) + " FROM d.s"
"""Most of a second of tracing: past the 0.05 s per-statement budget this server is given."""


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("sql") / "graph.db")
    env = {"TAGLINE_API_KEYS": KEYS, "TAGLINE_SQL_STATEMENT_TIMEOUT_SECONDS": "0.05", "TAGLINE_MAX_SQL_QUERIES": "3"}
    running = start_server(store, env)
    yield running
    stop_server(running)


def post(server: Server, body: Any, key: str = "ingest-key-3") -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/sql", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=60)


def ask(server: Server, query: str) -> dict[str, Any]:
    server.caught_up()
    response = httpx.post(
        f"{server.url}/graphql", json={"query": query}, timeout=30, headers={"Authorization": "Bearer reader-key-1"}
    )
    return response.json()["data"]


def test_one_finished_query_is_recorded_with_its_own_time(hooked: Server) -> None:
    line = {
        "sql": "INSERT INTO mart.daily SELECT id, amount * 2 AS amount FROM shop.orders",
        "dialect": "hive",
        "namespace": NS,
        "job": "nightly",
        "ts": "2026-11-30T04:00:00Z",
        "query_id": "q-1",
    }
    response = post(hooked, line)
    assert response.status_code == 201, response.text
    body = response.json()
    recorded = {k: body[k] for k in ("queries", "statements", "edges", "reads", "failed", "partial", "failures")}
    expected = {"queries": 1, "statements": 1, "edges": 2, "reads": 1, "failed": 0, "partial": 0, "failures": []}
    assert recorded == expected
    assert body["new_edges"] >= 2  # the column edges, and the job's read and write
    column = ask(
        hooked,
        f'{{ column(namespace: "{NS}", dataset: "mart.daily", field: "amount") '
        "{ upstream { source { field } transformation { subtype } lastSeen job { name } } } }",
    )
    (edge,) = column["column"]["upstream"]
    assert edge["source"]["field"] == "amount" and edge["transformation"]["subtype"] == "TRANSFORMATION"
    assert edge["job"]["name"] == "nightly" and edge["lastSeen"].startswith("2026-11-30T04:00:00")


def test_a_batch_keeps_what_traced_and_dead_letters_the_rest(hooked: Server) -> None:
    lines = [
        {"sql": "INSERT INTO mart.good SELECT id FROM shop.users", "dialect": "hive", "namespace": NS, "job": "etl"},
        {"sql": "INSERT INTO x SELECT FROM", "dialect": "hive", "namespace": NS, "user": "carol", "query_id": "bad-1"},
        {
            "sql": SLOW,
            "dialect": "hive",
            "namespace": NS,
            "job": "huge",
            "query_id": "slow-1",
            "ts": "2026-11-29T01:00:00Z",
        },
    ]
    response = post(hooked, lines)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["queries"] == 3 and body["failed"] == 2 and body["partial"] == 0 and body["edges"] >= 1
    assert [f["partial"] for f in body["failures"]] == [False, False]
    reasons = {f["location"].split(" ")[1]: f["reason"] for f in body["failures"]}
    assert "time budget" in reasons["slow-1"] and reasons["bad-1"]
    good = ask(
        hooked,
        f'{{ column(namespace: "{NS}", dataset: "mart.good", field: "id") {{ upstream {{ source {{ field }} }} }} }}',
    )
    assert good["column"]["upstream"] == [{"source": {"field": "id"}}]
    kept = run_cli("deadletter", "list", "--store", hooked.store).stdout
    assert "bad-1" in kept and "slow-1" in kept

    # The statement over the server's budget is traced by a replay (the CLI's 10 s budget), at the
    # time the engine ran it; the one that does not parse stays.
    slow_id = next(line.split()[0] for line in kept.splitlines() if "slow-1" in line)
    replayed = run_cli("deadletter", "replay", slow_id, "--store", hooked.store)
    assert "1 replayed" in replayed.stdout
    huge = ask(
        hooked,
        f'{{ column(namespace: "{NS}", dataset: "d.t", field: "o7") {{ upstream {{ source {{ field }} lastSeen }} }} }}',
    )
    assert {e["source"]["field"] for e in huge["column"]["upstream"]} == {"c7", "c8"}
    assert {e["lastSeen"][:19] for e in huge["column"]["upstream"]} == {"2026-11-29T01:00:00"}
    assert "bad-1" in run_cli("deadletter", "list", "--store", hooked.store).stdout


def test_a_write_without_column_lineage_is_counted_as_partial(hooked: Server) -> None:
    """Its tables land (the job writes mart.latest, reading shop.orders), its columns do not trace:
    a failure, and a partial one, as the CLI's summary counts it."""
    lines = [
        {
            "sql": "INSERT INTO mart.latest VALUES ((SELECT max(id) FROM shop.orders))",
            "dialect": "hive",
            "namespace": NS,
            "job": "latest",
            "query_id": "partial-1",
        },
        {"sql": "INSERT INTO x SELECT FROM", "dialect": "hive", "namespace": NS, "job": "broken", "query_id": "bad-2"},
    ]
    response = post(hooked, lines)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["failed"] == 2 and body["partial"] == 1
    partial = {f["location"].split(" ")[1]: f["partial"] for f in body["failures"]}
    assert partial == {"partial-1": True, "bad-2": False}
    writers = ask(hooked, f'{{ dataset(namespace: "{NS}", name: "mart.latest") {{ writers {{ name }} }} }}')
    assert writers["dataset"]["writers"] == [{"name": "latest"}]


def test_a_line_without_a_dialect_takes_its_namespace_engine(hooked: Server) -> None:
    lines = [
        {
            "sql": "INSERT INTO dw.sales SELECT `id`, amount FROM shop.orders",
            "namespace": "mysql://db:3306",
            "job": "m",
        },
        {"sql": "INSERT INTO a.b SELECT x FROM c.d", "namespace": "warehouse", "job": "w", "query_id": "nodialect-1"},
    ]
    body = post(hooked, lines).json()
    assert body["edges"] == 2 and [f["location"] for f in body["failures"]] == ["query nodialect-1 (line 2)"]
    assert "no engine in its namespace" in body["failures"][0]["reason"]
    sales = ask(
        hooked,
        '{ column(namespace: "mysql://db:3306", dataset: "dw.sales", field: "id") { upstream { source { dataset } } } }',
    )
    assert sales["column"]["upstream"] == [{"source": {"dataset": "shop.orders"}}]
    # Kept for the record; a replay cannot guess the dialect, and says so instead of stopping.
    kept = run_cli("deadletter", "list", "--store", hooked.store).stdout
    nodialect_id = next(line.split()[0] for line in kept.splitlines() if "nodialect-1" in line)
    replayed = run_cli("deadletter", "replay", nodialect_id, "--store", hooked.store, check=False)
    assert replayed.returncode == 1 and "send the query again with one" in replayed.stderr


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"dialect": "hive"}, 422, "sql"),
        ([], 422, "1 to 3 queries"),
        ([{"sql": "SELECT 1", "dialect": "hive"}] * 4, 422, "TAGLINE_MAX_SQL_QUERIES"),
        ({"sql": "  ", "dialect": "hive"}, 422, "must not be empty"),
        ({"sql": "SELECT 1", "ts": "yesterday"}, 422, "ts"),
        ({"sql": "SELECT 1", "ts": 12345}, 422, "RFC 3339"),
    ],
)
def test_bodies_that_are_not_query_log_lines_are_refused_whole(
    hooked: Server, body: Any, status: int, said: str
) -> None:
    response = post(hooked, body)
    assert response.status_code == status and said in response.text


def test_only_ingesters_may_post_sql(hooked: Server) -> None:
    line = {"sql": "INSERT INTO mart.x SELECT id FROM shop.users", "dialect": "hive", "namespace": NS, "job": "etl"}
    assert post(hooked, line, key="reader-key-1").status_code == 403
    not_json = httpx.post(
        f"{hooked.url}/api/v1/sql",
        content=b"{",
        timeout=10,
        headers={"Authorization": "Bearer ingest-key-3", "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
