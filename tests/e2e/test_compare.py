"""Comparing what exists, end to end on the demo: `compareLineage` over HTTP names the transformation
that makes two same-named columns differ, and a copied pipeline (the demo's revenue mart job run
again under another name into another table) shows as a redundant job in the health report —
through GraphQL, `tagline compare` / `tagline health` and the MCP tools."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server, run_cli, start_server, stop_server
from tests.e2e.test_mcp import call, over_stdio, text

ROOT = Path(__file__).parents[2]
REDSHIFT = "redshift://analytics.eu-west-1:5439"
MART = "marts.revenue_by_country_month"
COPY = "marts.revenue_by_country_month_copy"
CLV = "marts.customer_lifetime_value"

COMPARE = """query($a: ColumnRefInput!, $b: ColumnRefInput!, $depth: Int) {
  compareLineage(a: $a, b: $b, depth: $depth) {
    same complete onlyA { dataset field } onlyB { dataset field }
    shared { source { dataset field } differs difference
             pathA { source { field } target { dataset field } transformation { type subtype } expression }
             pathB { source { field } target { dataset field } transformation { type subtype } expression } } } }"""


def ref(dataset: str, field: str) -> dict[str, str]:
    return {"namespace": REDSHIFT, "dataset": dataset, "field": field}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo, and the revenue mart's job copied: the same SQL, under another job name, into another table."""
    folder = tmp_path_factory.mktemp("compare")
    location = str(folder / "graph.db")
    run_cli("demo", "--store", location, "--examples", str(ROOT / "examples"))
    sql = (ROOT / "examples" / "sql" / "08_build_revenue_by_country_month.sql").read_text()
    copied = folder / "copy_of_revenue.sql"
    copied.write_text(sql.replace(f"analytics.{MART} ", f"analytics.{COPY} "))
    run_cli(
        "ingest", "sql", str(copied), "--store", location, "--dialect", "redshift", "--namespace", REDSHIFT,
        "--job-namespace", "airflow", "--job", "revenue_by_country_month_copy",
        "--namespace-map", "hive=hive://warehouse", "--namespace-map", f"analytics={REDSHIFT}",
    )  # fmt: skip
    return location


@pytest.fixture(scope="module")
def server(store: str) -> Iterator[Server]:
    running = start_server(store)
    yield running
    stop_server(running)


def compared(server: Server, a: dict[str, str], b: dict[str, str], depth: int = 1) -> dict[str, Any]:
    answer = server.graphql(COMPARE, {"a": a, "b": b, "depth": depth})
    assert "errors" not in answer, answer
    return answer["data"]["compareLineage"]  # type: ignore[index,no-any-return]


def test_two_order_counts_of_the_demo_differ_by_the_grouping_per_customer(server: Server) -> None:
    found = compared(server, ref(MART, "order_count"), ref(CLV, "order_count"))
    assert not found["same"] and found["complete"]
    # The mart counts per country and month: those are its sources alone.
    assert {(c["dataset"], c["field"]) for c in found["onlyA"]} == {
        ("dw.dim_customer", "country"),
        ("dw.fact_orders", "order_month"),
    }
    differing = {(s["source"]["dataset"], s["source"]["field"]): s for s in found["shared"] if s["differs"]}
    assert set(differing) == {("dw.fact_orders", "customer_id")}
    by_customer = differing[("dw.fact_orders", "customer_id")]
    assert "GROUP_BY" in by_customer["difference"] and "a by INDIRECT JOIN;" in by_customer["difference"]
    assert {e["transformation"]["subtype"] for e in by_customer["pathB"]} == {"GROUP_BY", "JOIN"}
    assert {e["transformation"]["subtype"] for e in by_customer["pathA"]} == {"JOIN"}
    # The order ids reach both by the same aggregation, whatever each query wrote.
    same = next(s for s in found["shared"] if s["source"]["field"] == "order_id")
    assert not same["differs"] and same["difference"] is None
    assert [e["expression"] for e in same["pathA"]] == ["COUNT(DISTINCT f.order_id)"]


def test_a_column_and_its_copy_are_computed_the_same_way_to_the_sources(server: Server) -> None:
    found = compared(server, ref(MART, "net_revenue"), ref(COPY, "net_revenue"), depth=5)
    assert found["same"] and not found["onlyA"] and not found["onlyB"]
    sources = {(s["source"]["dataset"], s["source"]["field"]) for s in found["shared"]}
    assert ("shop.order_items", "unit_price") in sources  # five hops up: the shop's own database
    assert all(len(s["pathA"]) == len(s["pathB"]) for s in found["shared"])


def test_an_unknown_column_is_not_found_and_says_which(server: Server) -> None:
    answer = server.graphql(COMPARE, {"a": ref(MART, "order_count"), "b": ref(CLV, "no_such_field")})
    [error] = answer["errors"]  # type: ignore[misc]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"].startswith("b: no column 'no_such_field'")


HEALTH = """{ health { redundantJobs { job { name } sameAs { name } identical
  outputs { column { dataset field } sameAs { dataset field } sources { source { dataset field } transformation { subtype } } } } } }"""


def test_the_copied_pipeline_is_a_redundant_job_with_its_evidence(server: Server) -> None:
    answer = server.graphql(HEALTH)
    assert "errors" not in answer, answer
    [found] = answer["data"]["health"]["redundantJobs"]  # type: ignore[index]
    assert (found["job"]["name"], found["sameAs"]["name"], found["identical"]) == (
        "build_revenue_by_country_month",
        "revenue_by_country_month_copy",
        True,
    )
    outputs = {o["column"]["field"]: o for o in found["outputs"]}
    assert len(outputs) == 10
    net = outputs["net_revenue"]
    assert (net["column"]["dataset"], net["sameAs"]) == (MART, {"dataset": COPY, "field": "net_revenue"})
    sources = {(s["source"]["dataset"], s["source"]["field"], s["transformation"]["subtype"]) for s in net["sources"]}
    assert ("dw.fact_orders", "net_amount", "AGGREGATION") in sources


def test_the_cli_compares_and_reports_redundant_jobs(store: str) -> None:
    a, b = f"{REDSHIFT}/{MART}.order_count", f"{REDSHIFT}/{CLV}.order_count"
    found = json.loads(run_cli("compare", a, b, "--depth", "1", "--format", "json", "--store", store).stdout)
    assert (found["a"], found["b"], found["same"]) == (a, b, False)
    [differing] = [s for s in found["shared"] if s["differs"]]
    assert differing["source"] == "hive://warehouse/dw.fact_orders.customer_id"
    assert "GROUP_BY" in differing["difference"]

    shown = run_cli("compare", a, b, "--depth", "1", "--store", store).stdout
    assert "computed differently within 1 hops" in shown and "GROUP_BY" in shown
    assert "4 shared sources (1 reached differently), 2 only in a, 0 only in b" in shown

    refused = run_cli("compare", "marts.revenue.order_count", b, "--store", store, check=False)
    assert refused.returncode == 2 and "NAMESPACE/DATASET.FIELD" in refused.stderr

    health = json.loads(run_cli("health", "--json", "--store", store).stdout)
    [redundant] = health["redundantJobs"]
    assert redundant["job"] == "airflow/build_revenue_by_country_month"
    assert redundant["sameAs"] == "airflow/revenue_by_country_month_copy"
    assert "1 redundant jobs" in run_cli("health", "--store", store).stdout


def test_the_mcp_tools_compare_and_list_redundant_jobs(store: str) -> None:
    asked = call("compare_lineage", {"a": ref(MART, "order_count"), "b": ref(CLV, "order_count"), "depth": 1})
    result = over_stdio(store, asked)
    assert not result.is_error, text(result)
    assert "computed differently" in text(result) and "GROUP_BY" in text(result)
    assert result.structured_content is not None and result.structured_content["same"] is False

    health = over_stdio(store, call("lineage_health", {"days": 30}))
    assert not health.is_error and "1 redundant jobs" in text(health)
    [redundant] = health.structured_content["redundantJobs"]  # type: ignore[index]
    assert redundant["sameAs"]["name"] == "revenue_by_country_month_copy"


def test_an_answer_past_the_budget_keeps_the_sources_that_fit_and_says_it_is_cut(store: str) -> None:
    # Each shared source of the two order counts costs 7 objects at depth 1: itself, and an edge with
    # its two columns on each path.
    small = start_server(store, {"TAGLINE_MAX_ANSWER_OBJECTS": "20"})
    try:
        answer = small.graphql(COMPARE, {"a": ref(MART, "order_count"), "b": ref(CLV, "order_count"), "depth": 1})
    finally:
        stop_server(small)
    found = answer["data"]["compareLineage"]  # type: ignore[index]
    assert len(found["shared"]) == 2 and not found["complete"]
    [error] = answer["errors"]  # type: ignore[misc]
    assert error["extensions"]["code"] == "ANSWER_LIMIT" and error["path"] == ["compareLineage"]
