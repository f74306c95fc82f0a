"""DataX job files: datasets named by the OpenLineage naming spec, columns copied by position,
querySql traced, credentials never kept."""

from __future__ import annotations

from pathlib import Path

from tagline.graph.model import JobRef, LineageBatch
from tagline.ingest.datax import job_batch

FIXTURES = Path(__file__).parents[1] / "fixtures" / "datax"
JOB = JobRef(namespace="datax", name="sync")


def batch_of(name: str, namespace_map: dict[str, str] | None = None) -> LineageBatch:
    path = FIXTURES / name
    return job_batch(path.read_text(), str(path), JOB, namespace_map)


def edges(batch: LineageBatch) -> set[tuple[str, str, str, str, str, str]]:
    return {
        (e.source.namespace, e.source.dataset, e.source.field, e.target.namespace, e.target.dataset, e.target.field)
        for e in batch.edges
    }


def test_mysql_to_a_hive_table_through_its_warehouse_path() -> None:
    batch = batch_of("mysql_to_hdfs.json", {"hdfs://nn:8020/user/hive/warehouse": "hive://metastore:9083"})
    assert not batch.failures
    assert edges(batch) == {
        ("mysql://db1:3306", "shop.users", "id", "hive://metastore:9083", "ods.users", "user_id"),
        ("mysql://db1:3306", "shop.users", "name", "hive://metastore:9083", "ods.users", "user_name"),
        ("mysql://db1:3306", "shop.users", "email", "hive://metastore:9083", "ods.users", "user_email"),
    }
    assert {(r.dataset.namespace, r.dataset.name) for r in batch.reads} == {("mysql://db1:3306", "shop.users")}
    assert all(e.transformation.subtype and e.transformation.subtype.value == "IDENTITY" for e in batch.edges)


def test_without_a_map_the_path_is_the_dataset() -> None:
    batch = batch_of("mysql_to_hdfs.json")
    assert {(w.dataset.namespace, w.dataset.name) for w in batch.writes} == {
        ("hdfs://nn:8020", "/user/hive/warehouse/ods.db/users")
    }


def test_a_query_reader_is_traced_into_the_writer_columns_by_position() -> None:
    batch = batch_of("pg_query_to_mysql.json")
    assert not batch.failures
    found = {
        (e.source.dataset, e.source.field, e.target.dataset, e.target.field, e.transformation.type.value)
        for e in batch.edges
    }
    assert ("dw.public.orders", "amount", "crm.customer_value", "lifetime_value", "DIRECT") in found
    assert ("dw.public.orders", "customer_id", "crm.customer_value", "customer_id", "DIRECT") in found
    assert ("dw.public.orders", "status", "crm.customer_value", "lifetime_value", "INDIRECT") in found
    assert {e.source.namespace for e in batch.edges} == {"postgres://dw:5432"}
    assert {e.target.namespace for e in batch.edges} == {"mysql://app-db:3306"}


def test_sql_server_and_oracle_urls_name_their_databases() -> None:
    batch = batch_of("sqlserver_to_oracle.json")
    assert not batch.failures
    (edge, *_) = sorted(batch.edges, key=lambda e: e.source.field)
    assert (edge.source.namespace, edge.source.dataset) == ("mssql://erp:1433", "adventureworks.production.product")
    assert (edge.target.namespace, edge.target.dataset) == ("oracle://ora:1521", "dw.products")


def test_a_job_that_cannot_be_read_is_one_failure_without_its_credentials() -> None:
    batch = batch_of("broken.json")
    (failure,) = batch.failures
    assert "mongodbreader" in failure.reason and "known: " in failure.reason
    assert "s3cret" not in failure.payload and '"password": "***"' in failure.payload
    assert not batch.edges
