"""Table-level lineage of statements that move or derive a whole table: what each reads and writes,
the namespace of every path, and the column lineage where the statement copies columns."""

from __future__ import annotations

import pytest

from tagline.graph.model import JobRef, LineageBatch
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql

JOB = JobRef(namespace="airflow", name="nightly")
NS = "warehouse"


def run(sql: str, dialect: str, catalog: Catalog | None = None) -> LineageBatch:
    return extract_sql(sql, dialect=dialect, namespace=NS, job=JOB, catalog=catalog)


def moves(sql: str, dialect: str, catalog: Catalog | None = None) -> tuple[set[str], set[str]]:
    """(reads, writes) as ``namespace/name``, after checking the statement failed nowhere."""
    batch = run(sql, dialect, catalog)
    assert not batch.failures, [f.reason for f in batch.failures]
    return (
        {f"{r.dataset.namespace}/{r.dataset.name}" for r in batch.reads},
        {f"{w.dataset.namespace}/{w.dataset.name}" for w in batch.writes},
    )


def pairs(batch: LineageBatch) -> set[tuple[str, str]]:
    assert not batch.failures, [f.reason for f in batch.failures]
    return {
        (f"{e.source.dataset}.{e.source.field}", f"{e.target.dataset}.{e.target.field}")
        for e in batch.edges
        if e.transformation.type.value == "DIRECT"
    }


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("CREATE TABLE d.t LIKE d.s", "hive"),
        ("CREATE TABLE d.t LIKE d.s", "mysql"),
        ("CREATE TABLE d.t (LIKE d.s)", "postgres"),
        ("CREATE TABLE d.t CLONE d.s", "snowflake"),
        ("CREATE TABLE d.t CLONE d.s", "bigquery"),
        ("CREATE TABLE d.t COPY d.s", "bigquery"),
        ("CREATE TABLE d.t SHALLOW CLONE d.s", "databricks"),
        ("CREATE OR REPLACE TABLE d.t DEEP CLONE d.s VERSION AS OF 3", "databricks"),
        ("ALTER TABLE d.t SWAP WITH d.s", "snowflake"),
        ("ALTER TABLE d.t EXCHANGE PARTITION (day='2024-01-01') WITH TABLE d.s", "hive"),
        ("ALTER TABLE d.t EXCHANGE PARTITION p0 WITH TABLE d.s", "mysql"),
        ("SELECT swap_partitions_between_tables('d.s', '2024-01', '2024-02', 'd.t')", "vertica"),
    ],
)
def test_statements_deriving_one_table_from_another(sql: str, dialect: str) -> None:
    assert moves(sql, dialect) == ({"warehouse/d.s"}, {"warehouse/d.t"})


def test_like_gives_the_new_table_the_model_tables_columns_without_data() -> None:
    catalog = Catalog.from_mapping({"d.s": ["a", "b"]})
    sql = "CREATE TABLE d.t LIKE d.s; INSERT INTO d.t SELECT x, y FROM d.u"
    batch = run(sql, "hive", catalog)
    assert pairs(batch) == {("d.u.x", "d.t.a"), ("d.u.y", "d.t.b")}  # by position, as the engine maps


def test_clone_copies_every_column_as_it_is() -> None:
    batch = run("CREATE TABLE d.t CLONE d.s", "snowflake", Catalog.from_mapping({"d.s": ["a", "b"]}))
    assert pairs(batch) == {("d.s.a", "d.t.a"), ("d.s.b", "d.t.b")}


def test_rename_moves_what_the_script_wrote_to_the_new_name() -> None:
    sql = """
        INSERT INTO d.stage SELECT id, amount FROM d.src;
        ALTER TABLE d.stage RENAME TO d.orders;
        INSERT INTO d.report SELECT id FROM d.orders;
    """
    batch = run(sql, "ansi")
    assert pairs(batch) == {
        ("d.src.id", "d.orders.id"),
        ("d.src.amount", "d.orders.amount"),
        ("d.orders.id", "d.report.id"),
    }
    assert {d.name for d in batch.datasets} == {"d.src", "d.orders", "d.report"}
    assert {w.dataset.name for w in batch.writes} == {"d.orders", "d.report"}


def test_rename_keeps_the_schema_of_an_unqualified_new_name_and_follows_chains() -> None:
    sql = "CREATE TABLE d.a AS SELECT x FROM d.s; ALTER TABLE d.a RENAME TO b; RENAME TABLE d.b TO d.c"
    assert pairs(run(sql, "mysql")) == {("d.s.x", "d.c.x")}


def test_rename_of_a_table_the_script_did_not_write_moves_nothing_but_tells_the_store() -> None:
    assert moves("ALTER TABLE d.t RENAME TO d.u", "ansi") == (set(), set())
    assert moves("RENAME TABLE t1 TO t2, t3 TO t4", "mysql") == (set(), set())
    # The store moves what it already holds of the old name (see graph/writers/dataset_moves.py).
    renames = run("RENAME TABLE d.t1 TO d.t2, d.t3 TO d.t4", "mysql").renames
    assert {(r.old.name, r.new.name) for r in renames} == {("d.t1", "d.t2"), ("d.t3", "d.t4")}


@pytest.mark.parametrize(
    ("sql", "dialect", "read", "written"),
    [
        ("COPY INTO d.t FROM 's3://bucket/in/day=1/'", "snowflake", "s3://bucket in/day=1/", "warehouse d.t"),
        ("COPY d.t FROM 's3://bucket/in.csv' IAM_ROLE 'arn:aws:iam::1:role/r'", "redshift", "s3://bucket in.csv", "warehouse d.t"),
        ("COPY INTO d.t FROM @raw_stage/orders/", "snowflake", "warehouse @raw_stage/orders/", "warehouse d.t"),
        ("COPY INTO @out_stage/orders/ FROM d.t", "snowflake", "warehouse d.t", "warehouse @out_stage/orders/"),
        ("COPY INTO 'gs://b/out/' FROM (SELECT id FROM d.t)", "snowflake", "warehouse d.t", "gs://b out/"),
        ("UNLOAD ('SELECT * FROM d.t WHERE day = ''2024''') TO 's3://b/unload/t_' IAM_ROLE 'arn:x'", "redshift", "warehouse d.t", "s3://b unload/t_"),
        ("INSERT OVERWRITE DIRECTORY 'hdfs://nn:8020/out/t' SELECT * FROM d.t", "hive", "warehouse d.t", "hdfs://nn:8020 /out/t"),
        ("INSERT OVERWRITE LOCAL DIRECTORY '/tmp/t' ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' SELECT * FROM d.t", "hive", "warehouse d.t", "file /tmp/t"),
        ("LOAD DATA INPATH 'hdfs://nn:8020/in/kv.txt' OVERWRITE INTO TABLE d.t", "hive", "hdfs://nn:8020 /in/kv.txt", "warehouse d.t"),
        ("LOAD DATA LOCAL INPATH 'in/kv.txt' INTO TABLE d.t PARTITION (ds='1')", "hive", "file in/kv.txt", "warehouse d.t"),
        ("LOAD DATA LOCAL INFILE '/tmp/t.csv' REPLACE INTO TABLE d.t FIELDS TERMINATED BY ','", "mysql", "file /tmp/t.csv", "warehouse d.t"),
        ("INSERT OVERWRITE DIRECTORY 's3://b/out/' USING parquet SELECT * FROM d.t", "spark", "warehouse d.t", "s3://b out/"),
        ("INSERT OVERWRITE DIRECTORY USING parquet OPTIONS (path 's3://b/o/', compression 'snappy') SELECT * FROM d.t", "databricks", "warehouse d.t", "s3://b o/"),
    ],
)  # fmt: skip
def test_paths_and_stages_are_datasets_named_as_openlineage_names_them(
    sql: str, dialect: str, read: str, written: str
) -> None:
    """A path's namespace is its scheme and authority (``file`` for a local path) and its name the
    rest; a stage is an object of the warehouse, in the SQL namespace."""
    batch = run(sql, dialect)
    assert not batch.failures, [f.reason for f in batch.failures]
    reads = {f"{r.dataset.namespace} {r.dataset.name}" for r in batch.reads}
    writes = {f"{w.dataset.namespace} {w.dataset.name}" for w in batch.writes}
    assert (reads, writes) == ({read}, {written})


def test_unload_traces_the_columns_of_its_query() -> None:
    batch = run("UNLOAD ('SELECT id, upper(name) AS name FROM d.t') TO 's3://b/out/'", "redshift")
    assert pairs(batch) == {("d.t.id", "out/.id"), ("d.t.name", "out/.name")}


def test_select_into_with_a_set_operation_writes_the_whole_result() -> None:
    sql = "SELECT * INTO films_all FROM films UNION ALL SELECT * FROM films_backup"
    for dialect in ("postgres", "tsql"):
        assert moves(sql, dialect) == ({"warehouse/films", "warehouse/films_backup"}, {"warehouse/films_all"})


def test_cache_table_is_a_session_view_read_where_it_is_used() -> None:
    assert moves("CACHE TABLE v AS SELECT * FROM d.s", "spark") == (set(), set())
    sql = "CACHE TABLE v AS SELECT id, amount FROM d.s WHERE amount > 0; INSERT INTO d.t SELECT id FROM v"
    batch = run(sql, "databricks")
    assert pairs(batch) == {("d.s.id", "d.t.id")}
    assert ({r.dataset.name for r in batch.reads}, {w.dataset.name for w in batch.writes}) == ({"d.s"}, {"d.t"})


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("MSCK REPAIR TABLE d.t", "hive"),
        ("REFRESH TABLE d.t", "spark"),
        ("INVALIDATE METADATA d.t", "impala"),
        ("COMPUTE STATS d.t", "impala"),
        ("UNCACHE TABLE IF EXISTS v", "databricks"),
        ("VACUUM d.t RETAIN 168 HOURS", "databricks"),
        ("ANALYZE d.t (a, b)", "postgres"),
        ("SHOW CREATE TABLE d.t", "databricks"),
        ("SHOW FUNCTIONS trim", "hive"),
        ("ADD JAR /tmp/udf.jar", "sparksql"),
        ("LIST JAR", "spark"),
    ],
)
def test_housekeeping_is_recognised_as_moving_nothing(sql: str, dialect: str) -> None:
    batch = run(sql, dialect)
    assert (batch.failures, batch.reads, batch.writes, batch.edges) == ([], [], [], [])


def test_tsql_compound_assignment_and_update_through_an_alias() -> None:
    sql = """UPDATE sr SET sr.Name += ' - tool malfunction'
        FROM Production.ScrapReason AS sr
        JOIN Production.WorkOrder AS wo ON sr.ScrapReasonID = wo.ScrapReasonID"""
    assert moves(sql, "tsql") == ({"warehouse/production.workorder"}, {"warehouse/production.scrapreason"})
    assert pairs(run(sql, "tsql")) == {("production.scrapreason.name", "production.scrapreason.name")}
