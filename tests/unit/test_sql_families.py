"""Statement families that write several targets or in several ways: Hive/Spark multi-insert,
INSERT ALL/FIRST, MERGE with several WHEN clauses, REPLACE INTO, PIVOT/UNPIVOT alias lists and
recursive CTEs. Exact edge sets each, and a failure (partial where tables landed) whenever a
writing statement's columns cannot be traced."""

from __future__ import annotations

from tagline.graph.model import JobRef, LineageBatch
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql

JOB = JobRef(namespace="airflow", name="nightly")
Edge = tuple[str, str, str]


def run(sql: str, dialect: str, catalog: dict[str, list[str]] | None = None) -> LineageBatch:
    known = Catalog.from_mapping(catalog) if catalog is not None else None
    return extract_sql(sql, dialect=dialect, namespace="ns", job=JOB, catalog=known)


def edges(batch: LineageBatch) -> set[Edge]:
    """(source, target, subtype) of every edge; no failure allowed."""
    assert not batch.failures, [f.reason for f in batch.failures]
    return edges_of(batch)


def edges_of(batch: LineageBatch) -> set[Edge]:
    return {
        (
            f"{e.source.dataset}.{e.source.field}",
            f"{e.target.dataset}.{e.target.field}",
            e.transformation.subtype.value if e.transformation.subtype else "",
        )
        for e in batch.edges
    }


def tables(batch: LineageBatch) -> tuple[list[str], list[str]]:
    return [r.dataset.name for r in batch.reads], [w.dataset.name for w in batch.writes]


def filtered(source: str, *targets: str) -> set[Edge]:
    return {(source, target, "FILTER") for target in targets}


# ---- Hive / Spark: FROM source INSERT ... SELECT ... INSERT ... SELECT ... -------------------


def test_hive_multi_insert_writes_each_target_with_its_own_columns_and_rows() -> None:
    sql = """
        FROM db.src s JOIN db.dim d ON s.k = d.k
        INSERT OVERWRITE TABLE db.a PARTITION (dt = '2024-01-01') SELECT s.x, d.name
        INSERT INTO TABLE db.b SELECT s.k, count(*) WHERE s.x > 0 GROUP BY s.k
    """
    batch = run(sql, "hive")
    assert tables(batch) == (["db.src", "db.dim"], ["db.a", "db.b"])
    join = {(c, t, "JOIN") for c in ("db.src.k", "db.dim.k") for t in ("db.a.x", "db.a.name", "db.b.k", "db.b._c1")}
    assert edges(batch) == join | {
        ("db.src.x", "db.a.x", "IDENTITY"),
        ("db.dim.name", "db.a.name", "IDENTITY"),
        ("db.src.k", "db.b.k", "IDENTITY"),
        ("db.src.*", "db.b._c1", "AGGREGATION"),
        ("db.dim.*", "db.b._c1", "AGGREGATION"),
        ("db.src.k", "db.b.k", "GROUP_BY"),
        ("db.src.k", "db.b._c1", "GROUP_BY"),
    } | filtered("db.src.x", "db.b.k", "db.b._c1")


def test_spark_multi_insert_with_a_cte_a_lateral_view_and_a_directory() -> None:
    sql = """
        WITH recent AS (SELECT id, tags FROM db.events WHERE day > 1)
        FROM recent r LATERAL VIEW explode(r.tags) t AS tag
        INSERT INTO db.by_tag SELECT tag, r.id
        INSERT OVERWRITE DIRECTORY 's3://bucket/ids' SELECT r.id
    """
    batch = run(sql, "spark")
    assert tables(batch) == (["db.events"], ["db.by_tag", "ids"])
    day = filtered("db.events.day", "db.by_tag.tag", "db.by_tag.id", "ids.id")
    assert edges(batch) == day | {
        ("db.events.tags", "db.by_tag.tag", "TRANSFORMATION"),
        ("db.events.id", "db.by_tag.id", "IDENTITY"),
        ("db.events.id", "ids.id", "IDENTITY"),
    }


def test_a_multi_insert_branch_that_fails_keeps_the_other_targets_and_is_partial() -> None:
    sql = "FROM db.src INSERT INTO db.a SELECT x INSERT INTO db.b SELECT nope"
    batch = run(sql, "hive", {"db.src": ["x", "y"]})
    assert edges_of(batch) == {("db.src.x", "db.a.x", "IDENTITY")}
    assert tables(batch) == (["db.src"], ["db.a", "db.b"])
    assert [(f.partial, f.reason) for f in batch.failures] == [
        (True, "column 'nope' not found in table db.src (catalog)")
    ]


# ---- Snowflake / Oracle: INSERT ALL | FIRST ---------------------------------------------------


def test_insert_all_feeds_each_into_by_its_values_or_the_whole_select() -> None:
    sql = """
        INSERT ALL
          INTO db.a (x) VALUES (c1)
          INTO db.b (y, z) VALUES (c2, upper(c3))
          INTO db.c
        SELECT c1, c2, c3 FROM db.src WHERE c4 = 1
    """
    batch = run(sql, "snowflake")
    assert tables(batch) == (["db.src"], ["db.a", "db.b", "db.c"])
    assert edges(batch) == {
        ("db.src.c1", "db.a.x", "IDENTITY"),
        ("db.src.c2", "db.b.y", "IDENTITY"),
        ("db.src.c3", "db.b.z", "TRANSFORMATION"),
        ("db.src.c1", "db.c.c1", "IDENTITY"),
        ("db.src.c2", "db.c.c2", "IDENTITY"),
        ("db.src.c3", "db.c.c3", "IDENTITY"),
    } | filtered("db.src.c4", "db.a.x", "db.b.y", "db.b.z", "db.c.c1", "db.c.c2", "db.c.c3")


def test_insert_all_when_filters_each_target_by_its_condition_and_else_by_all_of_them() -> None:
    sql = """
        INSERT ALL
          WHEN amount > 100 THEN INTO db.big (id) VALUES (id) INTO db.audit (id) VALUES (id)
          WHEN region = 'EU' THEN INTO db.eu (id) VALUES (id)
          ELSE INTO db.rest (id, amount) VALUES (id, amount)
        SELECT id, amount, region FROM db.orders
    """
    batch = run(sql, "snowflake")
    identity = {("db.orders.id", f"db.{t}.id", "IDENTITY") for t in ("big", "audit", "eu", "rest")}
    assert edges(batch) == identity | {("db.orders.amount", "db.rest.amount", "IDENTITY")} | (
        filtered("db.orders.amount", "db.big.id", "db.audit.id", "db.rest.id", "db.rest.amount")
        | filtered("db.orders.region", "db.eu.id", "db.rest.id", "db.rest.amount")
    )


def test_insert_first_filters_a_target_by_the_earlier_conditions_too() -> None:
    sql = """
        INSERT FIRST
          WHEN amount > 100 THEN INTO db.big (id) VALUES (id)
          WHEN region = 'EU' THEN INTO db.eu (id) VALUES (id)
        SELECT id, amount, region FROM db.orders
    """
    batch = run(sql, "oracle")
    assert edges(batch) == {
        ("db.orders.id", "db.big.id", "IDENTITY"),
        ("db.orders.id", "db.eu.id", "IDENTITY"),
    } | filtered("db.orders.amount", "db.big.id", "db.eu.id") | filtered("db.orders.region", "db.eu.id")


def test_insert_all_into_a_table_without_columns_maps_by_the_catalog_or_is_partial() -> None:
    sql = "INSERT ALL INTO db.a VALUES (c1, c2) INTO db.b (v) VALUES (c2) SELECT c1, c2 FROM db.src"
    batch = run(sql, "snowflake")
    assert edges_of(batch) == {("db.src.c2", "db.b.v", "IDENTITY")}
    assert tables(batch) == (["db.src"], ["db.a", "db.b"])
    assert [(f.partial, f.reason.split(":")[0]) for f in batch.failures] == [(True, "INTO clause 1 (into db.a)")]
    known = run(sql, "snowflake", {"db.a": ["p", "q"]})
    assert edges(known) == {
        ("db.src.c1", "db.a.p", "IDENTITY"),
        ("db.src.c2", "db.a.q", "IDENTITY"),
        ("db.src.c2", "db.b.v", "IDENTITY"),
    }


# ---- MERGE with several WHEN clauses -----------------------------------------------------------


def test_merge_clauses_are_traced_each_under_its_own_condition() -> None:
    sql = """
        MERGE INTO dw.t USING stage.s ON dw.t.k = stage.s.k
        WHEN MATCHED AND stage.s.op = 'D' THEN DELETE
        WHEN MATCHED AND stage.s.v0 = 1 THEN UPDATE SET v = stage.s.v
        WHEN MATCHED THEN UPDATE SET v1 = stage.s.v1
        WHEN NOT MATCHED THEN INSERT (k, v) VALUES (stage.s.k, stage.s.v)
    """
    batch = run(sql, "snowflake")
    outputs = ("dw.t.v", "dw.t.v1", "dw.t.k")
    join = {(c, t, "JOIN") for c in ("dw.t.k", "stage.s.k") for t in outputs}
    assert edges(batch) == join | {
        ("stage.s.v", "dw.t.v", "IDENTITY"),
        ("stage.s.v1", "dw.t.v1", "IDENTITY"),
        ("stage.s.k", "dw.t.k", "IDENTITY"),
    } | filtered("stage.s.op", "dw.t.v", "dw.t.v1") | filtered("stage.s.v0", "dw.t.v", "dw.t.v1")
    assert tables(batch) == (["stage.s"], ["dw.t"])


def test_merge_not_matched_by_source_sets_target_columns_from_the_target() -> None:
    sql = """
        MERGE INTO dw.t AS t USING stage.s AS s ON t.k = s.k
        WHEN NOT MATCHED BY SOURCE AND t.active = 1 THEN UPDATE SET t.closed = t.updated
        WHEN NOT MATCHED BY TARGET THEN INSERT (k) VALUES (s.k)
    """
    batch = run(sql, "tsql")
    join = {(c, t, "JOIN") for c in ("dw.t.k", "stage.s.k") for t in ("dw.t.closed", "dw.t.k")}
    assert edges(batch) == join | {
        ("dw.t.updated", "dw.t.closed", "IDENTITY"),
        ("stage.s.k", "dw.t.k", "IDENTITY"),
    } | filtered("dw.t.active", "dw.t.closed")


def test_merge_with_only_a_delete_clause_has_table_lineage_and_no_failure() -> None:
    batch = run("MERGE INTO dw.t USING stage.s ON dw.t.k = stage.s.k WHEN MATCHED THEN DELETE", "ansi")
    assert batch.edges == [] and not batch.failures
    assert tables(batch) == (["stage.s"], ["dw.t"])


# ---- REPLACE INTO ---------------------------------------------------------------------------


def test_replace_into_is_traced_as_an_insert() -> None:
    assert edges(run("REPLACE INTO d.t (a, b) SELECT x, y + 1 FROM d.s", "mysql")) == {
        ("d.s.x", "d.t.a", "IDENTITY"),
        ("d.s.y", "d.t.b", "TRANSFORMATION"),
    }
    assert edges(run("REPLACE LOW_PRIORITY INTO d.t SELECT x AS a FROM d.s", "mysql")) == {
        ("d.s.x", "d.t.a", "IDENTITY")
    }
    literal = run("REPLACE INTO t (a) VALUES (1)", "sqlite")
    assert literal.edges == [] and not literal.failures and tables(literal) == ([], ["t"])


# ---- PIVOT / UNPIVOT with a column alias list ------------------------------------------------


def test_pivot_alias_list_renames_passing_then_made_columns_in_order() -> None:
    sql = """
        INSERT INTO d.t
        SELECT * FROM (SELECT empid, amount, month FROM d.sales)
        PIVOT (SUM(amount) FOR month IN ('JAN', 'FEB')) AS p (emp, jan, feb)
    """
    made = {
        (source, target, subtype)
        for target in ("d.t.jan", "d.t.feb")
        for source, subtype in (("d.sales.amount", "AGGREGATION"), ("d.sales.month", "CONDITIONAL"))
    }
    assert edges(run(sql, "snowflake")) == made | {("d.sales.empid", "d.t.emp", "IDENTITY")}


def test_pivot_alias_list_on_a_table_needs_the_catalog_for_passing_columns() -> None:
    sql = """
        INSERT INTO d.t SELECT p.emp, p.q1 FROM d.sales
        PIVOT (SUM(amount) FOR quarter IN ('Q1', 'Q2')) AS p (emp, q1, q2)
    """
    assert edges(run(sql, "snowflake", {"d.sales": ["empid", "amount", "quarter"]})) == {
        ("d.sales.empid", "d.t.emp", "IDENTITY"),
        ("d.sales.amount", "d.t.q1", "AGGREGATION"),
        ("d.sales.quarter", "d.t.q1", "CONDITIONAL"),
    }
    unknown = run(sql, "snowflake")
    assert tables(unknown) == (["d.sales"], ["d.t"]) and unknown.edges == []
    assert [(f.partial, f.reason) for f in unknown.failures] == [
        (
            True,
            "column 'emp' renames a column the PIVOT/UNPIVOT passes through from its source, whose columns"
            " are not known; give a catalog",
        )
    ]


def test_unpivot_alias_list_renames_the_name_and_value_columns() -> None:
    sql = """
        INSERT INTO d.t SELECT u.e, u.m, u.v FROM (SELECT empid, jan, feb FROM d.wide)
        UNPIVOT (sales FOR month IN (jan, feb)) AS u (e, m, v)
    """
    assert edges(run(sql, "snowflake")) == {
        ("d.wide.empid", "d.t.e", "IDENTITY"),
        ("d.wide.jan", "d.t.v", "IDENTITY"),
        ("d.wide.feb", "d.t.v", "IDENTITY"),
    }


# ---- recursive CTEs -------------------------------------------------------------------------


def test_recursive_cte_with_aliases_in_the_anchor_is_traced_without_failure() -> None:
    sql = """
        INSERT INTO hr.chain
        WITH RECURSIVE org AS (
          SELECT e.id, e.manager_id, 1 AS lvl FROM hr.employees e WHERE e.manager_id IS NULL
          UNION ALL
          SELECT e.id, e.manager_id, o.lvl + 1 FROM hr.employees e JOIN org o ON e.manager_id = o.id
        )
        SELECT id, lvl FROM org
    """
    rows = {
        (source, target, subtype)
        for target in ("hr.chain.id", "hr.chain.lvl")
        for source, subtype in (
            ("hr.employees.manager_id", "FILTER"),
            ("hr.employees.manager_id", "JOIN"),
            ("hr.employees.id", "JOIN"),
        )
    }
    assert edges(run(sql, "postgres")) == rows | {("hr.employees.id", "hr.chain.id", "IDENTITY")}


# ---- data-modifying CTEs (Postgres) -----------------------------------------------------------


def test_an_insert_in_a_cte_is_a_target_and_what_it_returns_is_read_from_its_table() -> None:
    sql = """
        WITH recent AS (SELECT id, amount FROM shop.orders WHERE day > 1),
             logged AS (INSERT INTO audit.log (id, amount) SELECT id, amount FROM recent RETURNING id)
        INSERT INTO mart.seen (order_id) SELECT id FROM logged
    """
    batch = run(sql, "postgres")
    assert tables(batch) == (["shop.orders", "audit.log"], ["audit.log", "mart.seen"])
    assert edges(batch) == {
        ("shop.orders.id", "audit.log.id", "IDENTITY"),
        ("shop.orders.amount", "audit.log.amount", "IDENTITY"),
        ("audit.log.id", "mart.seen.order_id", "IDENTITY"),
    } | filtered("shop.orders.day", "audit.log.id", "audit.log.amount")


def test_rows_a_cte_deletes_and_returns_come_from_the_table_they_left() -> None:
    sql = "WITH gone AS (DELETE FROM shop.carts WHERE age > 30 RETURNING id) INSERT INTO arch.carts SELECT id FROM gone"
    batch = run(sql, "postgres")
    assert tables(batch) == (["shop.carts"], ["arch.carts"])
    assert edges(batch) == {("shop.carts.id", "arch.carts.id", "IDENTITY")} | filtered(
        "shop.carts.age", "arch.carts.id"
    )


def test_a_select_whose_cte_inserts_writes_that_table() -> None:
    batch = run(
        "WITH n AS (INSERT INTO audit.log (id) SELECT id FROM shop.orders RETURNING id) SELECT * FROM n", "postgres"
    )
    assert tables(batch)[1] == ["audit.log"]
    assert edges(batch) == {("shop.orders.id", "audit.log.id", "IDENTITY")}


# ---- T-SQL OUTPUT ... INTO ------------------------------------------------------------------------


def test_output_into_writes_the_changed_rows_into_another_table() -> None:
    sql = "INSERT INTO dbo.t (a) OUTPUT inserted.a, $action INTO dbo.log (a) SELECT upper(x) FROM dbo.s"
    batch = run(sql, "tsql")
    assert tables(batch) == (["dbo.s"], ["dbo.t", "dbo.log"])
    assert edges(batch) == {("dbo.s.x", "dbo.t.a", "TRANSFORMATION"), ("dbo.t.a", "dbo.log.a", "IDENTITY")}


def test_output_into_of_an_update_reads_the_new_and_old_values_under_its_conditions() -> None:
    sql = """
        UPDATE dbo.t SET v = s.v OUTPUT inserted.id, deleted.v INTO audit.changes (id, old_v)
        FROM dbo.src s WHERE dbo.t.id = s.id
    """
    batch = run(sql, "tsql")
    assert tables(batch) == (["dbo.src"], ["dbo.t", "audit.changes"])
    assert edges(batch) == {
        ("dbo.src.v", "dbo.t.v", "IDENTITY"),
        ("dbo.t.id", "audit.changes.id", "IDENTITY"),
        ("dbo.t.v", "audit.changes.old_v", "IDENTITY"),
    } | {
        (source, target, "FILTER")
        for source in ("dbo.t.id", "dbo.src.id")
        for target in ("dbo.t.v", "audit.changes.id", "audit.changes.old_v")
    }


# ---- never silent -----------------------------------------------------------------------------


def test_a_write_into_something_other_than_a_table_fails_rather_than_vanish() -> None:
    batch = run("INSERT INTO FUNCTION s3('s3://b/k', 'CSV') SELECT a FROM d.s", "clickhouse")
    assert batch.edges == [] and batch.writes == []
    assert [(f.partial, f.reason) for f in batch.failures] == [
        (False, "the statement writes into s3('s3://b/k', 'CSV'), which could not be read as a table and a query")
    ]


def test_a_function_defined_by_a_query_writes_nothing_and_does_not_fail() -> None:
    batch = run("CREATE TABLE FUNCTION d.f(x INT64) AS SELECT a FROM d.t WHERE b = x", "bigquery")
    assert (batch.failures, batch.writes, batch.edges) == ([], [], [])


def test_values_that_read_a_table_without_named_target_columns_are_partial() -> None:
    batch = run("INSERT INTO d.t VALUES (1, (SELECT max(id) FROM d.a))", "hive")
    assert tables(batch) == (["d.a"], ["d.t"]) and batch.edges == []
    assert [f.partial for f in batch.failures] == [True]
    known = run("INSERT INTO d.t VALUES (1, (SELECT max(id) FROM d.a))", "hive", {"d.t": ["n", "top"]})
    assert edges(known) == {("d.a.id", "d.t.top", "AGGREGATION")}
