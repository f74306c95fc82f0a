"""Hostile and faulty input against a real server on the demo warehouse: every attack is refused
promptly with a status and a message that say why, /healthz answers throughout, and nothing is
lost or half-applied."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from graphql import get_introspection_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagline.graph.model import LineageBatch
from tagline.graph.store import GraphStore
from tests.conftest import col, derive
from tests.e2e.conftest import Server, run_cli, start_server, stop_server
from tests.unit.test_graphql_cost import deep_introspection

LIMITS = {
    "TAGLINE_BODY_TIMEOUT_SECONDS": "1",
    "TAGLINE_MAX_BODY_BYTES": "1000000",
    "TAGLINE_MAX_EVENT_COLUMNS": "200",
    "TAGLINE_MAX_CONFIGURED_DEPENDENCIES": "50",
}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("hostile") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store, LIMITS)
    yield running
    stop_server(running)


class Liveness:
    """Polls /healthz in the background while an attack runs: every poll must be answered 200, and
    the slowest under ``bound`` seconds, a bound only an outage reaches (how fast it answers is
    measured in bench/, not asserted here)."""

    def __init__(self, server: Server, bound: float = 5.0) -> None:
        self.server = server
        self.bound = bound
        self.slowest = 0.0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                status = httpx.get(f"{self.server.url}/healthz", timeout=5).status_code
                if status != 200:
                    self.failures.append(f"status {status}")
            except httpx.HTTPError as exc:
                self.failures.append(repr(exc))
            self.slowest = max(self.slowest, time.monotonic() - started)
            time.sleep(0.05)

    def __enter__(self) -> Liveness:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        assert not self.failures, self.failures
        assert self.slowest < self.bound, f"/healthz took {self.slowest:.2f} s during the attack"


def graphql(server: Server, query: str, variables: dict[str, Any] | None = None, timeout: float = 10) -> httpx.Response:
    return httpx.post(f"{server.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=timeout)


def error_codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in response.json().get("errors", [])]


def test_fragments_that_multiply_are_refused_before_running(live: Server) -> None:
    fragments = ["fragment F0 on LineageEdge { expression source { field } }"]
    fragments += [
        f"fragment F{i} on LineageEdge {{ source {{ upstream(depth: 20) {{ ...F{i - 1} }} }} "
        f"target {{ downstream(depth: 20) {{ ...F{i - 1} }} }} }}"
        for i in range(1, 11)
    ]
    query = (
        '{ column(namespace: "mysql://orders-db:3306", dataset: "shop.customers", field: "email") '
        "{ downstream(depth: 20) { ...F10 } } } " + " ".join(fragments)
    )
    assert len(query) < 2_000
    with Liveness(live):
        started = time.monotonic()
        response = graphql(live, query)
        took = time.monotonic() - started
    assert took < 30, f"refused after {took:.1f} s: the fragments were expanded, not priced once each"
    assert error_codes(response) == ["COST_LIMIT"]
    message = response.json()["errors"][0]["message"]
    assert "budget of 200,000" in message and "would cost" in message


def test_thirty_aliased_health_reports_are_refused(live: Server) -> None:
    query = "{ " + " ".join(f"h{i}: health(days: {i + 1}) {{ days }}" for i in range(30)) + " }"
    response = graphql(live, query)
    assert error_codes(response) == ["COST_LIMIT"]


def test_aliases_of_one_health_report_share_one_scan(live: Server) -> None:
    query = "{ " + " ".join(f"h{i}: health {{ days orphans {{ dataset {{ name }} }} }}" for i in range(10)) + " }"
    body = graphql(live, query).json()
    assert "errors" not in body
    assert len({json.dumps(v, sort_keys=True) for v in body["data"].values()}) == 1


def test_a_declared_oversized_body_is_refused_before_it_is_sent(live: Server) -> None:
    host = urlsplit(live.url)
    with socket.create_connection((host.hostname, host.port), timeout=5) as s:
        s.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 104857600\r\n\r\n{"
        )
        answer = read_all(s)
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "TAGLINE_MAX_BODY_BYTES" in answer


def read_all(s: socket.socket) -> str:
    """What the server sends until it closes the connection."""
    received = b""
    while chunk := s.recv(4096):
        received += chunk
    return received.decode()


def test_a_streamed_oversized_body_is_refused_once_over_the_limit(live: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "'
        for _ in range(200):
            yield b"x" * 10_000

    response = httpx.post(f"{live.url}/graphql", content=chunks(), headers=JSON, timeout=10)
    assert response.status_code == 413


def test_a_half_sent_body_times_out(live: Server) -> None:
    host = urlsplit(live.url)
    with Liveness(live), socket.create_connection((host.hostname, host.port), timeout=5) as s:
        s.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"query"'
        )
        started = time.monotonic()
        answer = read_all(s)
        took = time.monotonic() - started
    assert answer.startswith("HTTP/1.1 408"), answer
    assert took < 30, f"408 after {took:.1f} s"  # only a server that never gives up reaches this


@pytest.mark.parametrize("body", [b"null", b'"x"', b"[" * 100_000 + b"]" * 100_000, b"{", b"\xff\xfe"])
@pytest.mark.parametrize("path", ["/graphql", "/api/v1/lineage", "/api/v1/dependencies/check"])
def test_malformed_bodies_are_client_errors(live: Server, path: str, body: bytes) -> None:
    response = httpx.post(f"{live.url}{path}", content=body, headers=JSON, timeout=10)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])


def event(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-05T10:00:00Z",
        "producer": "https://example.com/tests",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "hostile", "name": "job"},
        "inputs": [],
        "outputs": [],
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"eventTime": 12345}, "eventTime"),
        ({"eventTime": "yesterday"}, "eventTime"),
        ({"job": {"namespace": "hostile", "name": ""}}, "job.name"),
        ({"outputs": [{"namespace": "", "name": "t"}]}, "outputs[0].namespace"),
    ],
)
def test_events_with_bad_times_or_empty_names_are_refused_by_field(
    live: Server, changes: dict[str, Any], field: str
) -> None:
    response = httpx.post(f"{live.url}/api/v1/lineage", json=event(**changes), timeout=10)
    assert response.status_code == 422
    assert field in [e["path"] for e in response.json()["errors"]]


def test_an_event_wider_than_the_limit_is_refused_and_nothing_lands(live: Server) -> None:
    fields = {f"c{i}": {"inputFields": [{"namespace": "hostile", "name": "src", "field": f"c{i}"}]} for i in range(150)}
    wide = event(outputs=[{"namespace": "hostile", "name": "wide", "facets": {"columnLineage": {"fields": fields}}}])
    response = httpx.post(f"{live.url}/api/v1/lineage", json=wide, timeout=10)
    assert response.status_code == 413 and "TAGLINE_MAX_EVENT_COLUMNS" in response.json()["detail"]
    found = graphql(live, '{ dataset(namespace: "hostile", name: "wide") { name } }').json()
    assert found["data"]["dataset"] is None


def test_a_configured_list_over_the_limit_is_refused(live: Server) -> None:
    configured = [{"namespace": "sched", "name": f"j{i}"} for i in range(51)]
    rest = httpx.post(
        f"{live.url}/api/v1/dependencies/check",
        json={"namespace": "sched", "job": "j", "configured": configured},
        timeout=10,
    )
    assert rest.status_code == 422 and "TAGLINE_MAX_CONFIGURED_DEPENDENCIES" in rest.json()["detail"]
    query = 'query($c: [JobRefInput!]!) { checkDependencies(namespace: "sched", name: "j", configured: $c) { ok } }'
    answer = graphql(live, query, {"c": configured}).json()
    assert "TAGLINE_MAX_CONFIGURED_DEPENDENCIES" in answer["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        '{ search(query: "a", first: -1) { totalCount } }',
        '{ search(query: "a", first: 100000) { totalCount } }',
        "{ sensitivityViolations(first: -1) { kind } }",
        '{ tagAudit(since: "yesterday") { totalCount } }',
    ],
)
def test_paging_and_time_arguments_are_validated(live: Server, query: str) -> None:
    body = graphql(live, query).json()
    assert body.get("errors"), body


def test_a_failing_mutation_does_not_hide_the_ones_applied_before_it(live: Server) -> None:
    column = '{namespace: "mysql://orders-db:3306", dataset: "shop.customers", field: "email"}'
    query = (
        f'mutation {{ first: declareTag(column: {column}, tag: "pii.contact") {{ field }} '
        f'second: blockTag(column: {column}, tag: "pii.contact", justification: "") {{ field }} }}'
    )
    body = graphql(live, query).json()
    assert body["data"]["first"] == {"field": "email"}
    assert body["data"]["second"] is None
    assert [e["path"] for e in body["errors"]] == [["second"]]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "query": st.text(max_size=40)
        | st.sampled_from(
            [
                "{ __typename }",
                "{ health { days } }",
                '{ search(query: "a") { totalCount } }',
                # Sizes from variables (floats, defaults) are priced as execution coerces them.
                'query($d: Int = 3) { column(namespace: "a", dataset: "b", field: "c") { upstream(depth: $d) { expression } } }',
                'query($n: Int) { search(query: "a", first: $n) { totalCount } }',
            ]
        ),
        "variables": json_values,
        "operationName": json_values,
        "eventType": json_values,
        "eventTime": json_values,
        "run": json_values,
        "job": json_values,
        "outputs": json_values,
        "namespace": json_values,
        "configured": json_values,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/graphql", "/api/v1/lineage", "/api/v1/dependencies/check", "/api/v1/search"]),
    body=json_values | shaped,
)
def test_any_json_gets_an_answer_never_a_server_error(live: Server, path: str, body: Any) -> None:
    response = httpx.post(f"{live.url}{path}", json=body, timeout=10)
    assert response.status_code < 500, (path, body, response.status_code, response.text[:300])
    assert httpx.get(f"{live.url}/healthz", timeout=2).status_code == 200


def test_a_request_past_its_time_budget_is_stopped_and_the_server_goes_on(tmp_path: Path) -> None:
    """A budget no whole-warehouse report fits in: the report is abandoned with a 503 naming the
    setting, liveness answers meanwhile, and the next request is served as usual."""
    store = str(tmp_path / "graph.db")
    run_cli("demo", "--store", store)
    tight = start_server(store, {"TAGLINE_REQUEST_TIMEOUT_SECONDS": "0.001"})
    try:
        with Liveness(tight):
            response = graphql(
                tight, "{ health(days: 30) { days orphans { dataset { name } } unused { dataset { name } } } }"
            )
        assert response.status_code == 503, response.text
        assert error_codes(response) == ["TIMEOUT"]
        assert "TAGLINE_REQUEST_TIMEOUT_SECONDS" in response.json()["errors"][0]["message"]
        assert httpx.get(f"{tight.url}/healthz", timeout=2).status_code == 200
    finally:
        stop_server(tight)


def test_a_client_hanging_up_mid_request_leaves_the_server_serving(live: Server) -> None:
    """Send a costly question and hang up at once: its work is cancelled, nothing waits on it."""
    host = urlsplit(live.url)
    body = json.dumps({"query": "{ health(days: 30) { days orphans { dataset { name } } } }"}).encode()
    for _ in range(5):
        with socket.create_connection((host.hostname, host.port), timeout=5) as raw:
            head = f"POST /graphql HTTP/1.1\r\nHost: {host.netloc}\r\nContent-Type: application/json\r\n"
            raw.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    with Liveness(live):
        answer = graphql(live, "{ health(days: 30) { days } }")
    assert answer.status_code == 200 and answer.json()["data"]["health"]["days"] == 30


# A dense warehouse: eight layers of WIDTH columns, each column derived from every column of the
# layer before. Its nested lineage repeats subtrees beyond any memory: what bounds an answer is
# what the answer holds, not what the document says.
WIDTH = 24
ANSWER_LIMITS = {"TAGLINE_MAX_ANSWER_OBJECTS": "5000", "TAGLINE_MAX_ANSWER_BYTES": "400000"}
WALK = (
    'column(namespace: "ns", dataset: "l0", field: "c0") { downstream(depth: D) { target { '
    "upstream(depth: D) { source { downstream(depth: D) { expression target { field } } } } } } }"
)


def dense_store(path: str) -> str:
    layers = [[col(f"l{n}", f"c{i}") for i in range(WIDTH)] for n in range(8)]
    edges = [derive(a, b) for before, after in itertools.pairwise(layers) for a in before for b in after]
    store = GraphStore(path)
    try:
        store.write(LineageBatch(edges=edges), kind="test")
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The dense warehouse served with a small answer budget, and a cost budget so large that the
    answer budget is what stops a walk."""
    store = dense_store(str(tmp_path_factory.mktemp("dense") / "graph.db"))
    running = start_server(store, {**ANSWER_LIMITS, "TAGLINE_MAX_QUERY_COST": str(10**12)})
    yield running
    stop_server(running)


def bounded(response: httpx.Response) -> dict[str, Any]:
    """An answer the budget cut: partial data, and an error that says which limit and how to go on."""
    assert response.status_code == 200, response.text[:300]
    assert len(response.content) < 2 * int(ANSWER_LIMITS["TAGLINE_MAX_ANSWER_BYTES"])
    body: dict[str, Any] = response.json()
    (error,) = [e for e in body["errors"] if e["extensions"]["code"] == "ANSWER_LIMIT"]
    assert error["extensions"]["complete"] is False
    assert error["extensions"]["limit"] in ("TAGLINE_MAX_ANSWER_OBJECTS", "TAGLINE_MAX_ANSWER_BYTES")
    assert "depth" in error["extensions"]["next"]
    assert error["path"] == ["column", "downstream"]
    assert body["data"]["column"]["downstream"], "the answer keeps what fits"
    return body


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("{ " + WALK.replace("D", "5") + " }", {}),
        ("query($d: Int) { " + WALK.replace("D", "$d") + " }", {"d": 5.0}),
        ("query($d: Int = 5) { " + WALK.replace("D", "$d") + " }", {}),
    ],
    ids=["literal", "float-variable", "variable-default"],
)
def test_a_nested_walk_is_answered_within_the_answer_budget_however_its_depth_is_sent(
    dense: Server, document: str, variables: dict[str, Any]
) -> None:
    """The walk that got the server killed: its depth as a literal, a float variable graphql-core
    coerces, or a variable's default, sent by POST and as a plain GET. Each is answered cut to
    the answer budget, the same answer every way, never unbounded."""
    with Liveness(dense, bound=5.0):
        posted = bounded(graphql(dense, document, variables, timeout=60))
        url = f"{dense.url}/graphql?" + urlencode({"query": document, "variables": json.dumps(variables)})
        assert len(url) < 2_000
        got = bounded(httpx.get(url, timeout=60))
    assert got == posted


def test_the_same_walk_is_refused_by_its_price_under_the_default_cost_budget(tmp_path: Path) -> None:
    store = dense_store(str(tmp_path / "graph.db"))
    priced = start_server(store)
    try:
        for document, variables in [
            ("query($d: Int) { " + WALK.replace("D", "$d") + " }", {"d": 5.0}),
            ("query($d: Int = 5) { " + WALK.replace("D", "$d") + " }", {}),
        ]:
            response = graphql(priced, document, variables)
            assert error_codes(response) == ["COST_LIMIT"], response.text[:300]
    finally:
        stop_server(priced)


def test_a_flat_lineage_graph_past_the_answer_budget_says_it_is_incomplete(dense: Server) -> None:
    query = (
        '{ lineage(namespace: "ns", dataset: "l0", field: "c0", direction: DOWNSTREAM, depth: 7, maxNodes: 10000) '
        "{ complete truncated limit next nodes { field } edges { source { field } target { field } } } }"
    )
    body = graphql(dense, query).json()
    graph = body["data"]["lineage"]
    assert graph["complete"] is False and graph["truncated"] is True
    assert graph["limit"] in ("TAGLINE_MAX_ANSWER_OBJECTS", "TAGLINE_MAX_ANSWER_BYTES")
    assert graph["limit"] in graph["next"]
    assert 0 < len(graph["edges"]) < 7 * WIDTH * WIDTH
    held = {n["field"] for n in graph["nodes"]}
    assert all(e["source"]["field"] in held and e["target"]["field"] in held for e in graph["edges"])


def test_a_flat_lineage_graph_within_its_limits_is_complete(dense: Server) -> None:
    query = (
        '{ lineage(namespace: "ns", dataset: "l0", field: "c0", direction: DOWNSTREAM, depth: 1) '
        "{ complete truncated limit next edges { target { field } } } }"
    )
    graph = graphql(dense, query).json()["data"]["lineage"]
    assert graph["complete"] is True and graph["limit"] is None and graph["next"] is None
    assert len(graph["edges"]) == WIDTH


def test_healthz_answers_while_heavy_queries_run(tmp_path: Path) -> None:
    """Several heavy (but allowed) walks at once, each rendering thousands of distinct subtrees:
    liveness answers throughout, as the work runs off the event loop. (On a machine loaded past
    its cores a walk may spend its time budget: a 503 TIMEOUT is the time limit working.)"""
    store = dense_store(str(tmp_path / "graph.db"))
    heavy = start_server(
        store,
        {
            "TAGLINE_MAX_ANSWER_OBJECTS": "100000",
            "TAGLINE_MAX_ANSWER_BYTES": "20000000",
            "TAGLINE_MAX_QUERY_COST": str(10**12),
        },
    )
    query = "{ " + WALK.replace("D", "5") + " }"
    try:
        with Liveness(heavy, bound=5.0):
            answers: list[httpx.Response] = []
            workers = [
                threading.Thread(target=lambda: answers.append(graphql(heavy, query, timeout=120))) for _ in range(4)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
        assert len(answers) == 4
        for answer in answers:
            assert answer.status_code == 200 or error_codes(answer) == ["TIMEOUT"], answer.text[:300]
    finally:
        stop_server(heavy)


def test_thirty_aliases_of_a_deep_introspection_are_refused_and_the_standard_one_answered(live: Server) -> None:
    with Liveness(live):
        refused = graphql(live, deep_introspection(30))
        standard = [graphql(live, get_introspection_query(descriptions=True)) for _ in range(2)]
    assert error_codes(refused) == ["COST_LIMIT"]
    first, again = (r.json() for r in standard)
    assert "errors" not in first and first["data"]["__schema"]["queryType"]["name"] == "Query"
    assert again == first
