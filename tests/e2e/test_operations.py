"""What operators rely on, against real servers: every metric the Grafana dashboard and the alert
rules in deploy/ name is on /metrics after a scripted ingest (and the domain's counters moved), and
with `TAGLINE_LOG_FORMAT=json` every line `tagline serve` writes is a JSON object, those written for
a request (on the store thread, on GraphQL's worker threads) carrying that request's id; and with
`TAGLINE_OTEL_ENDPOINT` a collector receives one trace from the request through GraphQL to the store."""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from ruamel.yaml import YAML

from tests.e2e.conftest import Server, start_server, start_server_process, stop_server
from tests.ports import free_port
from tests.unit.test_openlineage_mapping import output, run_event, source

ROOT = Path(__file__).parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "tagline-dashboard.json"
ALERTS = ROOT / "deploy" / "prometheus" / "tagline-alerts.yml"
METRIC = re.compile(r"\btagline_[a-z0-9_]+\b")
SQL = "INSERT INTO mart.orders_by_day SELECT order_date, SUM(amount) AS total FROM shop.orders GROUP BY order_date"


def named_metrics() -> set[str]:
    """Every tagline metric the dashboard's queries and the alert rules' expressions name."""
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    rules = YAML(typ="safe").load(ALERTS.read_text())
    exprs += [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    return {name for expr in exprs for name in METRIC.findall(expr)}


def scraped(server: Server) -> dict[str, float]:
    """The samples of /metrics by name (labels summed)."""
    found: dict[str, float] = {}
    for line in httpx.get(f"{server.url}/metrics", timeout=10).text.splitlines():
        if line and not line.startswith("#"):
            name = re.split(r"[{ ]", line, maxsplit=1)[0]
            found[name] = found.get(name, 0.0) + float(line.rsplit(" ", 1)[1])
    return found


def ingest(server: Server, request_id: str | None = None) -> httpx.Response:
    """One OpenLineage event with column lineage, as an emitter sends it."""
    event = run_event([output({"b": {"inputFields": [source("a", {"type": "DIRECT", "subtype": "IDENTITY"})]}})])
    headers = {"X-Request-Id": request_id} if request_id else {}
    response = httpx.post(f"{server.url}/api/v1/lineage", json=event, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return response


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(str(tmp_path_factory.mktemp("operations") / "graph.db"))
    yield running
    stop_server(running)


def test_the_dashboard_and_the_alerts_name_only_metrics_on_metrics_after_an_ingest(server: Server) -> None:
    names = named_metrics()
    assert {"tagline_events_applied_total", "tagline_index_lag", "tagline_kafka_consumer_lag"} <= names
    before = scraped(server)
    ingest(server)
    sql = httpx.post(
        f"{server.url}/api/v1/sql",
        json={"sql": SQL, "dialect": "postgres", "namespace": "postgres://db:5432", "job": "orders_by_day"},
        timeout=30,
    )
    assert sql.status_code < 300, sql.text
    answer = httpx.post(f"{server.url}/graphql", json={"query": "{ health { orphans { dataset { name } } } }"})
    assert "errors" not in answer.json()
    after = scraped(server)
    missing = sorted(n for n in names if n not in after)
    assert not missing, f"named by deploy/ but not on /metrics: {missing}"
    for moved in ("tagline_events_accepted_total", "tagline_events_applied_total", "tagline_edges_written_total"):
        assert after[moved] > before.get(moved, 0), moved
    assert after["tagline_propagation_seconds_count"] > before.get("tagline_propagation_seconds_count", 0)
    assert after["tagline_index_position"] > 0 and after["tagline_index_lag"] == 0


def test_an_answer_carries_the_request_id_sent_or_a_new_one(server: Server) -> None:
    assert ingest(server, "emitter-42").headers["X-Request-Id"] == "emitter-42"
    made = httpx.get(f"{server.url}/healthz", headers={"X-Request-Id": "bad id with spaces"}, timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])


def test_json_log_lines_carry_the_id_of_the_request_that_wrote_them(tmp_path: Path) -> None:
    served = start_server_process(str(tmp_path / "graph.db"), env={"TAGLINE_LOG_FORMAT": "json"})
    try:
        ingest(served, "ingest-7f3a")
        failing = httpx.post(
            f"{served.url}/graphql",
            json={
                "query": '{ compareLineage(a: {namespace: "x", dataset: "y", field: "z"}, '
                'b: {namespace: "x", dataset: "y", field: "w"}) { same } }'
            },
            headers={"X-Request-Id": "graphql-9c1d"},
            timeout=30,
        )
        assert failing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    finally:
        stop_server(served)
    lines = [json.loads(line) for line in served.output().splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)
    by_request = {line["request_id"]: [] for line in lines}
    for line in lines:
        by_request[line["request_id"]].append(line)
    # The event was applied on the store thread; the line saying so is the request's.
    assert any(
        line["logger"] == "tagline.events" and "applied" in line["message"] for line in by_request["ingest-7f3a"]
    ), by_request.get("ingest-7f3a")
    # The GraphQL error was logged on one of GraphQL's worker threads.
    assert any(line["logger"] == "strawberry.execution" for line in by_request["graphql-9c1d"]), by_request.get(
        "graphql-9c1d"
    )
    # uvicorn's access line of each request is the request's too.
    assert any("POST /api/v1/lineage" in line["message"] for line in by_request["ingest-7f3a"])


class Collector(ThreadingHTTPServer):
    """An OTLP/HTTP trace collector on a free port: keeps every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        super().__init__(("127.0.0.1", free_port()), _CollectorHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _CollectorHandler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest.FromString(body)
        self.server.spans.extend(s for r in request.resource_spans for scope in r.scope_spans for s in scope.spans)
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_trace_runs_from_the_request_through_graphql_to_the_store(tmp_path: Path) -> None:
    collector = Collector()
    trace_id, client_span = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    served = start_server_process(str(tmp_path / "graph.db"), env={"TAGLINE_OTEL_ENDPOINT": collector.endpoint})
    try:
        ingest(served)
        answer = httpx.post(
            f"{served.url}/graphql",
            json={"query": "query Health { health { orphans { dataset { name } } } }", "operationName": "Health"},
            headers={"traceparent": f"00-{trace_id}-{client_span}-01"},
            timeout=30,
        )
        assert "errors" not in answer.json()
    finally:
        stop_server(served)  # the server sends the spans it still holds as it stops
    spans = {s.name: s for s in collector.spans if s.trace_id.hex() == trace_id}
    assert {"POST /graphql", "GraphQL query Health", "index scan_health"} <= set(spans), sorted(spans)
    http, operation, scan = spans["POST /graphql"], spans["GraphQL query Health"], spans["index scan_health"]
    assert http.parent_span_id.hex() == client_span  # the client's trace goes on
    assert operation.parent_span_id == http.span_id and scan.parent_span_id == operation.span_id
    ingested = {s.name: s for s in collector.spans if s.name in ("POST /api/v1/lineage", "store accept_event")}
    assert ingested["store accept_event"].parent_span_id == ingested["POST /api/v1/lineage"].span_id
