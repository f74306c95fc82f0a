"""dbt artifacts end to end: `tagline ingest dbt` into the store a live server reads, a model that
fails alone, and its replay once the catalog knows the missing column."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Server, run_cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dbt"
NS = "postgres://db:5432"

REVENUE = """
{
  column(namespace: "postgres://db:5432", dataset: "analytics.marts.customer_orders", field: "revenue") {
    dataType
    upstream(depth: 2) {
      source { dataset field } target { dataset field }
      transformation { type subtype }
      job { namespace name }
    }
  }
  dataset(namespace: "postgres://db:5432", name: "analytics.raw.orders") { kind readers { name } }
}
"""


def test_dbt_project_lineage_over_graphql(server: Server) -> None:
    result = run_cli(
        "ingest",
        "dbt",
        "--manifest",
        str(FIXTURE / "manifest.json"),
        "--catalog",
        str(FIXTURE / "catalog.json"),
        "--namespace",
        NS,
        "--store",
        server.store,
    )
    assert "3 models" in result.stdout and "0 failed" in result.stdout
    answer = server.graphql(REVENUE)
    assert "errors" not in answer, answer
    column = answer["data"]["column"]
    assert column["dataType"] == "numeric"
    direct = {
        (
            e["source"]["dataset"],
            e["source"]["field"],
            e["target"]["field"],
            e["transformation"]["subtype"],
            e["job"]["name"],
        )
        for e in column["upstream"]
        if e["transformation"]["type"] == "DIRECT" and e["target"]["field"] in ("revenue", "amount")
    }
    assert direct == {
        ("analytics.staging.stg_orders", "amount", "revenue", "AGGREGATION", "analytics.marts.shop.customer_orders"),
        ("analytics.raw.orders", "amount", "amount", "IDENTITY", "analytics.staging.shop.stg_orders"),
    }
    assert answer["data"]["dataset"] == {"kind": "table", "readers": [{"name": "analytics.staging.shop.stg_orders"}]}


def test_a_failing_model_is_dead_lettered_and_replays_with_a_fixed_catalog(server: Server, tmp_path: Path) -> None:
    manifest = json.loads((FIXTURE / "manifest.json").read_text())
    model = manifest["nodes"]["model.shop.stg_orders"]
    model["compiled_code"] = model["compiled_code"].replace("amount,", "amount, discount,")
    model["relation_name"] = '"analytics"."staging"."stg_orders_v2"'
    broken = manifest["nodes"]["model.shop.customer_orders"]
    broken["compiled_code"] = "select customer_id from from"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    result = run_cli(
        "ingest",
        "dbt",
        "--manifest",
        str(tmp_path / "manifest.json"),
        "--catalog",
        str(FIXTURE / "catalog.json"),
        "--namespace",
        NS,
        "--store",
        server.store,
        check=False,
    )
    assert result.returncode == 1 and "2 failed" in result.stdout
    assert "model.shop.customer_orders models/customer_orders.sql: parse error" in result.stderr
    assert "discount" in result.stderr
    listed = run_cli("deadletter", "list", "--store", server.store).stdout
    assert listed.count("model.shop.") == 2

    catalog = tmp_path / "fixed.json"
    catalog.write_text(
        json.dumps({"analytics.raw.orders": ["id", "customer_id", "amount", "discount", "status", "ordered_at"]})
    )
    replayed = run_cli("deadletter", "replay", "--catalog", str(catalog), "--store", server.store, check=False)
    assert "1 replayed, 1 still failing" in replayed.stdout
    answer = server.graphql(
        '{ column(namespace: "postgres://db:5432", dataset: "analytics.staging.stg_orders_v2",'
        ' field: "discount") { upstream { source { dataset field } job { name } } } }'
    )
    assert {(e["source"]["field"], e["job"]["name"]) for e in answer["data"]["column"]["upstream"]} == {
        ("discount", "analytics.staging.shop.stg_orders"),
        ("status", "analytics.staging.shop.stg_orders"),
    }


def test_bad_artifacts_are_clear_errors(tmp_path: Path) -> None:
    store = str(tmp_path / "graph.db")
    missing = run_cli("ingest", "dbt", "--manifest", str(tmp_path / "nope.json"), "--store", store, check=False)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    (tmp_path / "old.json").write_text(
        json.dumps({"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v4.json"}})
    )
    old = run_cli("ingest", "dbt", "--manifest", str(tmp_path / "old.json"), "--store", store, check=False)
    assert old.returncode == 2 and "v10-v12" in old.stderr


def test_a_newer_manifest_replaces_a_models_lineage_and_retires_a_gone_model(tmp_path: Path) -> None:
    store = tmp_path / "graph.db"
    manifest = json.loads((FIXTURE / "manifest.json").read_text())

    def ingest(document: dict) -> None:
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps(document))
        catalog = str(FIXTURE / "catalog.json")
        run_cli(
            "ingest",
            "dbt",
            "--manifest",
            str(path),
            "--catalog",
            catalog,
            "--namespace",
            NS,
            "--store",
            str(store),
            "--create",
        )

    ingest(manifest)
    newer = json.loads(json.dumps(manifest))
    newer["metadata"]["generated_at"] = "2026-01-10T06:00:00Z"
    del newer["nodes"]["model.shop.stg_orders"]
    customers = newer["nodes"]["model.shop.stg_customers"]
    customers["compiled_code"] = customers["compiled_code"].replace("lower(email) as email", "full_name as email")
    ingest(newer)

    lineage = run_cli("lineage", NS, "analytics.staging.stg_customers", "email", "--store", str(store)).stdout
    assert "raw.customers.full_name" in lineage and "raw.customers.email" not in lineage
    before = run_cli(
        "lineage", NS, "analytics.staging.stg_customers", "email", "--as-of", "2026-01-06", "--store", str(store)
    ).stdout
    assert "raw.customers.email" in before
    for field in ("order_id", "amount"):
        gone = run_cli("lineage", NS, "analytics.staging.stg_orders", field, "--store", str(store)).stdout
        assert "raw.orders" not in gone
        kept = run_cli(
            "lineage", NS, "analytics.staging.stg_orders", field, "--as-of", "2026-01-06", "--store", str(store)
        ).stdout
        assert "raw.orders" in kept
