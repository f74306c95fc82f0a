"""A write is priced before it is written, and a 503 means nothing of it landed.

Against real servers: writes that would be too large are refused up front (413, the limit named),
and a write answered 503 TIMEOUT — abandoned while it ran, or while it waited behind another — is
rolled back, never committed later.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tagline.graph.store import GraphStore
from tests.e2e.conftest import Server, start_server, stop_server

NS = "hive://deadlines"
# Generous: only a hang fails here, however slow the machine.
HANG_S = 600
OPEN_LINEAGE = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent"
COLUMN_LINEAGE = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with small limits on what one write may be."""
    store = str(tmp_path_factory.mktemp("priced") / "graph.db")
    running = start_server(store, {"TAGLINE_MAX_EVENT_COLUMNS": "200", "TAGLINE_MAX_SQL_EDGES": "5000"})
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def hurried(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose requests get 2 s."""
    store = str(tmp_path_factory.mktemp("hurried") / "graph.db")
    running = start_server(store, {"TAGLINE_REQUEST_TIMEOUT_SECONDS": "2"})
    yield running
    stop_server(running)


def event(name: str, inputs: list[dict[str, Any]], facets: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-01T04:00:00+00:00",
        "producer": "https://example.invalid/producer",
        "schemaURL": OPEN_LINEAGE,
        "run": {"runId": "0193a4f0-0000-7000-8000-0000000000aa"},
        "job": {"namespace": "airflow", "name": name},
        "inputs": inputs,
        "outputs": [{"namespace": NS, "name": name, **({"facets": facets} if facets else {})}],
    }


def dataset_exists(server: Server, name: str) -> bool:
    query = "query ($name: String!) { dataset(namespace: $name, name: $name) { name } }".replace(
        "namespace: $name", f'namespace: "{NS}"'
    )
    response = httpx.post(f"{server.url}/graphql", json={"query": query, "variables": {"name": name}}, timeout=HANG_S)
    return response.json()["data"]["dataset"] is not None


def store_idle(server: Server) -> None:
    """Wait until the store thread has run everything queued: /readyz goes through it."""
    with httpx.Client(timeout=HANG_S) as client:
        for _ in range(HANG_S):
            if client.get(f"{server.url}/readyz").status_code == 200:
                return
    raise AssertionError("the store thread stayed busy")


def test_dataset_level_lineage_counts_as_the_edges_it_becomes(live: Server) -> None:
    sources = [{"namespace": NS, "name": "src", "field": f"k{i}"} for i in range(15)]
    fields = {f"c{i}": {"inputFields": []} for i in range(15)}  # 15 columns, 15 x 15 edges from `dataset`
    facets = {"columnLineage": {"_producer": "p", "_schemaURL": COLUMN_LINEAGE, "fields": fields, "dataset": sources}}
    response = httpx.post(f"{live.url}/api/v1/lineage", json=event("wide_ds", [], facets), timeout=HANG_S)
    assert response.status_code == 413 and "TAGLINE_MAX_EVENT_COLUMNS" in response.text, response.text
    assert not dataset_exists(live, "wide_ds")


def test_inputs_without_facets_count(live: Server) -> None:
    inputs = [{"namespace": NS, "name": f"in{i}"} for i in range(201)]
    response = httpx.post(f"{live.url}/api/v1/lineage", json=event("many_inputs", inputs), timeout=HANG_S)
    assert response.status_code == 413, response.text
    assert not dataset_exists(live, "many_inputs")
    within = httpx.post(f"{live.url}/api/v1/lineage", json=event("few_inputs", inputs[:20]), timeout=HANG_S)
    assert within.status_code == 201, within.text


def filtered(target: str, columns: int) -> str:
    """A statement whose every filter column feeds every output column: columns x (columns + 1) edges."""
    outputs = ", ".join(f"c{i}" for i in range(columns))
    where = " AND ".join(f"w{i} > 0" for i in range(columns))
    return f"INSERT INTO {target} SELECT {outputs} FROM src.s WHERE {where}"


def post_sql(server: Server, sql: str) -> httpx.Response:
    line = {"sql": sql, "dialect": "hive", "namespace": NS, "job": "hook"}
    return httpx.post(f"{server.url}/api/v1/sql", json=line, timeout=HANG_S)


def test_sql_that_would_write_too_many_edges_is_refused_before_writing(live: Server) -> None:
    response = post_sql(live, filtered("mart.too_wide", 80))  # 6,480 edges
    assert response.status_code == 413, response.text
    assert "TAGLINE_MAX_SQL_EDGES" in response.json()["error"] and "query 1: 6,480" in response.json()["error"]
    assert not dataset_exists(live, "mart.too_wide")


def test_nothing_lands_after_a_503(hurried: Server) -> None:
    live = hurried
    # The SQL worker process starts with the first query, which may take longer than 2 s itself.
    warm = [post_sql(live, "INSERT INTO mart.warm SELECT a FROM src.s").status_code for _ in range(3)]
    assert 201 in warm, warm
    answers: dict[str, int] = {}

    def send(name: str, sql: str) -> None:
        answers[name] = post_sql(live, sql).status_code

    # A write far longer than the 2 s a request gets, and a small one queued behind it.
    long = threading.Thread(target=send, args=("mart.long", filtered("mart.long", 150)))
    long.start()
    queued = threading.Thread(target=send, args=("mart.queued", "INSERT INTO mart.queued SELECT a FROM src.s"))
    queued.start()
    for sender in (long, queued):
        sender.join(HANG_S)
    store_idle(live)
    assert set(answers.values()) <= {201, 503} and 503 in answers.values(), answers
    landed = {name: dataset_exists(live, name) for name in answers}
    assert landed == {name: status == 201 for name, status in answers.items()}, (answers, landed)


def test_an_event_is_answered_by_its_outcome_even_past_the_time(hurried: Server) -> None:
    """Once an event is in the event log it is applied and answered, however long that takes; an
    event answered 503 is neither in the log nor in the graph."""
    sources = [{"namespace": NS, "name": "events.src", "field": f"k{i}"} for i in range(100)]
    fields = {f"c{i}": {"inputFields": []} for i in range(100)}  # 100 columns, 100 x 100 edges from `dataset`
    facets = {"columnLineage": {"_producer": "p", "_schemaURL": COLUMN_LINEAGE, "fields": fields, "dataset": sources}}
    response = httpx.post(f"{hurried.url}/api/v1/lineage", json=event("events.wide", [], facets), timeout=HANG_S)
    assert response.status_code in (201, 503), response.text
    store_idle(hurried)
    assert dataset_exists(hurried, "events.wide") == (response.status_code == 201)
    store = GraphStore(hurried.store)
    try:
        assert len(store.events()) == (response.status_code == 201)  # no other test here sends events
    finally:
        store.close()
