"""A real PySpark job with the real OpenLineage Spark listener posting to a running Tagline.

The job, in one Spark session for the module: a table written by path (parquet files, no table),
a managed table ``orders``, a CTAS that reads the parquet path and hashes a column
(``sha2(email, 256)``), and an INSERT into ``order_facts`` with a join and a filter. The listener
names each table by its warehouse path (namespace ``file``) with a ``symlinks`` facet holding the
table identifier (namespace ``file:<warehouse>``, name ``default.<table>``); what Tagline stores
is checked through GraphQL, as a frontend reads it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import spark_session
from tests.e2e.conftest import Server, start_server, stop_server
from tests.engines import need

pytestmark = pytest.mark.engine

APP = "tagline_spark_e2e"


@dataclass(frozen=True)
class SparkRun:
    server: Server
    tables: str
    """The namespace of the table identifiers: ``file:`` and the warehouse folder."""
    raw_path: str


def _run_job(server: Server, root: Path) -> SparkRun:
    warehouse, raw_path = root / "warehouse", str(root / "raw" / "customers")
    spark = spark_session.lineage_session(APP, "spark_e2e", warehouse, spark_session.http_transport(server.url))
    try:
        customers = [(1, "ann@example.com", "Ann"), (2, "bob@example.com", "Bob")]
        spark.createDataFrame(customers, ["id", "email", "name"]).write.mode("overwrite").parquet(raw_path)
        spark.sql("CREATE TABLE orders (order_id INT, customer_id INT, amount DOUBLE) USING parquet")
        spark.sql("INSERT INTO orders VALUES (1, 1, 5.0), (2, 2, 7.0), (3, 1, 0.5)")
        spark.sql(
            "CREATE TABLE customer_emails USING parquet AS "
            f"SELECT id, sha2(email, 256) AS email_hash FROM parquet.`{raw_path}`"
        )
        spark.sql("CREATE TABLE order_facts (order_id INT, email_hash STRING, amount DOUBLE) USING parquet")
        spark.sql(
            "INSERT INTO order_facts SELECT o.order_id, c.email_hash, o.amount "
            "FROM orders o JOIN customer_emails c ON o.customer_id = c.id WHERE o.amount > 1"
        )
    finally:
        spark.stop()  # drains the listener bus: the application's COMPLETE is the last event
    return SparkRun(server=server, tables=f"file:{warehouse}", raw_path=raw_path)


@pytest.fixture(scope="module")
def spark_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkRun]:
    """The job run once against a fresh Tagline; skipped without Java 17, Maven and pyspark, unless
    TAGLINE_REQUIRE_SPARK=1 makes that a failure."""
    need(spark_session.available(), spark_session.REQUIRE_ENV, spark_session.MISSING)
    root = tmp_path_factory.mktemp("spark")
    server = start_server(str(root / "graph.db"))
    try:
        run = _run_job(server, root)
        _wait_for_edges(run)
        yield run
    finally:
        stop_server(server)


UPSTREAM = """
query ($ns: String!, $ds: String!, $field: String!, $depth: Int!, $direct: Boolean!) {
  column(namespace: $ns, dataset: $ds, field: $field) {
    upstream(depth: $depth, directOnly: $direct) {
      source { namespace dataset field }
      target { dataset field }
      transformation { type subtype masking }
      job { namespace name }
    }
  }
}
"""


def upstream(run: SparkRun, dataset: str, field: str, depth: int = 1, direct: bool = False) -> list[dict[str, Any]]:
    variables = {"ns": run.tables, "ds": dataset, "field": field, "depth": depth, "direct": direct}
    answer = run.server.graphql(UPSTREAM, variables)
    assert "errors" not in answer, answer
    column = answer["data"]["column"]  # type: ignore[index]
    assert column is not None, f"no column {run.tables} {dataset}.{field}"
    return column["upstream"]


def _wait_for_edges(run: SparkRun, timeout_s: float = 60) -> None:
    """The listener posts from Spark's listener thread; wait until the INSERT's lineage is in."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = run.server.graphql(
            UPSTREAM, {"ns": run.tables, "ds": "default.order_facts", "field": "amount", "depth": 1, "direct": False}
        )
        column = (answer.get("data") or {}).get("column")  # type: ignore[union-attr]
        if column and column["upstream"]:
            return
        time.sleep(0.5)
    raise AssertionError("the INSERT's column lineage did not arrive")


def edges_by_source(edges: list[dict[str, Any]]) -> dict[tuple[str, str], tuple[str, str | None, bool]]:
    return {
        (e["source"]["dataset"], e["source"]["field"]): (
            e["transformation"]["type"],
            e["transformation"]["subtype"],
            e["transformation"]["masking"],
        )
        for e in edges
    }


def test_ctas_hashed_column_is_a_masking_transformation_of_the_parquet_path(spark_run: SparkRun) -> None:
    edges = upstream(spark_run, "default.customer_emails", "email_hash")
    # Told by the CTAS and by its inner insert, which names the table by its path alone: both
    # actions' edges land on the table, each with its job, each a masking transformation.
    assert {(e["source"]["namespace"], e["source"]["dataset"], e["source"]["field"]) for e in edges} == {
        ("file", spark_run.raw_path, "email")
    }
    assert {
        (e["transformation"]["type"], e["transformation"]["subtype"], e["transformation"]["masking"]) for e in edges
    } == {("DIRECT", "TRANSFORMATION", True)}
    jobs = {e["job"]["name"] for e in edges}
    assert any("create_data_source_table_as_select" in j for j in jobs), jobs
    assert edges_by_source(edges) == {(spark_run.raw_path, "email"): ("DIRECT", "TRANSFORMATION", True)}
    assert edges_by_source(upstream(spark_run, "default.customer_emails", "id")) == {
        (spark_run.raw_path, "id"): ("DIRECT", "IDENTITY", False)
    }


def test_insert_with_a_join_carries_values_directly_and_keys_indirectly(spark_run: SparkRun) -> None:
    joined = {
        ("default.orders", "customer_id"): ("INDIRECT", "JOIN", False),
        ("default.customer_emails", "id"): ("INDIRECT", "JOIN", False),
    }
    edges = edges_by_source(upstream(spark_run, "default.order_facts", "order_id"))
    assert edges[("default.orders", "order_id")] == ("DIRECT", "IDENTITY", False)
    assert {k: v for k, v in edges.items() if v[1] == "JOIN"} == joined
    assert edges[("default.orders", "amount")] == ("INDIRECT", "FILTER", False)
    email = edges_by_source(upstream(spark_run, "default.order_facts", "email_hash"))
    assert email[("default.customer_emails", "email_hash")] == ("DIRECT", "IDENTITY", False)


def test_the_hash_is_found_two_hops_up_through_the_table_symlinks(spark_run: SparkRun) -> None:
    edges = upstream(spark_run, "default.order_facts", "email_hash", depth=2, direct=True)
    direct = {(e["source"]["dataset"], e["source"]["field"], e["target"]["dataset"]) for e in edges}
    assert direct == {
        ("default.customer_emails", "email_hash", "default.order_facts"),
        (spark_run.raw_path, "email", "default.customer_emails"),
    }


JOB = """
query ($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) { name writers { namespace name } readers { namespace name } }
}
"""


def test_the_spark_jobs_are_named_by_app_and_action_and_write_the_tables(spark_run: SparkRun) -> None:
    answer = spark_run.server.graphql(JOB, {"ns": spark_run.tables, "name": "default.order_facts"})
    dataset = answer["data"]["dataset"]  # type: ignore[index]
    assert dataset is not None
    writers = {(w["namespace"], w["name"]) for w in dataset["writers"]}
    assert ("spark_e2e", f"{APP}.adaptive_spark_plan.warehouse_order_facts") in writers, writers
    answer = spark_run.server.graphql(JOB, {"ns": spark_run.tables, "name": "default.orders"})
    readers = {(r["namespace"], r["name"]) for r in answer["data"]["dataset"]["readers"]}  # type: ignore[index]
    assert ("spark_e2e", f"{APP}.adaptive_spark_plan.warehouse_order_facts") in readers, readers


NAMES = """
query ($ns: String!, $name: String!) { dataset(namespace: $ns, name: $name) { name } }
"""


def test_a_table_is_never_stored_under_its_warehouse_path(spark_run: SparkRun) -> None:
    """A CTAS's inner insert names the table by its path alone; the path is an alias of the table
    (told by the CTAS event's TABLE symlink), so its lineage lands on the table and the path finds it."""
    warehouse = spark_run.tables.removeprefix("file:")
    for table in ("customer_emails", "order_facts", "orders"):
        answer = spark_run.server.graphql(NAMES, {"ns": "file", "name": f"{warehouse}/{table}"})
        found = answer["data"]["dataset"]  # type: ignore[index]
        assert found in (None, {"name": f"default.{table}"}), f"{table} is also stored as file {warehouse}/{table}"
