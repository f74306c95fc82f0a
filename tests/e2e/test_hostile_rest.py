"""The second round of hostile input, on the REST and CLI side, against a real server on the
demo warehouse in open mode (no API keys): origins with their ports, cross-origin GraphQL by GET,
permanent faults of events answered as such, control characters in searches, slow clients."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import Server, run_cli, start_server, stop_server
from tests.e2e.test_hostile_http import Liveness

DECLARE = """mutation { declareTag(column: {namespace: "mysql://orders-db:3306", dataset: "shop.orders",
  field: "customer_id"}, tag: "pci", justification: "test") { field } }"""
JSON = {"content-type": "application/json"}
TAGS = '{ column(namespace: "mysql://orders-db:3306", dataset: "shop.orders", field: "customer_id") { tags { name } } }'


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("hostile-rest") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store)
    yield running
    stop_server(running)


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def tag_names(server: Server) -> set[str]:
    return {t["name"] for t in server.graphql(TAGS)["data"]["column"]["tags"]}  # type: ignore[index]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    """A problem document (RFC 9457) with Tagline's ``code``; on Marquez's routes ``code`` is the
    status, as Marquez's clients read it, and Tagline's code is in ``type``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == f"urn:tagline:problem:{code}"
    assert body["code"] == (status if "message" in body else code)
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_an_origin_on_another_port_is_another_origin(live: Server, host: str) -> None:
    port = port_of(live)
    other = 3000 if port != 3000 else 3001
    refused = httpx.post(
        f"{live.url}/graphql",
        json={"query": DECLARE},
        headers={"Host": f"{host}:{port}", "Origin": f"http://{host}:{other}"},
        timeout=10,
    )
    body = assert_problem(refused, 403, "FOREIGN_ORIGIN")
    assert f"http://{host}:{other}" in str(body["detail"])
    assert body["errors"] == [{"message": body["detail"], "extensions": {"code": "FOREIGN_ORIGIN"}}]
    assert "pci" not in tag_names(live)
    for origin in (f"https://{host}:{port}", "null", f"http://{host}:{port}.evil.example"):
        wrong = httpx.post(
            f"{live.url}/graphql",
            json={"query": TAGS},
            headers={"Host": f"{host}:{port}", "Origin": origin},
            timeout=10,
        )
        assert wrong.status_code == 403, origin


def test_the_server_own_origin_may_change_it(live: Server) -> None:
    port = port_of(live)
    own = httpx.post(
        f"{live.url}/graphql",
        json={"query": DECLARE},
        headers={"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"},
        timeout=10,
    )
    assert own.status_code == 200 and "errors" not in own.json(), own.text
    assert "pci" in tag_names(live)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost:3000"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another port of the same host is the same site
    ],
)
def test_graphql_by_get_from_another_origin_is_refused(live: Server, headers: dict[str, str]) -> None:
    refused = httpx.get(f"{live.url}/graphql", params={"query": "{ namespaces { name } }"}, headers=headers, timeout=10)
    assert_problem(refused, 403, "FOREIGN_ORIGIN")


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, "own"])
def test_graphql_by_get_from_the_server_or_a_program_is_answered(live: Server, headers: dict[str, str] | str) -> None:
    sent = {"Origin": live.url} if headers == "own" else headers
    answer = httpx.get(f"{live.url}/graphql", params={"query": "{ namespaces { name } }"}, headers=sent, timeout=10)
    assert answer.status_code == 200 and answer.json()["data"]["namespaces"], answer.text


def test_graphiql_page_may_be_opened_from_a_link_on_another_site(live: Server) -> None:
    page = httpx.get(f"{live.url}/graphql", headers={"Accept": "text/html", "Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()


# ---- permanent faults of events are 4xx, never "503, retry later" ------------------------------------


def event(name: str, time: str = "2026-01-05T06:00:00Z", state: str = "COMPLETE", run: str | None = None) -> dict:
    return {
        "eventType": state,
        "eventTime": time,
        "producer": "https://example.com/test",
        "run": {"runId": run or str(uuid.uuid4())},
        "job": {"namespace": "hostile", "name": name},
        "inputs": [{"namespace": "hostile", "name": "src"}],
        "outputs": [{"namespace": "hostile", "name": f"{name}_out"}],
    }


def post_event(server: Server, body: dict | str) -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps(body)
    return httpx.post(f"{server.url}/api/v1/lineage", content=content, headers=JSON, timeout=30)


def job_state(server: Server, name: str) -> tuple[str | None, str | None]:
    query = "query($q: String!) { search(query: $q, kinds: [JOB]) { edges { node { job { name lastRunState lastRunAt } } } } }"
    jobs = [e["node"]["job"] for e in server.graphql(query, {"q": name})["data"]["search"]["edges"]]  # type: ignore[index]
    found = [j for j in jobs if j["name"] == name]
    return (found[0]["lastRunState"], found[0]["lastRunAt"]) if found else (None, None)


def nested(levels: int) -> str:
    """A facet nested ``levels`` deep, as text: Python's json would need more stack to write it."""
    return '{"x":' * levels + "1" + "}" * levels


def test_an_event_nested_1000_levels_is_stored_not_told_to_retry(live: Server) -> None:
    body = json.dumps(event("deep"))
    deep = body.replace('"run": {', f'"run": {{"facets": {{"deep": {nested(1000)}}}, ', 1)
    first = post_event(live, deep)
    assert first.status_code == 201 and first.json()["status"] == "applied", first.text
    again = post_event(live, deep)
    assert again.status_code == 201 and again.json()["duplicate"] is True, again.text
    assert job_state(live, "deep")[0] == "COMPLETE"


def test_an_event_from_the_far_future_is_refused_and_nothing_lands(live: Server) -> None:
    refused = post_event(live, event("future", time="9999-12-31T23:59:59Z"))
    body = assert_problem(refused, 422, "INVALID_INPUT")
    assert [e["path"] for e in body["errors"]] == ["eventTime"]  # type: ignore[union-attr]
    assert "TAGLINE_EVENT_TIME_SKEW_SECONDS" in str(body["detail"])
    assert job_state(live, "future") == (None, None)
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()  # within the default skew of a day
    assert post_event(live, event("soon", time=soon)).status_code == 201


@pytest.mark.parametrize("time", ["2026-01-05T06:00:00", "2026-01-05 06:00:00.123", "2026-01-05T06:00"])
def test_an_event_time_without_its_offset_is_refused(live: Server, time: str) -> None:
    body = assert_problem(post_event(live, event("local", time=time)), 422, "INVALID_INPUT")
    assert body["errors"] == [{"path": "eventTime", "message": AnyText("offset")}]
    assert job_state(live, "local") == (None, None)


class AnyText(str):
    """Equal to any text holding this one."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other

    __hash__ = str.__hash__


@pytest.mark.parametrize("order", ["end first", "start first"])
def test_a_job_state_follows_its_latest_run_whatever_the_times_say(live: Server, order: str) -> None:
    name, run = f"conflicting_{order.split(maxsplit=1)[0]}", str(uuid.uuid4())
    # The emitter's clock disagrees with itself: the run's end is dated before its start.
    end = event(name, time="2026-01-05T06:00:00Z", state="COMPLETE", run=run)
    start = event(name, time="2026-01-05T07:00:00Z", state="START", run=run)
    for sent in [end, start] if order == "end first" else [start, end]:
        assert post_event(live, sent).status_code == 201
    assert job_state(live, name)[0] == "COMPLETE"
    runs = httpx.get(f"{live.url}/api/v1/namespaces/hostile/jobs/{name}", timeout=10).json()["latestRun"]
    assert runs["state"] == "COMPLETED"
    # A later run still takes over.
    assert post_event(live, event(name, time="2026-01-06T06:00:00Z", state="START")).status_code == 201
    assert job_state(live, name) == ("START", "2026-01-06T06:00:00.000Z")


# ---- control characters in searches ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["\u0000", "cust\u0000", "a\nb", "\u001b[2J"])
def test_a_search_with_control_characters_is_refused_with_a_code(live: Server, query: str) -> None:
    answer = live.graphql("query($q: String!) { search(query: $q) { totalCount } }", {"q": query})
    assert answer["data"] is None or answer["data"]["search"] is None  # type: ignore[index]
    error = answer["errors"][0]  # type: ignore[index]
    assert error["extensions"]["code"] == "INVALID_INPUT" and "control character" in error["message"]
    marquez = httpx.get(f"{live.url}/api/v1/search", params={"q": query}, timeout=10)
    body = assert_problem(marquez, 400, "INVALID_INPUT")
    assert body["code"] == 400 and "control character" in str(body["message"])
    assert httpx.get(f"{live.url}/api/v1/search", params={"q": "cust"}, timeout=10).json()["totalCount"] > 0


# ---- one error contract ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "request_args", "status", "code"),
    [
        ("GET", "/api/v1/nothing-here", {}, 404, "NOT_FOUND"),
        ("DELETE", "/api/v1/dependencies", {"headers": JSON}, 405, "METHOD_NOT_ALLOWED"),
        ("GET", "/api/v1/dependencies", {"params": {"namespace": "airflow"}}, 400, "INVALID_INPUT"),
        ("GET", "/api/v1/dependencies", {"params": {"namespace": "airflow", "job": "nope"}}, 404, "NOT_FOUND"),
        ("POST", "/api/v1/dependencies/check", {"json": {"job": "x"}}, 422, "INVALID_INPUT"),
        ("POST", "/api/v1/sql", {"content": "{", "headers": JSON}, 400, "MALFORMED_JSON"),
        ("POST", "/api/v1/sql", {"json": [{"dialect": "hive"}]}, 422, "INVALID_INPUT"),
        ("POST", "/api/v1/lineage", {"content": "{", "headers": JSON}, 400, "MALFORMED_JSON"),
        ("POST", "/api/v1/lineage", {"json": {"eventTime": "x"}}, 422, "INVALID_INPUT"),
        (
            "POST",
            "/api/v1/lineage",
            {"content": "{}", "headers": {"content-type": "text/plain"}},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        ("GET", "/api/v1/namespaces/nowhere", {}, 404, "NOT_FOUND"),
        ("GET", "/api/v1/lineage", {"params": {"nodeId": "dataset:nowhere:x"}}, 404, "NOT_FOUND"),
        ("GET", "/api/v1/search", {"params": {"q": "x", "limit": "-1"}}, 400, "INVALID_INPUT"),
        ("GET", "/healthz", {"headers": {"Host": "rebound.example"}}, 400, "FOREIGN_HOST"),
    ],
)
def test_every_route_refuses_with_a_problem_document(
    live: Server, method: str, path: str, request_args: dict[str, Any], status: int, code: str
) -> None:
    body = assert_problem(httpx.request(method, f"{live.url}{path}", timeout=10, **request_args), status, code)
    assert "error" not in body


def test_graphql_codes_not_found_on_impact_as_on_lineage_and_argument_ranges(live: Server) -> None:
    impact = live.graphql('{ impact(namespace: "nowhere", dataset: "x") { columns { depth } } }')
    assert [e["extensions"]["code"] for e in impact["errors"]] == ["NOT_FOUND"]  # type: ignore[index]
    lineage = live.graphql('{ lineage(namespace: "nowhere", dataset: "x") { nodes { id } } }')
    assert [e["extensions"]["code"] for e in lineage["errors"]] == ["NOT_FOUND"]  # type: ignore[index]
    for query in (
        '{ impact(namespace: "mysql://orders-db:3306", dataset: "shop.orders", depth: 0) { columns { depth } } }',
        '{ search(query: "cust", first: 0) { totalCount } }',
        '{ search(query: "cust", after: "no-cursor") { totalCount } }',
        "{ health(days: 0) { days } }",
    ):
        errors = live.graphql(query)["errors"]  # type: ignore[index]
        assert [e["extensions"]["code"] for e in errors] == ["INVALID_INPUT"], (query, errors)


# ---- idle and slow connections ---------------------------------------------------------------------

SLOW = {"TAGLINE_HEAD_TIMEOUT_SECONDS": "1", "TAGLINE_KEEP_ALIVE_SECONDS": "1"}
# Generous: only a connection the server never closes fails the tests below.
HANG_S = 30


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(str(tmp_path_factory.mktemp("slow") / "graph.db"), SLOW)
    yield running
    stop_server(running)


def connect(server: Server) -> socket.socket:
    parts = urlsplit(server.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=HANG_S)


def closed_by_server(sock: socket.socket) -> bool:
    """Read until the server closes the connection (True) or HANG_S pass without it (False)."""
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_connection_that_sends_nothing_is_closed(guarded: Server) -> None:
    with connect(guarded) as idle:
        assert closed_by_server(idle)


def test_headers_sent_a_byte_at_a_time_are_cut_off(guarded: Server) -> None:
    head = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {'x' * 200}\r\n\r\n".encode()
    with connect(guarded) as slow:
        sent, stop = 0, threading.Event()

        def trickle() -> None:
            nonlocal sent
            try:
                for byte in head:
                    if stop.wait(0.05):
                        return
                    slow.send(bytes([byte]))
                    sent += 1
            except OSError:
                pass

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        closed = closed_by_server(slow)
        stop.set()
        sender.join(timeout=HANG_S)
    assert closed and sent < len(head), f"{sent} of {len(head)} bytes sent before the server closed"
    assert httpx.get(f"{guarded.url}/healthz", timeout=10).status_code == 200


def test_an_idle_connection_after_an_answer_is_closed(guarded: Server) -> None:
    with connect(guarded) as kept:
        kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b"200 OK" in kept.recv(4096)
        assert closed_by_server(kept)


def test_requests_in_time_on_one_connection_are_all_answered(guarded: Server) -> None:
    with httpx.Client(base_url=guarded.url, timeout=10) as client:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
        pipelined = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 3
    with connect(guarded) as sock:
        sock.sendall(pipelined)
        answers = b""
        while answers.count(b"200 OK") < 3:
            chunk = sock.recv(4096)
            assert chunk, answers
            answers += chunk


def test_a_hundred_silent_connections_neither_stop_liveness_nor_stay_open(guarded: Server) -> None:
    with Liveness(guarded):
        sockets = [connect(guarded) for _ in range(100)]
        try:
            assert httpx.get(f"{guarded.url}/healthz", timeout=10).status_code == 200
            assert all(closed_by_server(s) for s in sockets)
        finally:
            for opened in sockets:
                opened.close()
