"""`tagline ingest datax` end to end: DataX job files in, column lineage out through GraphQL, a bad
file kept without its credentials and replayed once fixed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e.conftest import Server, run_cli

FIXTURES = Path(__file__).parents[1] / "fixtures" / "datax"
WAREHOUSE = "hdfs://nn:8020/user/hive/warehouse=hive://metastore:9083"


def test_datax_jobs_land_and_a_bad_one_is_kept_without_credentials(server: Server, tmp_path: Path) -> None:
    for name in ("mysql_to_hdfs.json", "pg_query_to_mysql.json", "mysql_shards_to_hive.json", "broken.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    files = sorted(str(p) for p in tmp_path.glob("*.json"))
    result = run_cli("ingest", "datax", *files, "--namespace-map", WAREHOUSE, "--store", server.store, check=False)
    assert result.returncode == 1 and "3 jobs" in result.stdout and "1 failed" in result.stdout
    assert "mongodbreader" in result.stderr and "s3cret" not in result.stderr + result.stdout

    answer = server.graphql(
        """{ ods: column(namespace: "hive://metastore:9083", dataset: "ods.users", field: "user_email") {
               upstream { source { namespace dataset field } job { namespace name } } }
             crm: column(namespace: "mysql://app-db:3306", dataset: "crm.customer_value", field: "lifetime_value") {
               upstream { source { dataset field } transformation { type } } }
             orders: column(namespace: "hive://metastore:9083", dataset: "ods.orders", field: "amount_cents") {
               upstream { source { namespace dataset field } transformation { subtype } } } }"""
    )["data"]
    assert answer["ods"]["upstream"] == [
        {
            "source": {"namespace": "mysql://db1:3306", "dataset": "shop.users", "field": "email"},
            "job": {"namespace": "datax", "name": "mysql_to_hdfs"},
        }
    ]
    assert {"source": {"dataset": "dw.public.orders", "field": "amount"}, "transformation": {"type": "DIRECT"}} in (
        answer["crm"]["upstream"]
    )

    assert sorted((e["source"]["namespace"], e["source"]["dataset"], e["source"]["field"]) for e in answer["orders"]["upstream"]
                  if e["transformation"]["subtype"] == "TRANSFORMATION") == [
        ("mysql://shard-a:3306", f"trade.orders_{n}", "amount") for n in (0, 1)
    ] + [("mysql://shard-b:3306", f"trade.orders_{n}", "amount") for n in (2, 3)]  # fmt: skip

    kept = run_cli("deadletter", "list", "--store", server.store).stdout
    assert "broken.json" in kept and "s3cret" not in kept
    shutil.copy(FIXTURES / "sqlserver_to_oracle.json", tmp_path / "broken.json")
    replayed = run_cli("deadletter", "replay", "--store", server.store, check=False)
    assert "1 replayed" in replayed.stdout
    fixed = server.graphql(
        '{ column(namespace: "oracle://ora:1521", dataset: "dwprod.dw.products", field: "product_name") '
        "{ upstream { source { namespace dataset field } } } }"
    )["data"]["column"]
    assert fixed["upstream"] == [
        {"source": {"namespace": "mssql://erp:1433", "dataset": "adventureworks.production.product", "field": "name"}}
    ]
