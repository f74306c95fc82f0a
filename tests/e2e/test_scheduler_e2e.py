"""The scheduler scenario end to end: GraphQL and REST on a live server, and the real CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tagline.graph.store import GraphStore
from tagline.graph.timefmt import iso, utcnow
from tests import scheduler_scenario as scenario
from tests.e2e.conftest import Server, run_cli, start_server, stop_server

RECOMMEND = """
query ($name: String!, $directOnly: Boolean) {
  recommendDependencies(namespace: "sched", name: $name, directOnly: $directOnly) {
    job { namespace name }
    datasets { namespace name }
    lastWriteAt
    stale
    evidence { dataset { name } lastWriteAt }
  }
}
"""

CHECK = """
query ($configured: [JobRefInput!]!) {
  checkDependencies(namespace: "sched", name: "build_orders", configured: $configured) {
    missing { name } redundant { name } stale { name } cycles { name } unknown { namespace name } ok
  }
}
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = str(tmp_path_factory.mktemp("sched") / "graph.db")
    store = GraphStore(path)
    scenario.load(store, utcnow())
    store.close()
    server = start_server(path)
    yield server
    stop_server(server)


def data(answer: dict) -> dict:
    assert "errors" not in answer, answer
    return answer["data"]


def test_graphql_recommendation_with_evidence(live: Server) -> None:
    found = data(live.graphql(RECOMMEND, {"name": "build_orders"}))["recommendDependencies"]
    assert [(r["job"]["name"], r["stale"]) for r in found] == [
        ("extract_customers", False),
        ("extract_orders", False),
        ("legacy_loader", True),
    ]
    assert found[1]["datasets"] == [{"namespace": "wh", "name": "raw.orders"}]
    assert found[1]["evidence"] == [{"dataset": {"name": "raw.orders"}, "lastWriteAt": found[1]["lastWriteAt"]}]
    direct = data(live.graphql(RECOMMEND, {"name": "build_report", "directOnly": True}))["recommendDependencies"]
    assert [r["job"]["name"] for r in direct] == ["build_orders"]


def test_graphql_check(live: Server) -> None:
    configured = [{"namespace": "sched", "name": n} for n in [*scenario.CONFIGURED["build_orders"], "ghost"]]
    found = data(live.graphql(CHECK, {"configured": configured}))["checkDependencies"]
    assert found == {
        "missing": [{"name": "extract_customers"}],
        "redundant": [{"name": "build_report"}, {"name": "send_emails"}],
        "stale": [{"name": "legacy_loader"}],
        "cycles": [
            [{"name": "build_orders"}, {"name": "build_report"}],
            [{"name": "build_orders"}, {"name": "send_emails"}, {"name": "build_report"}],
        ],
        "unknown": [{"namespace": "sched", "name": "ghost"}],
        "ok": False,
    }


def test_graphql_errors_name_the_problem(live: Server) -> None:
    answer = live.graphql(RECOMMEND, {"name": "nope"})
    assert "no job 'nope' in namespace 'sched'" in answer["errors"][0]["message"]
    answer = live.graphql(
        '{ recommendDependencies(namespace: "sched", name: "build_orders", staleAfterDays: -1) { stale } }'
    )
    assert "staleAfterDays must be 0 or more" in answer["errors"][0]["message"]


def test_job_outputs_with_last_write_for_quality_checks(live: Server) -> None:
    query = """{ job(namespace: "sched", name: "build_orders") {
      outputs { name }
      producedDatasets { lastWriteAt dataset { name columns { field } } } } }"""
    found = data(live.graphql(query))["job"]
    assert found["outputs"] == [{"name": "dw.orders"}]
    [produced] = found["producedDatasets"]
    assert produced["dataset"] == {"name": "dw.orders", "columns": [{"field": "customer_id"}, {"field": "order_id"}]}
    assert produced["lastWriteAt"] > iso(utcnow() - timedelta(days=3))


def test_rest_recommendation_matches_graphql(live: Server) -> None:
    response = httpx.get(f"{live.url}/api/v1/dependencies", params={"namespace": "sched", "job": "build_orders"})
    assert response.status_code == 200
    body = response.json()
    assert body["job"] == {"namespace": "sched", "name": "build_orders"} and body["staleAfterDays"] == 14
    assert [r["name"] for r in body["recommended"]] == ["extract_customers", "extract_orders"]
    assert [r["name"] for r in body["stale"]] == ["legacy_loader"]
    assert body["recommended"][1]["datasets"][0]["name"] == "raw.orders"
    direct = httpx.get(
        f"{live.url}/api/v1/dependencies", params={"namespace": "sched", "job": "build_report", "directOnly": "true"}
    ).json()
    assert [r["name"] for r in direct["recommended"]] == ["build_orders"]


def test_rest_check(live: Server) -> None:
    configured = [{"namespace": "sched", "name": n} for n in scenario.CONFIGURED["build_orders"]]
    response = httpx.post(
        f"{live.url}/api/v1/dependencies/check",
        json={"namespace": "sched", "job": "build_orders", "configured": configured},
    )
    body = response.json()
    assert response.status_code == 200 and body["ok"] is False
    assert body["missing"] == [{"namespace": "sched", "name": "extract_customers"}]
    assert [j["name"] for j in body["cycles"][0]] == ["build_orders", "build_report"]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"namespace": "sched"}, 400, "query parameter 'job' is required"),
        ({"namespace": "sched", "job": "build_orders", "directOnly": "maybe"}, 400, "directOnly must be true or false"),
        ({"namespace": "sched", "job": "build_orders", "staleAfterDays": "x"}, 400, "staleAfterDays must be"),
        ({"namespace": "sched", "job": "nope"}, 404, "no job 'nope'"),
    ],
)
def test_rest_bad_requests(live: Server, params: dict, status: int, message: str) -> None:
    response = httpx.get(f"{live.url}/api/v1/dependencies", params=params)
    assert response.status_code == status and message in response.json()["detail"]


def test_rest_check_rejects_a_bad_body(live: Server) -> None:
    response = httpx.post(f"{live.url}/api/v1/dependencies/check", json={"namespace": "sched", "configured": "x"})
    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["problems"]}
    assert fields == {"job", "configured"}


def test_graphql_health_and_impact(live: Server) -> None:
    query = """{ health(days: 30) {
      orphans { dataset { name } writers readers }
      zombies { dataset { name } lastWriteAt lastReadAt }
      unusedColumns { column { dataset field } downstreamEdges }
      deprecationCandidates { dataset { name declaredSource } }
    } }"""
    found = data(live.graphql(query))["health"]
    assert found["orphans"] == [{"dataset": {"name": "src.customers"}, "writers": 0, "readers": 1}]
    assert found["zombies"][0]["dataset"] == {"name": "old.archive"} and found["zombies"][0]["lastReadAt"] is None
    assert {"column": {"dataset": "raw.customers", "field": "email"}, "downstreamEdges": 0} in found["unusedColumns"]
    assert found["deprecationCandidates"] == [{"dataset": {"name": "old.archive", "declaredSource": False}}]
    query = """{ impact(namespace: "wh", dataset: "raw.orders", field: "id", depth: 5) {
      roots { field }
      columns { depth column { dataset field } }
      datasets { depth dataset { name } columns { field } }
      jobs { job { name } writes { name } reads { name } }
      truncated } }"""
    impact = data(live.graphql(query))["impact"]
    assert impact["roots"] == [{"field": "id"}]
    assert impact["columns"][-1] == {"depth": 2, "column": {"dataset": "mart.report", "field": "orders"}}
    assert [d["dataset"]["name"] for d in impact["datasets"]] == ["dw.orders", "old.archive", "mart.report"]
    assert {"job": {"name": "send_emails"}, "writes": [], "reads": [{"name": "mart.report"}]} in impact["jobs"]
    missing = live.graphql('{ impact(namespace: "wh", dataset: "raw.orders", field: "nope") { truncated } }')
    assert "no column 'nope'" in missing["errors"][0]["message"]


def test_cli_recommend_and_check(live: Server, tmp_path: Path) -> None:
    text = run_cli("deps", "recommend", "sched", "build_orders", "--store", live.store).stdout
    assert "sched/extract_orders" in text and "stale (not seen for 14 days)" in text
    found = json.loads(
        run_cli("deps", "recommend", "sched", "build_report", "--direct-only", "--json", "--store", live.store).stdout
    )
    assert [r["name"] for r in found["recommended"]] == ["build_orders"]
    config = tmp_path / "deps.yaml"
    config.write_text(
        "namespace: sched\njobs:\n"
        + "".join(f"  {j}: [{', '.join(deps)}]\n" for j, deps in scenario.CONFIGURED.items())
    )
    result = run_cli("deps", "check", str(config), "--store", live.store, check=False)
    assert result.returncode == 1
    assert "FAIL sched/build_orders" in result.stdout
    assert "missing: sched/extract_customers" in result.stdout
    assert "cycle: sched/build_orders -> sched/build_report -> sched/build_orders" in result.stdout
    assert "ok sched/extract_orders" in result.stdout
    good = tmp_path / "good.json"
    good.write_text(
        json.dumps({"namespace": "sched", "jobs": {"build_report": ["build_orders"], "extract_orders": []}})
    )
    assert json.loads(run_cli("deps", "check", str(good), "--json", "--store", live.store).stdout)["ok"] is True


def test_cli_check_refuses_a_bad_file(live: Server, tmp_path: Path) -> None:
    config = tmp_path / "deps.yaml"
    config.write_text("jobs:\n  build_orders: [extract_orders]\n")
    result = run_cli("deps", "check", str(config), "--store", live.store, check=False)
    assert result.returncode == 2 and "'namespace' is required" in result.stderr


def test_cli_health_impact_and_sources(live: Server, tmp_path: Path) -> None:
    report = json.loads(run_cli("health", "--json", "--store", live.store).stdout)
    assert [d["name"] for d in report["orphans"]] == ["src.customers"]
    tree = run_cli("impact", "wh", "raw.orders", "id", "--store", live.store).stdout
    assert "wh/dw.orders.order_id" in tree and "wh/mart.report.orders" in tree and "sched/send_emails" in tree
    sources = tmp_path / "sources.yaml"
    sources.write_text("mysql://shop: [src.customers]\n")
    run_cli("sources", "declare", "--file", str(sources), "--store", live.store)
    assert run_cli("sources", "list", "--store", live.store).stdout.split() == [
        "mysql://shop/src.customers",
        "mysql://shop/src.orders",
    ]
    assert json.loads(run_cli("health", "--json", "--store", live.store).stdout)["orphans"] == []
    run_cli("sources", "undeclare", "mysql://shop", "src.customers", "--store", live.store)
    assert "src.customers" not in run_cli("sources", "list", "--store", live.store).stdout
