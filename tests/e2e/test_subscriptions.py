"""GraphQL subscriptions over graphql-transport-ws, with a real WebSocket client against a real
uvicorn: lineage written by `tagline ingest sql` in another process reaches a subscriber; tags
changed by a steward reach a subscriber of their family; keys and the per-key bound are kept.

Waits are bounded only to catch a hang (the delivery delay is measured in bench/subscriptions.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.e2e.conftest import Server, run_cli, run_cli_process, start_server, stop_server

HANG_S = 60
PROTOCOL = "graphql-transport-ws"
NS = "hive://subs"
LINEAGE = """
subscription ($ns: String!, $ds: String) {
  lineageChanged(namespace: $ns, dataset: $ds) { position namespace dataset changedEdges columns { id field } }
}
"""
TAGS = """
subscription ($family: String) {
  tagsChanged(family: $family) { position column { id tags { name origin } } }
}
"""
VIOLATIONS = "subscription { violationsChanged { position added { kind column { id } } resolved { kind } } }"
KEY = "reader-key-0123456789"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("subs") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store)
    yield running
    stop_server(running)


def ws_url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/graphql"


@contextmanager
def session(server: Server, payload: dict[str, Any] | None = None) -> Iterator[ClientConnection]:
    with connect(ws_url(server), subprotocols=[PROTOCOL], open_timeout=HANG_S) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": payload or {}}))
        ack = json.loads(ws.recv(timeout=HANG_S))
        assert ack["type"] == "connection_ack", ack
        yield ws


def subscribe(ws: ClientConnection, sid: str, query: str, variables: dict[str, Any]) -> None:
    ws.send(json.dumps({"id": sid, "type": "subscribe", "payload": {"query": query, "variables": variables}}))


def next_message(ws: ClientConnection, sid: str, until: float) -> dict[str, Any] | None:
    """The next message of subscription ``sid`` before ``until`` (monotonic), or None."""
    while (left := until - time.monotonic()) > 0:
        try:
            message = json.loads(ws.recv(timeout=left))
        except TimeoutError:
            return None
        if message.get("id") == sid:
            return message  # type: ignore[no-any-return]
    return None


def ingest(store: str, sql: str, in_process: bool = True) -> None:
    run = run_cli if in_process else run_cli_process
    run("ingest", "sql", "--store", store, "--dialect", "hive", "--namespace", NS, "--job", "subs", "-", stdin=sql)


def live_subscription(ws: ClientConnection, server: Server, sid: str) -> None:
    """Write to another dataset of the namespace until its event arrives: the subscription is then
    surely registered, so what follows cannot race it."""
    deadline = time.monotonic() + HANG_S
    n = 0
    while time.monotonic() < deadline:
        n += 1
        ingest(server.store, f"INSERT INTO warm.t{n} SELECT a FROM warm.src")
        message = next_message(ws, sid, time.monotonic() + 2)
        if message is not None:
            assert message["type"] == "next", message
            return
    raise AssertionError(f"no event within {HANG_S} s")


def test_lineage_ingested_by_another_process_reaches_the_subscriber(live: Server) -> None:
    with session(live) as ws:
        subscribe(ws, "all", LINEAGE, {"ns": NS})
        live_subscription(ws, live, "all")
        # Only the dataset asked for: the warm-up tables do not reach this one.
        subscribe(ws, "orders", LINEAGE, {"ns": NS, "ds": "mart.orders"})
        live_subscription(ws, live, "all")

        ingest(live.store, "INSERT INTO mart.orders SELECT id, amount * 2 AS total FROM raw.orders", in_process=False)
        deadline = time.monotonic() + HANG_S
        message = next_message(ws, "orders", deadline)
        assert message is not None and message["type"] == "next", message
        change = message["payload"]["data"]["lineageChanged"]
        assert change["namespace"] == NS and change["dataset"] == "mart.orders"
        assert change["changedEdges"] >= 2
        assert {c["field"] for c in change["columns"]} >= {"id", "total"}
        # What the event says is readable at its position.
        answer = httpx.post(
            f"{live.url}/graphql",
            json={
                "query": f'{{ column(namespace: "{NS}", dataset: "mart.orders", field: "total") {{ upstream {{ source {{ field }} }} }} }}'
            },
            headers={"X-Tagline-After": change["position"]},
            timeout=HANG_S,
        ).json()
        assert answer["data"]["column"]["upstream"] == [{"source": {"field": "amount"}}]


def test_a_steward_tag_reaches_subscribers_of_its_family_and_of_violations(live: Server) -> None:
    ingest(live.store, "INSERT INTO mart.customers SELECT email FROM raw.customers")
    with session(live) as ws:
        subscribe(ws, "pii", TAGS, {"family": "pii"})
        subscribe(ws, "violations", VIOLATIONS, {})
        subscribe(ws, "warm", LINEAGE, {"ns": NS})
        live_subscription(ws, live, "warm")
        declare = (
            f'mutation {{ declareTag(column: {{namespace: "{NS}", dataset: "raw.customers", field: "email"}}, '
            'tag: "pii.email") { id } }'
        )
        done = httpx.post(f"{live.url}/graphql", json={"query": declare}, timeout=HANG_S).json()
        assert "errors" not in done, done
        seen: dict[str, list[str]] = {}
        deadline = time.monotonic() + HANG_S
        while len(seen) < 2:
            message = next_message(ws, "pii", deadline)
            assert message is not None and message["type"] == "next", (message, seen)
            column = message["payload"]["data"]["tagsChanged"]["column"]
            seen[column["id"]] = [t["name"] for t in column["tags"]]
        assert seen == {
            f"datasetField:{NS}:raw.customers:email": ["pii.email"],
            f"datasetField:{NS}:mart.customers:email": ["pii.email"],
        }
        # mart.customers is read by nobody: a sink, now receiving PII.
        message = next_message(ws, "violations", time.monotonic() + HANG_S)
        assert message is not None and message["type"] == "next", message
        change = message["payload"]["data"]["violationsChanged"]
        assert change["resolved"] == []
        assert {(v["kind"], v["column"]["id"]) for v in change["added"]} == {
            ("SINK_RECEIVES_SENSITIVE", f"datasetField:{NS}:mart.customers:email")
        }


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("subs-keyed") / "graph.db")
    run_cli("demo", "--store", store)
    env = {"TAGLINE_API_KEYS": f"reader1:{KEY}:reader", "TAGLINE_MAX_SUBSCRIPTIONS_PER_KEY": "1"}
    running = start_server(store, env=env)
    yield running
    stop_server(running)


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer wrong-key"}])
def test_without_a_valid_key_the_connection_is_refused(keyed: Server, payload: dict[str, str]) -> None:
    with connect(ws_url(keyed), subprotocols=[PROTOCOL], open_timeout=HANG_S) as ws:  # type: ignore[list-item]
        ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=HANG_S)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


def test_subscriptions_per_key_are_bounded(keyed: Server) -> None:
    with session(keyed, {"Authorization": f"Bearer {KEY}"}) as ws:
        subscribe(ws, "one", LINEAGE, {"ns": NS})
        subscribe(ws, "two", LINEAGE, {"ns": NS})
        message = next_message(ws, "two", time.monotonic() + HANG_S)
        assert message is not None and message["type"] == "error", message
        error = message["payload"][0]
        assert error["extensions"]["code"] == "SUBSCRIPTION_LIMIT"
        assert "TAGLINE_MAX_SUBSCRIPTIONS_PER_KEY" in error["message"]


def test_a_page_of_another_origin_cannot_open_one(live: Server) -> None:
    with (
        pytest.raises(Exception) as refused,
        connect(
            ws_url(live),
            subprotocols=[PROTOCOL],
            additional_headers={"Origin": "https://evil.example"},
            open_timeout=HANG_S,  # type: ignore[list-item]
        ),
    ):
        pass
    assert "403" in str(refused.value)


def test_a_subscription_sent_over_http_points_at_the_websocket(live: Server) -> None:
    sent = {"query": LINEAGE, "variables": {"ns": NS}}
    refused = httpx.post(f"{live.url}/graphql", json=sent, timeout=HANG_S)
    assert refused.status_code == 400
    assert "WebSocket" in refused.json()["errors"][0]["message"]
