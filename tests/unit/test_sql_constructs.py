"""Constructs of the SQL lineage extractor: MERGE, procedures, lateral aliases, stars, temporary
tables, PIVOT, engine naming of un-aliased outputs, table-level lineage. Exact edge sets each."""

from __future__ import annotations

import pytest

from tagline.graph.model import JobRef, LineageBatch
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import ExtractOptions, extract_sql
from tagline.ingest.sql.summary import summarize_sql

JOB = JobRef(namespace="airflow", name="nightly")


def run(sql: str, dialect: str = "hive", **kwargs: object) -> LineageBatch:
    return extract_sql(sql, dialect=dialect, namespace="ns", job=JOB, **kwargs)  # type: ignore[arg-type]


def pairs(batch: LineageBatch, *, indirect: bool = False) -> set[tuple[str, str]]:
    """(source, target) of the DIRECT edges (and INDIRECT ones when asked)."""
    assert not batch.failures, [f.reason for f in batch.failures]
    return {
        (f"{e.source.dataset}.{e.source.field}", f"{e.target.dataset}.{e.target.field}")
        for e in batch.edges
        if indirect or e.transformation.type.value == "DIRECT"
    }


def tables(batch: LineageBatch) -> tuple[set[str], set[str]]:
    return {r.dataset.name for r in batch.reads}, {w.dataset.name for w in batch.writes}


# ---- MERGE ---------------------------------------------------------------------------------


def test_merge_update_and_insert_map_by_target_column() -> None:
    sql = """
        MERGE INTO dw.customers t USING stage.customers s ON t.id = s.id
        WHEN MATCHED AND s.deleted = 0 THEN UPDATE SET t.email = lower(s.email)
        WHEN NOT MATCHED THEN INSERT (id, email) VALUES (s.id, s.email)
    """
    batch = run(sql, "ansi")
    assert pairs(batch) == {("stage.customers.email", "dw.customers.email"), ("stage.customers.id", "dw.customers.id")}
    assert tables(batch) == ({"stage.customers"}, {"dw.customers"})


def test_merge_set_star_and_insert_star_copy_every_source_column() -> None:
    sql = """MERGE INTO dw.t USING stage.s ON dw.t.id = stage.s.id
             WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"""
    assert pairs(run(sql, "databricks")) == {("stage.s.*", "dw.t.*")}
    catalog = Catalog.from_mapping({"stage.s": ["id", "v"]})
    assert pairs(run(sql, "databricks", catalog=catalog)) == {("stage.s.id", "dw.t.id"), ("stage.s.v", "dw.t.v")}


def test_merge_insert_without_column_list_feeds_the_catalog_columns_or_is_reported_partial() -> None:
    sql = "MERGE INTO t USING s ON t.k = s.k WHEN NOT MATCHED THEN INSERT VALUES (s.k, s.v)"
    batch = run(sql, "ansi")
    assert batch.edges == [] and tables(batch) == ({"s"}, {"t"})
    assert [(f.partial, f.reason) for f in batch.failures] == [
        (True, "WHEN clause 1 (into t): t: the statement does not say which target columns its values feed"
         " (no column list, and no catalog lists the table's columns)")
    ]  # fmt: skip
    with_catalog = run(sql, "ansi", catalog=Catalog.from_mapping({"t": ["k", "v"]}))
    assert pairs(with_catalog) == {("s.k", "t.k"), ("s.v", "t.v")}


def test_update_does_not_count_its_target_as_a_read() -> None:
    batch = run("UPDATE dw.t SET v = s.v FROM stage.s WHERE dw.t.id = s.id", "postgres")
    assert tables(batch) == ({"stage.s"}, {"dw.t"})
    assert pairs(batch) == {("stage.s.v", "dw.t.v")}


# ---- INSERT / CREATE with column lists, VALUES, COPY ----------------------------------------


def test_ctas_and_view_with_column_lists_map_by_position() -> None:
    assert pairs(run("CREATE TABLE d.t (x, y) AS SELECT a, b FROM d.s", "postgres")) == {
        ("d.s.a", "d.t.x"), ("d.s.b", "d.t.y"),
    }  # fmt: skip
    assert pairs(run("CREATE VIEW d.v (x) AS SELECT upper(a) FROM d.s")) == {("d.s.a", "d.v.x")}


def test_insert_values_with_subqueries_reads_their_tables() -> None:
    batch = run("INSERT INTO d.t VALUES (1, (SELECT max(id) FROM d.a)), (2, (SELECT max(id) FROM d.b))")
    assert tables(batch) == ({"d.a", "d.b"}, {"d.t"})
    assert batch.edges == []  # no column list and no catalog: the target columns are unknown
    with_catalog = run(
        "INSERT INTO d.t VALUES (1, (SELECT max(id) FROM d.a))", catalog=Catalog.from_mapping({"d.t": ["n", "m"]})
    )
    assert pairs(with_catalog) == {("d.a.id", "d.t.m")}


def test_copy_reads_its_files() -> None:
    batch = run("COPY d.t FROM 's3://bucket/path/'", "postgres")
    assert tables(batch) == ({"path/"}, {"d.t"})
    assert batch.reads[0].dataset.namespace == "s3://bucket"  # OpenLineage naming of an S3 object


def test_spark_file_source_is_named_by_its_path() -> None:
    batch = run("INSERT INTO d.t SELECT * FROM parquet.`s3://b/events/`", "spark")
    assert tables(batch) == ({"events/"}, {"d.t"})
    assert batch.reads[0].dataset.namespace == "s3://b"


def test_create_table_ddl_is_a_write_without_edges() -> None:
    batch = run("CREATE TABLE d.t (a INT)")
    assert tables(batch) == (set(), {"d.t"}) and batch.edges == []


# ---- procedures and blocks -----------------------------------------------------------------

TSQL_PROCEDURE = """
CREATE PROCEDURE etl.load_orders @since DATE AS
BEGIN
  SET NOCOUNT ON;
  DECLARE @n INT = 0;
  IF @since IS NULL
    SET @since = GETDATE();
  BEGIN TRY
    INSERT INTO dw.orders (id, total) SELECT o.id, o.amount * 2 FROM shop.orders o WHERE o.ts >= @since;
  END TRY
  BEGIN CATCH
    THROW;
  END CATCH
END;
GO
"""

BIGQUERY_SCRIPT = """
CREATE PROCEDURE ds.refresh(since DATE)
BEGIN
  DECLARE n INT64 DEFAULT 0;
  LOOP
    SET n = n + 1;
    IF n > 3 THEN LEAVE; END IF;
  END LOOP;
  INSERT INTO ds.daily (day, total) SELECT day, SUM(amount) FROM ds.events WHERE day >= since GROUP BY day;
EXCEPTION WHEN ERROR THEN
  SELECT @@error.message;
END;
"""

ORACLE_BLOCK = """
CREATE OR REPLACE PROCEDURE load_daily(p_day DATE) IS
BEGIN
  IF p_day IS NULL THEN
    NULL;
  END IF;
  INSERT INTO mart.daily (day, total) SELECT day, amount FROM shop.sales WHERE day = p_day;
EXCEPTION
  WHEN OTHERS THEN
    RAISE;
END;
/
"""


@pytest.mark.parametrize(
    ("dialect", "sql", "expected"),
    [
        ("tsql", TSQL_PROCEDURE, {("shop.orders.id", "dw.orders.id"), ("shop.orders.amount", "dw.orders.total")}),
        ("bigquery", BIGQUERY_SCRIPT, {("ds.events.day", "ds.daily.day"), ("ds.events.amount", "ds.daily.total")}),
        ("oracle", ORACLE_BLOCK, {("shop.sales.day", "mart.daily.day"), ("shop.sales.amount", "mart.daily.total")}),
    ],
    ids=["tsql", "bigquery", "oracle"],
)
def test_statements_inside_procedures_yield_lineage(dialect: str, sql: str, expected: set[tuple[str, str]]) -> None:
    batch = run(sql, dialect)
    assert pairs(batch) == expected


def test_procedure_parameters_are_values_not_columns() -> None:
    # Two tables and a bare `since`: without knowing it is a parameter, it would be ambiguous.
    sql = """CREATE PROCEDURE p(since DATE) BEGIN
             INSERT INTO d.t (a) SELECT x.a FROM d.x x JOIN d.y y ON x.k = y.k WHERE x.day >= since;
             END"""
    assert pairs(run(sql, "bigquery")) == {("d.x.a", "d.t.a")}


# ---- lateral column aliases -----------------------------------------------------------------


def test_lateral_alias_follows_the_dialect_and_the_option() -> None:
    sql = "INSERT INTO d.t SELECT a + 1 AS b, b * 2 AS c FROM d.s"
    assert pairs(run(sql, "spark")) == {("d.s.a", "d.t.b"), ("d.s.a", "d.t.c")}
    assert pairs(run(sql, "postgres")) == {("d.s.a", "d.t.b"), ("d.s.b", "d.t.c")}
    on = ExtractOptions(lateral_alias=True)
    assert pairs(run(sql, "postgres", options=on)) == {("d.s.a", "d.t.b"), ("d.s.a", "d.t.c")}


def test_a_real_column_wins_over_a_lateral_alias_of_the_same_name() -> None:
    catalog = Catalog.from_mapping({"d.s": ["a", "b"]})
    sql = "INSERT INTO d.t SELECT a AS b, b AS c FROM d.s"
    assert pairs(run(sql, "spark", catalog=catalog)) == {("d.s.a", "d.t.b"), ("d.s.b", "d.t.c")}


# ---- stars ---------------------------------------------------------------------------------


def test_star_without_catalog_is_an_edge_to_star() -> None:
    assert pairs(run("INSERT INTO d.t SELECT * FROM d.s")) == {("d.s.*", "d.t.*")}
    assert pairs(run("INSERT INTO d.t SELECT s.* FROM d.s s JOIN d.u u ON s.k = u.k")) == {("d.s.*", "d.t.*")}


def test_star_with_catalog_expands() -> None:
    catalog = Catalog.from_mapping({"d.s": ["a", "b"], "d.u": ["k", "c"]})
    sql = "INSERT INTO d.t SELECT s.*, u.c FROM d.s s JOIN d.u u ON s.a = u.k"
    assert pairs(run(sql, catalog=catalog)) == {("d.s.a", "d.t.a"), ("d.s.b", "d.t.b"), ("d.u.c", "d.t.c")}


# ---- session metadata and temporary tables ---------------------------------------------------


def test_a_table_created_earlier_is_the_catalog_of_later_statements() -> None:
    sql = """CREATE TABLE d.mid AS SELECT a, b FROM d.src;
             INSERT INTO d.out SELECT * FROM d.mid"""
    assert pairs(run(sql)) == {
        ("d.src.a", "d.mid.a"),
        ("d.src.b", "d.mid.b"),
        ("d.mid.a", "d.out.a"),
        ("d.mid.b", "d.out.b"),
    }


TEMP_SCRIPT = """
CREATE TEMPORARY VIEW recent AS SELECT id, upper(name) AS name FROM d.users WHERE active;
INSERT INTO d.report SELECT id, name FROM recent;
"""


def test_temporary_views_resolve_to_real_sources() -> None:
    batch = run(TEMP_SCRIPT, "spark")
    assert pairs(batch) == {("d.users.id", "d.report.id"), ("d.users.name", "d.report.name")}
    assert ("d.users.active", "d.report.id") in pairs(batch, indirect=True)
    assert tables(batch) == ({"d.users"}, {"d.report"})
    assert "recent" not in {d.name for d in batch.datasets}


def test_keep_temporary_keeps_the_hop() -> None:
    batch = run(TEMP_SCRIPT, "spark", options=ExtractOptions(keep_temporary=True))
    assert ("d.users.name", "recent.name") in pairs(batch) and ("recent.name", "d.report.name") in pairs(batch)


def test_tsql_hash_tables_and_tables_dropped_at_the_end_are_temporary() -> None:
    tsql = "SELECT id INTO #ids FROM d.a; INSERT INTO d.b SELECT id FROM #ids"
    assert pairs(run(tsql, "tsql")) == {("d.a.id", "d.b.id")}
    dropped = "CREATE TABLE d.stage AS SELECT x FROM d.a; INSERT INTO d.b SELECT x FROM d.stage; DROP TABLE d.stage"
    batch = run(dropped)
    assert pairs(batch) == {("d.a.x", "d.b.x")}
    assert tables(batch) == ({"d.a"}, {"d.b"})


def test_transformations_compose_through_a_temporary_table() -> None:
    sql = "CREATE TEMP TABLE s AS SELECT sha2(email, 256) AS e FROM d.u; INSERT INTO d.o SELECT upper(e) AS e FROM s"
    (edge,) = run(sql, "postgres").edges
    assert (edge.transformation.subtype.value, edge.transformation.masking) == ("TRANSFORMATION", True)


# ---- LATERAL VIEW, UNNEST, PIVOT ---------------------------------------------------------------


def test_lateral_view_explode_and_unnest() -> None:
    assert pairs(run("INSERT INTO d.t SELECT id, x FROM d.s LATERAL VIEW explode(items) e AS x")) == {
        ("d.s.id", "d.t.id"), ("d.s.items", "d.t.x"),
    }  # fmt: skip
    assert pairs(run("INSERT INTO d.t SELECT id, x FROM d.s, UNNEST(s.items) AS x", "bigquery")) == {
        ("d.s.id", "d.t.id"), ("d.s.items", "d.t.x"),
    }  # fmt: skip


def test_pivot_aggregates_by_the_for_column() -> None:
    sql = "INSERT INTO d.t SELECT region, q1 FROM d.sales PIVOT (SUM(amount) FOR quarter IN ('Q1' AS q1, 'Q2' AS q2))"
    for dialect in ("snowflake", "databricks"):
        batch = run(sql, dialect)
        assert pairs(batch) == {("d.sales.region", "d.t.region"), ("d.sales.amount", "d.t.q1")}
        assert ("d.sales.quarter", "d.t.q1") in pairs(batch, indirect=True)


def test_a_counting_pivot_masks_the_counted_column_on_a_table_and_on_a_subquery() -> None:
    for source in ("d.sales", "(SELECT * FROM d.sales) s"):
        sql = f"INSERT INTO d.t SELECT region, q1 FROM {source} PIVOT (COUNT(amount) FOR quarter IN ('Q1' AS q1))"
        batch = run(sql, "snowflake", catalog=Catalog.from_mapping({"d.sales": ["region", "amount", "quarter"]}))
        counted = [e for e in batch.edges if e.source.field == "amount"]
        assert [(e.transformation.subtype.value, e.transformation.masking) for e in counted] == [("AGGREGATION", True)]


def test_unpivot_value_column_comes_from_each_listed_column() -> None:
    sql = "INSERT INTO d.t SELECT id, kind, val FROM d.wide UNPIVOT (val FOR kind IN (a, b))"
    assert pairs(run(sql, "snowflake")) == {("d.wide.id", "d.t.id"), ("d.wide.a", "d.t.val"), ("d.wide.b", "d.t.val")}


# ---- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "name"),
    [
        ("hive", "_c1"),
        ("trino", "_col1"),
        ("bigquery", "f0_"),
        ("postgres", "max"),
        ("spark", "MAX(b)"),
        ("snowflake", "max(b)"),  # MAX(B) in Snowflake, canonical lower case
    ],
)
def test_unaliased_outputs_are_named_as_the_engine_names_them(dialect: str, name: str) -> None:
    batch = run("CREATE TABLE d.t AS SELECT a, max(b) FROM d.s GROUP BY a", dialect)
    assert ("d.s.b", f"d.t.{name}") in pairs(batch)


def test_generic_sql_names_a_double_colon_cast_after_its_column() -> None:
    assert pairs(run("CREATE TABLE t AS SELECT a::date, CAST(b AS int) FROM s", "ansi")) == {
        ("s.a", "t.a"), ("s.b", "t.CAST(b AS INT)"),
    }  # fmt: skip


# ---- failures keep table lineage ------------------------------------------------------------


def test_a_column_error_keeps_the_table_lineage() -> None:
    batch = run("INSERT INTO d.t SELECT k FROM d.a JOIN d.b ON a.id = b.id")
    (failure,) = batch.failures
    assert "ambiguous" in failure.reason
    assert tables(batch) == ({"d.a", "d.b"}, {"d.t"}) and batch.edges == []


def test_summary_reports_reads_writes_and_errors() -> None:
    result = summarize_sql("INSERT INTO d.t SELECT a FROM d.s; SELEC oops", "hive")
    assert (result["reads"], result["writes"]) == (["d.s"], ["d.t"])
    assert result["edges"] == [
        {"source": {"dataset": "d.s", "field": "a"}, "target": {"dataset": "d.t", "field": "a"},
         "type": "DIRECT", "subtype": "IDENTITY", "masking": False}
    ]  # fmt: skip
    assert result["error"].startswith("statement 2, line 1:")
