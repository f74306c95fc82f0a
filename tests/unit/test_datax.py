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
    assert (edge.target.namespace, edge.target.dataset) == ("oracle://ora:1521", "dwprod.dw.products")


def test_an_oracle_table_without_a_schema_is_in_the_connecting_users_schema() -> None:
    batch = batch_of("oracle_to_hdfs.json")
    assert {(r.dataset.namespace, r.dataset.name) for r in batch.reads} == {("oracle://ora:1521", "orcl.scott.emp")}
    assert {(e.source.field, e.target.field) for e in batch.edges} == {
        ("empno", "empno"),
        ("ename", "ename"),
        ("sal", "sal"),
    }


def test_every_shard_is_read_and_constants_expressions_and_where_are_traced_as_datax_runs_them() -> None:
    batch = batch_of("mysql_shards_to_hive.json", {"hdfs://nn:8020/user/hive/warehouse": "hive://metastore:9083"})
    assert not batch.failures
    shards = {("mysql://shard-a:3306", "trade.orders_0"), ("mysql://shard-a:3306", "trade.orders_1")}
    shards |= {("mysql://shard-b:3306", "trade.orders_2"), ("mysql://shard-b:3306", "trade.orders_3")}
    assert {(r.dataset.namespace, r.dataset.name) for r in batch.reads} == shards
    assert {(w.dataset.namespace, w.dataset.name) for w in batch.writes} == {("hive://metastore:9083", "ods.orders")}
    found = {(e.source.dataset, e.source.field, e.target.field, e.transformation.subtype.value) for e in batch.edges}
    shard = {(e.source.field, e.target.field, e.transformation.subtype.value) for e in batch.edges
             if e.source.dataset == "trade.orders_2"}  # fmt: skip
    assert shard == {
        ("id", "order_id", "IDENTITY"),
        ("user_id", "user_id", "IDENTITY"),  # `user_id`, quoted
        ("status", "status", "TRANSFORMATION"),  # upper(status)
        ("amount", "amount_cents", "TRANSFORMATION"),  # amount * 100
        # the where filters every row written: 'app' and null copy constants, no column
        *{("gmt_modified", target, "FILTER") for target in
          ("order_id", "user_id", "status", "source_app", "amount_cents", "note")},
    }  # fmt: skip
    assert len(found) == 4 * len(shard)


def test_a_reader_path_with_a_wildcard_is_its_folder_and_index_columns_give_table_lineage() -> None:
    batch = batch_of("hdfs_to_postgres.json", {"hdfs://nn:8020/user/hive/warehouse": "hive://metastore:9083"})
    assert not batch.failures and not batch.edges
    assert {(r.dataset.namespace, r.dataset.name) for r in batch.reads} == {("hive://metastore:9083", "dws.user_daily")}
    assert {(w.dataset.namespace, w.dataset.name) for w in batch.writes} == {
        ("postgres://bi-db:5432", "bi.report.user_daily")
    }
    unmapped = batch_of("hdfs_to_postgres.json")
    assert [r.dataset.name for r in unmapped.reads] == ["/user/hive/warehouse/dws.db/user_daily"]


def test_passwords_in_jdbc_urls_are_never_kept() -> None:
    text = (FIXTURES / "oracle_to_hdfs.json").read_text()
    cases = [
        ("jdbc:oracle:thin:@ora:1521:ORCL", "jdbc:oracle:thin:scott/tig3r-in-url@ora-no-port"),
        ("jdbc:oracle:thin:@ora:1521:ORCL", "jdbc:mysql:///hr?user=scott&password=tig3r-in-url"),
        ("jdbc:oracle:thin:@ora:1521:ORCL", "jdbc:postgresql://scott:tig3r-in-url@/hr"),
    ]
    for old, new in cases:
        (failure,) = job_batch(text.replace(old, new), "hr.json", JOB).failures
        assert "jdbcUrl" in failure.reason and "connection[0]" in failure.reason, failure.reason
        assert "tig3r" not in failure.reason + failure.payload and "s3cret" not in failure.payload
    sqlserver = "jdbc:sqlserver://erp:1433;databaseName=hr;user=sa;password=tig3r-in-url"
    batch = job_batch(text.replace(cases[0][0], sqlserver).replace('"SAL"', '"SAL", "BONUS"'), "hr.json", JOB)
    (failure,) = batch.failures
    assert "writer.parameter.column" in failure.reason and "matched by position" in failure.reason
    assert "tig3r" not in failure.payload and "password=***" in failure.payload


def test_a_job_that_cannot_be_read_is_one_failure_without_its_credentials() -> None:
    batch = batch_of("broken.json")
    (failure,) = batch.failures
    assert "mongodbreader" in failure.reason and "known: " in failure.reason
    assert "s3cret" not in failure.payload and '"password": "***"' in failure.payload
    assert not batch.edges
