"""`tagline review` end to end on a real GremLite store: a three-job pipeline whose change to one
job adds a column built from a `pii` source and drops a column a report sums. The same answer
through the CLI, `previewChange` over HTTP, the MCP tool and the dbt form; the store is left
exactly as it was."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tagline.graph.store import GraphStore
from tests.e2e.conftest import run_cli, start_server, stop_server
from tests.e2e.test_mcp import call, over_stdio, text

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dbt"
NS = "hive://warehouse"
BASE = {
    "load_customers": "INSERT INTO stage.customers SELECT c.id AS id, c.email AS email FROM raw.customers c",
    "stage_orders": "INSERT INTO stage.orders SELECT o.id AS id, o.amount AS amount, o.discount AS discount "
    "FROM raw.orders o",
    "report": "INSERT INTO mart.report SELECT SUM(s.amount) AS total, SUM(s.discount) AS total_discount "
    "FROM stage.orders s",
}
CHANGED = (
    "INSERT INTO stage.orders SELECT o.id AS id, o.amount AS amount, c.email AS buyer_email "
    "FROM raw.orders o JOIN stage.customers c ON o.customer_id = c.id"
)
ADDED_PII = {"namespace": NS, "dataset": "stage.orders", "field": "buyer_email"}
DROPPED = {"namespace": NS, "dataset": "stage.orders", "field": "discount"}
REPORT = {"namespace": NS, "dataset": "mart.report", "field": "total_discount"}
EMAIL_PATH = [
    {"namespace": NS, "dataset": "raw.customers", "field": "email"},
    {"namespace": NS, "dataset": "stage.customers", "field": "email"},
    ADDED_PII,
]


def state_of(store: str) -> tuple[str, int, dict[str, int]]:
    """The store file's bytes, its change log's position and its element counts."""
    digest = hashlib.sha256(Path(store).read_bytes()).hexdigest()
    with sqlite3.connect(store) as con:
        position = int(con.execute("SELECT COALESCE(MAX(seq), 0) FROM tagline_changes").fetchone()[0])
    graph = GraphStore(store)
    try:
        counts = graph.counts()
    finally:
        graph.close()
    return digest, position, counts


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("review")
    store = str(folder / "graph.db")
    for job, sql in BASE.items():
        (folder / f"{job}.sql").write_text(sql + ";\n")
        run_cli("ingest", "sql", str(folder / f"{job}.sql"), "--dialect", "hive", "--namespace", NS, "--job", job,
                "--store", store, "--create")  # fmt: skip
    run_cli("tag", "set", NS, "raw.customers", "email", "pii", "--store", store)
    changed = folder / "change" / "stage_orders.sql"
    changed.parent.mkdir()
    changed.write_text(CHANGED + ";\n")
    return store, changed


def review(store: str, changed: Path, *more: str, check: bool = False) -> Any:
    args = ["review", "--store", store, "--dialect", "hive", "--namespace", NS, "--job", "stage_orders"]
    return run_cli(*args, "--after", str(changed), *more, check=check)


def edge_ends(edges: list[dict[str, Any]]) -> list[tuple[dict[str, str], dict[str, str]]]:
    return [(e["source"], e["target"]) for e in edges]


def assert_the_change(found: dict[str, Any]) -> None:
    assert (EMAIL_PATH[1], ADDED_PII) in edge_ends(found["edges"]["added"])
    assert edge_ends(found["edges"]["removed"]) == [
        ({"namespace": NS, "dataset": "raw.orders", "field": "discount"}, DROPPED)
    ]
    assert {"column": ADDED_PII, "tag": "pii", "path": EMAIL_PATH} in found["tags"]["gained"]
    assert found["tags"]["lost"] == []
    assert found["broken"] == [REPORT]
    assert {"namespace": "default", "name": "report"} in found["downstream"]["jobs"]
    assert REPORT in found["downstream"]["columns"]
    added = [(d["job"]["name"], d["upstream"]["name"]) for d in found["dependencies"]["added"]]
    assert added == [("stage_orders", "load_customers")]


def test_cli_review_names_the_change_and_leaves_the_store_unchanged(pipeline: tuple[str, Path]) -> None:
    store, changed = pipeline
    before = state_of(store)
    result = review(store, changed, "--format", "json", check=True)
    assert_the_change(json.loads(result.stdout))
    assert state_of(store) == before


def test_fail_on_rules_set_the_exit_status(pipeline: tuple[str, Path]) -> None:
    store, changed = pipeline
    assert review(store, changed, "--fail-on", "tag-gained:pii").returncode == 1
    assert review(store, changed, "--fail-on", "broken").returncode == 1
    assert review(store, changed, "--fail-on", "dependency-change").returncode == 1
    assert review(store, changed, "--fail-on", "tag-gained:pci,violation").returncode == 0
    bad = review(store, changed, "--fail-on", "tag-lost")
    assert bad.returncode == 2 and "tag-lost" in bad.stderr
    missing = run_cli("review", "--store", store, "--dialect", "hive", "--after", str(changed), check=False)
    assert missing.returncode == 2 and "--job" in missing.stderr


def test_bad_sql_is_bad_input_naming_where(pipeline: tuple[str, Path], tmp_path: Path) -> None:
    store, _ = pipeline
    broken = tmp_path / "stage_orders.sql"
    broken.write_text("INSERT INTO stage.orders SELECT FROM WHERE;\n")
    result = review(store, broken)
    assert result.returncode == 2 and "stage_orders.sql" in result.stderr


def test_markdown_names_all_of_it_with_explorer_links(pipeline: tuple[str, Path]) -> None:
    store, changed = pipeline
    result = review(store, changed, "--fail-on", "tag-gained:pii", "--ui-url", "http://tagline.example/ui")
    assert result.returncode == 1
    markdown = result.stdout
    assert markdown.startswith("**Tagline review of `stage_orders`** ❌ fails `tag-gained:pii`")
    for named in ("stage.orders.buyer_email", "stage.orders.discount", "mart.report.total_discount", "`pii`",
                  "raw.customers.email → stage.customers.email → stage.orders.buyer_email", "`load_customers`"):  # fmt: skip
        assert named in markdown, named
    assert (
        "http://tagline.example/ui/column?namespace=hive%3A%2F%2Fwarehouse&dataset=mart.report&field=total_discount"
        in markdown
    )


def test_before_file_compares_two_scripts(pipeline: tuple[str, Path], tmp_path: Path) -> None:
    store, changed = pipeline
    old = tmp_path / "old.sql"
    old.write_text(BASE["stage_orders"] + ";\n")
    result = review(store, changed, "--before", str(old), "--format", "json", check=True)
    assert_the_change(json.loads(result.stdout))


PREVIEW = """query($job: JobRefInput!, $sql: String!, $ns: String!) {
  previewChange(job: $job, sql: $sql, dialect: "hive", namespace: $ns) {
    edges { added { source { namespace dataset field } target { namespace dataset field }
                    transformation { type subtype masking } job { namespace name } }
            removed { source { namespace dataset field } target { namespace dataset field }
                      transformation { type subtype masking } job { namespace name } } }
    tags { gained { column { namespace dataset field } tag path { namespace dataset field } }
           lost { column { namespace dataset field } tag path { namespace dataset field } } }
    broken { namespace dataset field }
    downstream { columns { namespace dataset field } datasets { namespace name } jobs { namespace name } }
    dependencies { added { job { namespace name } upstream { namespace name } datasets { namespace name } }
                   removed { job { namespace name } upstream { namespace name } datasets { namespace name } } }
    violations { created { kind column { namespace dataset field } tags message }
                 cleared { kind column { namespace dataset field } tags message } } } }"""


def test_preview_change_over_http_gives_the_cli_answer(pipeline: tuple[str, Path]) -> None:
    store, changed = pipeline
    before = state_of(store)
    cli = json.loads(review(store, changed, "--format", "json", check=True).stdout)
    server = start_server(store)
    try:
        variables = {"job": {"namespace": "default", "name": "stage_orders"}, "sql": CHANGED, "ns": NS}
        answer = server.graphql(PREVIEW, variables)
        empty = server.graphql(PREVIEW, {**variables, "sql": "  "})
    finally:
        stop_server(server)
    assert "errors" not in answer, answer
    assert answer["data"]["previewChange"] == cli  # type: ignore[index]
    assert_the_change(answer["data"]["previewChange"])  # type: ignore[index]
    assert empty["errors"][0]["extensions"]["code"] == "INVALID_INPUT"  # type: ignore[index]
    assert state_of(store) == before


def test_review_change_mcp_tool(pipeline: tuple[str, Path]) -> None:
    store, _ = pipeline
    before = state_of(store)
    arguments = {"namespace": "default", "job": "stage_orders", "sql": CHANGED, "dialect": "hive",
                 "dataset_namespace": NS}  # fmt: skip
    result = over_stdio(store, call("review_change", arguments))
    assert not result.is_error, text(result)
    assert_the_change(result.structured_content)  # type: ignore[arg-type]
    assert "stage.orders.buyer_email gains pii" in text(result) and "mart.report.total_discount" in text(result)
    assert state_of(store) == before


def test_dbt_review_of_a_changed_model(tmp_path: Path) -> None:
    store = str(tmp_path / "graph.db")
    manifest, catalog = FIXTURE / "manifest.json", FIXTURE / "catalog.json"
    run_cli("ingest", "dbt", "--manifest", str(manifest), "--catalog", str(catalog), "--store", store, "--create")
    head = json.loads(manifest.read_text())
    head["nodes"]["model.shop.stg_orders"]["compiled_code"] = (
        "select o.id as order_id, o.customer_id, o.status, o.ordered_at, c.email as buyer_email "
        'from "analytics"."raw"."orders" o join "analytics"."raw"."customers" c on o.customer_id = c.id '
        "where o.status <> 'cancelled'"
    )
    (tmp_path / "head").mkdir()
    changed = tmp_path / "head" / "manifest.json"
    changed.write_text(json.dumps(head))
    before = state_of(store)
    args = ["review", "dbt", "--store", store, "--base", str(manifest), "--head", str(changed)]
    result = run_cli(*args, "--base-catalog", str(catalog), "--head-catalog", str(catalog), "--format", "json")
    found = json.loads(result.stdout)
    ns = "postgres"
    column = {"namespace": ns, "dataset": "analytics.staging.stg_orders", "field": "buyer_email"}
    assert column in [e["target"] for e in found["edges"]["added"]]
    assert {e["job"]["name"] for e in found["edges"]["added"] + found["edges"]["removed"]} == {
        "analytics.staging.shop.stg_orders"  # as `ingest dbt` named it
    }
    assert any(t["column"] == column and t["tag"] == "pii" for t in found["tags"]["gained"])
    amount = {"namespace": ns, "dataset": "analytics.staging.stg_orders", "field": "amount"}
    assert amount in [e["target"] for e in found["edges"]["removed"]]
    assert {"namespace": ns, "dataset": "analytics.marts.customer_orders", "field": "revenue"} in found["broken"]
    refused = run_cli(*args, "--fail-on", "tag-gained:pii", check=False)
    assert refused.returncode == 1 and "buyer_email" in refused.stdout
    assert state_of(store) == before


def test_the_unchanged_script_is_no_change(pipeline: tuple[str, Path], tmp_path: Path) -> None:
    store, _ = pipeline
    same = tmp_path / "stage_orders.sql"
    same.write_text(BASE["stage_orders"] + ";\n")
    found = json.loads(review(store, same, "--format", "json", check=True).stdout)
    assert found["edges"] == {"added": [], "removed": []} and found["tags"] == {"gained": [], "lost": []}
    assert found["dependencies"] == {"added": [], "removed": []} and found["broken"] == []
    assert "no lineage change" in review(store, same, check=True).stdout
