"""Column lineage extracted from SQL: exact edge sets per construct, per dialect, per script.

Every expectation is the complete set of (source, target, type, subtype, masking) edges, so an extra
edge fails a test as surely as a missing one.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tagline.graph.model import JobRef, LineageBatch
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql

NS = "hive://warehouse"
JOB = JobRef(namespace="airflow", name="nightly")

Edge = tuple[str, str, str, str, bool]


def extract(sql: str, dialect: str = "hive", **kwargs: object) -> LineageBatch:
    return extract_sql(sql, dialect=dialect, namespace=NS, **kwargs)  # type: ignore[arg-type]


def edges(batch: LineageBatch) -> set[Edge]:
    assert not batch.failures, [f.reason for f in batch.failures]
    return {
        (
            f"{e.source.dataset}.{e.source.field}",
            f"{e.target.dataset}.{e.target.field}",
            e.transformation.type.value,
            e.transformation.subtype.value,
            e.transformation.masking,
        )
        for e in batch.edges
    }


def direct(source: str, target: str, subtype: str = "IDENTITY", masking: bool = False) -> Edge:
    return (source, target, "DIRECT", subtype, masking)


def indirect(source: str, subtype: str, *targets: str) -> set[Edge]:
    return {(source, target, "INDIRECT", subtype, False) for target in targets}


# ---- statements ---------------------------------------------------------------------------


def test_insert_with_column_list_maps_by_position() -> None:
    batch = extract("INSERT INTO db.t (x, y) SELECT a, b + 1 FROM db.s")
    assert edges(batch) == {direct("db.s.a", "db.t.x"), direct("db.s.b", "db.t.y", "TRANSFORMATION")}


def test_insert_without_column_list_maps_by_catalog_order() -> None:
    catalog = Catalog.from_mapping({"db.t": ["x", "y"], "db.s": ["a", "b"]})
    batch = extract("INSERT INTO db.t SELECT b, a FROM db.s", catalog=catalog)
    assert edges(batch) == {direct("db.s.b", "db.t.x"), direct("db.s.a", "db.t.y")}


def test_insert_without_column_list_or_catalog_uses_output_names() -> None:
    batch = extract("INSERT INTO db.t SELECT a AS x, b FROM db.s")
    assert edges(batch) == {direct("db.s.a", "db.t.x"), direct("db.s.b", "db.t.b")}


def test_insert_overwrite_with_static_partition_skips_the_partition_column() -> None:
    catalog = Catalog.from_mapping({"db.t": ["x", "y", "ds"]})
    sql = "INSERT OVERWRITE TABLE db.t PARTITION (ds = '2024-01-01') SELECT a, b FROM db.s"
    assert edges(extract(sql, catalog=catalog)) == {direct("db.s.a", "db.t.x"), direct("db.s.b", "db.t.y")}


def test_create_table_as_select() -> None:
    batch = extract("CREATE TABLE db.n AS SELECT a, UPPER(b) AS ub FROM db.s")
    assert edges(batch) == {direct("db.s.a", "db.n.a"), direct("db.s.b", "db.n.ub", "TRANSFORMATION")}
    assert {(d.name, d.kind) for d in batch.datasets} == {("db.s", "table"), ("db.n", "table")}


def test_create_or_replace_view_is_a_view() -> None:
    batch = extract("CREATE OR REPLACE VIEW db.v AS SELECT a FROM db.s WHERE b > 0")
    assert edges(batch) == {direct("db.s.a", "db.v.a")} | indirect("db.s.b", "FILTER", "db.v.a")
    assert {(d.name, d.kind) for d in batch.datasets} == {("db.s", "table"), ("db.v", "view")}


def test_create_table_ddl_records_columns_and_types_without_edges() -> None:
    batch = extract("CREATE TABLE db.c (id BIGINT, email STRING)")
    assert batch.edges == [] and batch.writes == []
    assert [(c.dataset, c.field, c.data_type) for c in batch.columns] == [
        ("db.c", "id", "BIGINT"),
        ("db.c", "email", "STRING"),
    ]


def test_hive_with_before_insert_overwrite_collapses_ctes() -> None:
    sql = """
        WITH paid AS (SELECT id, amount FROM db.orders WHERE status = 'paid'),
             doubled AS (SELECT id, amount * 2 AS double_amount FROM paid)
        INSERT OVERWRITE TABLE db.report SELECT id, double_amount FROM doubled
    """
    assert edges(extract(sql)) == {
        direct("db.orders.id", "db.report.id"),
        direct("db.orders.amount", "db.report.double_amount", "TRANSFORMATION"),
    } | indirect("db.orders.status", "FILTER", "db.report.id", "db.report.double_amount")


def test_nested_derived_tables_are_identity_hops() -> None:
    sql = "INSERT INTO db.t SELECT x.a FROM (SELECT y.a FROM (SELECT a FROM db.s) AS y) AS x"
    assert edges(extract(sql)) == {direct("db.s.a", "db.t.a")}


def test_strongest_classification_wins_along_the_chain() -> None:
    sql = """
        WITH c AS (SELECT UPPER(name) AS n, amount, SUM(fee) AS fees FROM db.s GROUP BY name, amount)
        INSERT INTO db.t SELECT n, MAX(amount) AS m, ROUND(fees) AS f FROM c GROUP BY n, fees
    """
    grouped = ("db.t.n", "db.t.m", "db.t.f")
    assert edges(extract(sql)) == (
        {
            direct("db.s.name", "db.t.n", "TRANSFORMATION"),
            direct("db.s.amount", "db.t.m", "AGGREGATION"),
            direct("db.s.fee", "db.t.f", "AGGREGATION"),
        }
        | indirect("db.s.name", "GROUP_BY", *grouped)
        | indirect("db.s.amount", "GROUP_BY", *grouped)
        | indirect("db.s.fee", "GROUP_BY", *grouped)
    )


def test_join_columns_are_indirect_for_every_output() -> None:
    sql = """
        INSERT INTO db.t
        SELECT o.id, c.name FROM db.orders o JOIN db.customers c ON o.customer_id = c.id
    """
    batch = extract(sql)
    assert edges(batch) == (
        {direct("db.orders.id", "db.t.id"), direct("db.customers.name", "db.t.name")}
        | indirect("db.orders.customer_id", "JOIN", "db.t.id", "db.t.name")
        | indirect("db.customers.id", "JOIN", "db.t.id", "db.t.name")
    )
    texts = {e.expression for e in batch.edges if e.transformation.subtype.value == "JOIN"}
    assert texts == {"o.customer_id = c.id"}


def test_union_branches_feed_the_same_target_column() -> None:
    sql = "INSERT INTO db.t (x) SELECT a FROM db.s UNION ALL SELECT b FROM db.u WHERE c > 0"
    assert edges(extract(sql)) == {
        direct("db.s.a", "db.t.x"),
        direct("db.u.b", "db.t.x"),
    } | indirect("db.u.c", "FILTER", "db.t.x")


def test_where_group_by_having_order_by() -> None:
    sql = """
        INSERT INTO db.t
        SELECT region, SUM(amount) AS total FROM db.sales
        WHERE year = 2024 GROUP BY region HAVING SUM(amount) > 10 ORDER BY total DESC
    """
    outputs = ("db.t.region", "db.t.total")
    assert edges(extract(sql)) == (
        {direct("db.sales.region", "db.t.region"), direct("db.sales.amount", "db.t.total", "AGGREGATION")}
        | indirect("db.sales.year", "FILTER", *outputs)
        | indirect("db.sales.amount", "FILTER", *outputs)
        | indirect("db.sales.region", "GROUP_BY", *outputs)
        | indirect("db.sales.amount", "SORT", *outputs)
    )


def test_alias_references_in_group_by_having_and_qualify() -> None:
    sql = """
        INSERT INTO db.t
        SELECT LOWER(code) AS k, COUNT(id) AS n FROM db.s GROUP BY k HAVING n > 1
        QUALIFY ROW_NUMBER() OVER (PARTITION BY k ORDER BY n) = 1
    """
    outputs = ("db.t.k", "db.t.n")
    assert edges(extract(sql, dialect="databricks")) == (
        {direct("db.s.code", "db.t.k", "TRANSFORMATION"), direct("db.s.id", "db.t.n", "AGGREGATION", True)}
        | indirect("db.s.code", "GROUP_BY", *outputs)
        | indirect("db.s.id", "FILTER", *outputs)
        | indirect("db.s.code", "FILTER", *outputs)
    )


def test_lateral_alias_is_used_when_the_table_lacks_the_column() -> None:
    catalog = Catalog.from_mapping({"db.s": ["a"]})
    sql = "INSERT INTO db.t SELECT a + 1 AS b, b * 2 AS c FROM db.s"
    assert edges(extract(sql, dialect="spark", catalog=catalog)) == {
        direct("db.s.a", "db.t.b", "TRANSFORMATION"),
        direct("db.s.a", "db.t.c", "TRANSFORMATION"),
    }


def test_table_columns_win_over_aliases_outside_order_by() -> None:
    swapped = "INSERT INTO db.t SELECT b AS a, a AS b FROM db.s"
    assert edges(extract(swapped)) == {direct("db.s.b", "db.t.a"), direct("db.s.a", "db.t.b")}
    shadowed = "INSERT INTO db.t SELECT UPPER(name) AS name FROM db.s WHERE name <> '' ORDER BY name"
    assert edges(extract(shadowed)) == {direct("db.s.name", "db.t.name", "TRANSFORMATION")} | indirect(
        "db.s.name", "FILTER", "db.t.name"
    ) | indirect("db.s.name", "SORT", "db.t.name")


def test_case_condition_is_conditional_and_branch_values_are_direct() -> None:
    sql = """
        INSERT INTO db.t
        SELECT CASE WHEN status = 'vip' THEN amount ELSE fee END AS v,
               IF(flag, a, b) AS w,
               COALESCE(c, d) AS x
        FROM db.s
    """
    assert edges(extract(sql)) == {
        direct("db.s.amount", "db.t.v", "TRANSFORMATION"),
        direct("db.s.fee", "db.t.v", "TRANSFORMATION"),
        direct("db.s.a", "db.t.w", "TRANSFORMATION"),
        direct("db.s.b", "db.t.w", "TRANSFORMATION"),
        direct("db.s.c", "db.t.x", "TRANSFORMATION"),
        direct("db.s.d", "db.t.x", "TRANSFORMATION"),
    } | indirect("db.s.status", "CONDITIONAL", "db.t.v") | indirect("db.s.flag", "CONDITIONAL", "db.t.w")


def test_window_partition_and_order_are_per_column() -> None:
    sql = """
        INSERT INTO db.t
        SELECT id, SUM(amount) OVER (PARTITION BY region ORDER BY day) AS running,
               ROW_NUMBER() OVER (ORDER BY day) AS rn
        FROM db.s
    """
    assert edges(extract(sql)) == {
        direct("db.s.id", "db.t.id"),
        direct("db.s.amount", "db.t.running", "AGGREGATION"),
    } | indirect("db.s.region", "WINDOW", "db.t.running") | indirect("db.s.day", "WINDOW", "db.t.running", "db.t.rn")


def test_masking_functions_and_counts() -> None:
    sql = """
        INSERT INTO db.t
        SELECT SHA2(email, 256) AS e, MD5(phone) AS p, mask_show_last_n(card, 4) AS c,
               COUNT(DISTINCT user_id) AS users, APPROX_COUNT_DISTINCT(ip) AS ips,
               CONCAT(ssn, MD5(ssn)) AS leaky, name
        FROM db.s GROUP BY name
    """
    outputs = [f"db.t.{c}" for c in ("e", "p", "c", "users", "ips", "leaky", "name")]
    batch = extract(sql)
    assert edges(batch) == {
        direct("db.s.email", "db.t.e", "TRANSFORMATION", True),
        direct("db.s.phone", "db.t.p", "TRANSFORMATION", True),
        direct("db.s.card", "db.t.c", "TRANSFORMATION", True),
        direct("db.s.user_id", "db.t.users", "AGGREGATION", True),
        direct("db.s.ip", "db.t.ips", "AGGREGATION", True),
        direct("db.s.ssn", "db.t.leaky", "TRANSFORMATION", False),
        direct("db.s.name", "db.t.name"),
    } | indirect("db.s.name", "GROUP_BY", *outputs)
    email = next(e for e in batch.edges if e.target.field == "e")
    assert email.expression == "SHA2(email, 256)"


def test_masking_survives_cte_hops() -> None:
    sql = "WITH h AS (SELECT sha256(email) AS e FROM db.s) INSERT INTO db.t SELECT UPPER(e) AS e FROM h"
    assert edges(extract(sql)) == {direct("db.s.email", "db.t.e", "TRANSFORMATION", True)}


def test_count_star_depends_on_the_whole_table_masked() -> None:
    sql = "INSERT INTO db.t SELECT a, COUNT(*) AS n FROM db.s GROUP BY a HAVING COUNT(*) > 2"
    assert edges(extract(sql)) == (
        {direct("db.s.a", "db.t.a"), direct("db.s.*", "db.t.n", "AGGREGATION", True)}
        | indirect("db.s.a", "GROUP_BY", "db.t.a", "db.t.n")
        | indirect("db.s.*", "FILTER", "db.t.a", "db.t.n")
    )


def test_subqueries_in_where_and_select() -> None:
    sql = """
        INSERT INTO db.t
        SELECT s.a, (SELECT MAX(u.b) FROM db.u u WHERE u.k = s.k) AS m
        FROM db.s s WHERE s.z IN (SELECT w.z FROM db.w w WHERE w.live)
    """
    outputs = ("db.t.a", "db.t.m")
    assert edges(extract(sql)) == (
        {direct("db.s.a", "db.t.a"), direct("db.u.b", "db.t.m", "AGGREGATION")}
        | indirect("db.u.k", "FILTER", "db.t.m")
        | indirect("db.s.k", "FILTER", "db.t.m")
        | indirect("db.s.z", "FILTER", *outputs)
        | indirect("db.w.z", "FILTER", *outputs)
        | indirect("db.w.live", "FILTER", *outputs)
    )


def test_correlated_subquery_without_catalog_uses_its_own_table() -> None:
    sql = "INSERT INTO db.t SELECT a FROM db.s s WHERE EXISTS (SELECT 1 FROM db.u WHERE flag AND u.id = s.id)"
    assert edges(extract(sql)) == {direct("db.s.a", "db.t.a")} | indirect("db.u.flag", "FILTER", "db.t.a") | indirect(
        "db.u.id", "FILTER", "db.t.a"
    ) | indirect("db.s.id", "FILTER", "db.t.a")


def test_cte_join_and_filter_reach_outputs_that_depend_on_the_cte() -> None:
    sql = """
        WITH active AS (
            SELECT c.id, c.email FROM db.customers c JOIN db.accounts a ON a.customer_id = c.id
            WHERE a.closed IS NULL
        )
        INSERT INTO db.t SELECT x.id, x.email FROM active x
    """
    outputs = ("db.t.id", "db.t.email")
    assert edges(extract(sql)) == (
        {direct("db.customers.id", "db.t.id"), direct("db.customers.email", "db.t.email")}
        | indirect("db.accounts.customer_id", "JOIN", *outputs)
        | indirect("db.customers.id", "JOIN", *outputs)
        | indirect("db.accounts.closed", "FILTER", *outputs)
    )


def test_lateral_view_explode_is_a_transformation_of_the_array() -> None:
    sql = "INSERT INTO db.t SELECT a, x FROM db.s LATERAL VIEW EXPLODE(arr) e AS x"
    assert edges(extract(sql)) == {direct("db.s.a", "db.t.a"), direct("db.s.arr", "db.t.x", "TRANSFORMATION")}


def test_recursive_cte_terminates() -> None:
    sql = """
        WITH RECURSIVE r AS (SELECT 1 AS n, a FROM db.s UNION ALL SELECT n + 1, a FROM r WHERE n < 3)
        INSERT INTO db.t SELECT n, a FROM r
    """
    assert edges(extract(sql, dialect="postgres")) == {direct("db.s.a", "db.t.a")}


def test_merge() -> None:
    sql = """
        MERGE INTO db.t AS t USING db.s AS s ON t.id = s.id
        WHEN MATCHED AND s.deleted = FALSE THEN UPDATE SET name = s.name
        WHEN NOT MATCHED THEN INSERT (id, name) VALUES (s.id, MD5(s.name))
    """
    outputs = ("db.t.id", "db.t.name")
    batch = extract(sql, dialect="spark", job=JOB)
    assert edges(batch) == (
        {
            direct("db.s.name", "db.t.name"),
            direct("db.s.id", "db.t.id"),
            direct("db.s.name", "db.t.name", "TRANSFORMATION", True),
        }
        | indirect("db.t.id", "JOIN", *outputs)
        | indirect("db.s.id", "JOIN", *outputs)
        # The WHEN condition decides the rows of its own clause only: the UPDATE of name.
        | indirect("db.s.deleted", "FILTER", "db.t.name")
    )
    assert [w.dataset.name for w in batch.writes] == ["db.t"]


def test_update_from() -> None:
    sql = "UPDATE db.t SET total = s.amount * 2 FROM db.s s WHERE t.id = s.id"
    assert edges(extract(sql, dialect="postgres")) == {
        direct("db.s.amount", "db.t.total", "TRANSFORMATION")
    } | indirect("db.t.id", "FILTER", "db.t.total") | indirect("db.s.id", "FILTER", "db.t.total")


def test_plain_select_records_reads_but_no_edges() -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    batch = extract("SELECT o.id FROM db.orders o JOIN db.users u ON o.uid = u.id", job=JOB, at=at)
    assert batch.edges == [] and batch.writes == [] and batch.columns == []
    assert {(r.dataset.name, r.at) for r in batch.reads} == {("db.orders", at), ("db.users", at)}
    assert [j.name for j in batch.jobs] == ["nightly"]


# ---- stars --------------------------------------------------------------------------------


def test_star_is_expanded_from_the_catalog() -> None:
    catalog = Catalog.from_mapping({"db.s": {"a": "int", "b": "string"}})
    batch = extract("INSERT INTO db.t SELECT * FROM db.s", catalog=catalog)
    assert edges(batch) == {direct("db.s.a", "db.t.a"), direct("db.s.b", "db.t.b")}
    assert {(c.dataset, c.field): c.data_type for c in batch.columns}[("db.s", "b")] == "string"


def test_star_without_catalog_is_star_to_star() -> None:
    assert edges(extract("INSERT INTO db.t SELECT * FROM db.s")) == {direct("db.s.*", "db.t.*")}


def test_qualified_star_without_catalog_next_to_named_columns() -> None:
    sql = "INSERT INTO db.t SELECT s.*, u.k FROM db.s s JOIN db.u u ON s.id = u.id"
    outputs = ("db.t.*", "db.t.k")
    assert edges(extract(sql)) == (
        {direct("db.s.*", "db.t.*"), direct("db.u.k", "db.t.k")}
        | indirect("db.s.id", "JOIN", *outputs)
        | indirect("db.u.id", "JOIN", *outputs)
    )


def test_star_in_a_cte_resolves_named_columns_of_its_only_table() -> None:
    sql = "WITH c AS (SELECT * FROM db.s) INSERT INTO db.t SELECT a, b FROM c"
    assert edges(extract(sql)) == {direct("db.s.a", "db.t.a"), direct("db.s.b", "db.t.b")}


def test_star_through_a_cte_with_catalog() -> None:
    catalog = Catalog.from_mapping({"db.s": ["a", "b"]})
    sql = "WITH c AS (SELECT * FROM db.s WHERE a > 0) INSERT INTO db.t SELECT * FROM c"
    assert edges(extract(sql, catalog=catalog)) == {
        direct("db.s.a", "db.t.a"),
        direct("db.s.b", "db.t.b"),
    } | indirect("db.s.a", "FILTER", "db.t.a", "db.t.b")


# ---- names --------------------------------------------------------------------------------


def test_unqualified_columns_are_placed_by_the_catalog() -> None:
    catalog = Catalog.from_mapping({"db.orders": ["id", "customer_id"], "db.customers": ["cid", "name"]})
    sql = "INSERT INTO db.t SELECT id, name FROM db.orders JOIN db.customers ON customer_id = cid"
    outputs = ("db.t.id", "db.t.name")
    assert edges(extract(sql, catalog=catalog)) == (
        {direct("db.orders.id", "db.t.id"), direct("db.customers.name", "db.t.name")}
        | indirect("db.orders.customer_id", "JOIN", *outputs)
        | indirect("db.customers.cid", "JOIN", *outputs)
    )


def test_catalog_matches_shorter_names_as_written() -> None:
    catalog = Catalog.from_mapping({"prod.shop.orders": ["id", "total"]})
    batch = extract("INSERT INTO rep.t SELECT * FROM orders", catalog=catalog)
    assert edges(batch) == {direct("orders.id", "rep.t.id"), direct("orders.total", "rep.t.total")}


def test_identifiers_are_normalised_by_the_dialect() -> None:
    upper = extract("INSERT INTO Mart.Out SELECT Orders.ID FROM Shop.Orders")
    lower = extract("insert into mart.out select orders.id from shop.orders")
    assert [e.key for e in upper.edges] == [e.key for e in lower.edges]
    assert edges(upper) == {direct("shop.orders.id", "mart.out.id")}


def test_quoted_identifiers_keep_their_case_where_the_dialect_says_so() -> None:
    sql = 'INSERT INTO mart.out SELECT o."CustomerName", o.Total FROM Shop.Orders o'
    assert edges(extract(sql, dialect="postgres")) == {
        direct("shop.orders.CustomerName", "mart.out.CustomerName"),
        direct("shop.orders.total", "mart.out.total"),
    }
    assert edges(extract(sql, dialect="snowflake")) == {
        direct("shop.orders.CustomerName", "mart.out.CustomerName"),
        direct("shop.orders.total", "mart.out.total"),
    }


def test_upper_case_folding_dialects_meet_the_others_in_lower_case() -> None:
    """Snowflake and Oracle fold unquoted names to upper case; the graph keeps one canonical vertex."""
    for dialect in ("snowflake", "oracle"):
        batch = extract('INSERT INTO Mart.Out SELECT Orders.ID, "NAME" FROM Shop.Orders', dialect=dialect)
        assert edges(batch) == {direct("shop.orders.id", "mart.out.id"), direct("shop.orders.name", "mart.out.name")}
    hive = extract("INSERT INTO mart.out SELECT orders.id, name FROM shop.orders")
    snow = extract('INSERT INTO MART.OUT SELECT ORDERS.ID, "NAME" FROM SHOP.ORDERS', dialect="snowflake")
    assert {e.key for e in snow.edges} == {e.key for e in hive.edges}


def test_namespace_map_moves_federated_tables_to_their_namespace() -> None:
    sql = "INSERT INTO hive.ods.customers SELECT c.id, c.email FROM mysql.shop.customers c"
    batch = extract(
        sql,
        dialect="trino",
        namespace_map={"mysql": "mysql://orders-db:3306", "hive": NS},
    )
    assert {(d.namespace, d.name) for d in batch.datasets} == {
        ("mysql://orders-db:3306", "shop.customers"),
        (NS, "ods.customers"),
    }
    assert {(e.source.namespace, e.source.dataset, e.target.dataset) for e in batch.edges} == {
        ("mysql://orders-db:3306", "shop.customers", "ods.customers")
    }


# ---- dialects -----------------------------------------------------------------------------

DIALECT_CASES = [
    (
        "hive",
        "INSERT OVERWRITE TABLE DB.T SELECT `Id`, mask_hash(Email) AS e FROM db.s",
        {direct("db.s.id", "db.t.id"), direct("db.s.email", "db.t.e", "TRANSFORMATION", True)},
    ),
    (
        "spark",
        "CREATE TABLE db.t USING delta AS SELECT id, hash(email) AS h FROM db.s",
        {direct("db.s.id", "db.t.id"), direct("db.s.email", "db.t.h", "TRANSFORMATION", True)},
    ),
    (
        "sparksql",
        "INSERT INTO db.t SELECT transform(arr, x -> x + bonus) AS v FROM db.s",
        {direct("db.s.arr", "db.t.v", "TRANSFORMATION"), direct("db.s.bonus", "db.t.v", "TRANSFORMATION")},
    ),
    (
        "presto",
        "INSERT INTO hive.db.t SELECT s.id, u.x FROM hive.db.s s CROSS JOIN UNNEST(s.arr) AS u(x)",
        {direct("hive.db.s.id", "hive.db.t.id"), direct("hive.db.s.arr", "hive.db.t.x", "TRANSFORMATION")},
    ),
    (
        "trino",
        "CREATE TABLE db.t AS SELECT id, approx_distinct(user_id) AS users FROM db.s GROUP BY id",
        {direct("db.s.id", "db.t.id"), direct("db.s.user_id", "db.t.users", "AGGREGATION", True)}
        | indirect("db.s.id", "GROUP_BY", "db.t.id", "db.t.users"),
    ),
    (
        "mysql",
        "UPDATE shop.t JOIN shop.s ON t.id = s.id SET t.total = s.`Amount` WHERE s.ok = 1",
        {direct("shop.s.Amount", "shop.t.total")}
        | indirect("shop.t.id", "JOIN", "shop.t.total")
        | indirect("shop.s.id", "JOIN", "shop.t.total")
        | indirect("shop.s.ok", "FILTER", "shop.t.total"),
    ),
    (
        "postgres",
        'INSERT INTO public.t (a, b) SELECT "Col"::text, md5(x) FROM public.s',
        {
            direct("public.s.Col", "public.t.a", "TRANSFORMATION"),
            direct("public.s.x", "public.t.b", "TRANSFORMATION", True),
        },
    ),
    (
        "redshift",
        "CREATE TABLE analytics.t AS SELECT id, NVL(name, 'n/a') AS name FROM analytics.s",
        {
            direct("analytics.s.id", "analytics.t.id"),
            direct("analytics.s.name", "analytics.t.name", "TRANSFORMATION"),
        },
    ),
    (
        "snowflake",
        "INSERT INTO db.sch.t SELECT id, IFF(vip, sha2(email), NULL) AS e FROM db.sch.s",
        {direct("db.sch.s.id", "db.sch.t.id"), direct("db.sch.s.email", "db.sch.t.e", "TRANSFORMATION", True)}
        | indirect("db.sch.s.vip", "CONDITIONAL", "db.sch.t.e"),
    ),
    (
        "bigquery",
        "CREATE OR REPLACE TABLE `proj.mart.t` AS SELECT FARM_FINGERPRINT(email) AS fp FROM `proj.raw.users`",
        {direct("proj.raw.users.email", "proj.mart.t.fp", "TRANSFORMATION", True)},
    ),
    (
        "tsql",
        "SELECT TOP 10 HASHBYTES('SHA2_256', [Email]) AS h, Name INTO dbo.Out FROM dbo.Users",
        {
            direct("dbo.users.email", "dbo.out.h", "TRANSFORMATION", True),
            direct("dbo.users.name", "dbo.out.name"),
        },
    ),
    (
        "ansi",
        "INSERT INTO s2.t SELECT a || b AS ab FROM s1.u",
        {direct("s1.u.a", "s2.t.ab", "TRANSFORMATION"), direct("s1.u.b", "s2.t.ab", "TRANSFORMATION")},
    ),
]


@pytest.mark.parametrize(("dialect", "sql", "expected"), DIALECT_CASES, ids=[c[0] for c in DIALECT_CASES])
def test_dialects(dialect: str, sql: str, expected: set[Edge]) -> None:
    assert edges(extract(sql, dialect=dialect)) == expected


def test_unknown_dialect_is_a_usage_error_listing_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"known dialects: .*ansi.*sparksql"):
        extract("SELECT 1", dialect="cobol")


# ---- scripts, failures and the batch ------------------------------------------------------


def test_one_bad_statement_does_not_sink_the_others() -> None:
    sql = (
        "CREATE TABLE db.a AS SELECT x FROM db.s;\n\n"
        "INSERT INTO db.b\nSELEC y FROM db.s;\n"
        "INSERT INTO db.c SELECT z FROM db.s;"
    )
    catalog = Catalog.from_mapping({"db.s": ["x", "y", "z"]})
    batch = extract_sql(
        sql,
        dialect="hive",
        namespace=NS,
        source="jobs/load.sql",
        catalog=catalog,
        job=JOB,
        namespace_map={"h": NS},
    )
    assert batch.statements == 3
    assert edges(LineageBatch(edges=batch.edges)) == {direct("db.s.x", "db.a.x"), direct("db.s.z", "db.c.z")}
    (failure,) = batch.failures
    assert failure.source == "jobs/load.sql"
    assert failure.location == "statement 2, line 3"
    assert failure.payload == "INSERT INTO db.b\nSELEC y FROM db.s"
    assert "line 4" in failure.reason
    assert failure.options == {
        "dialect": "hive",
        "namespace": NS,
        "job": {"namespace": "airflow", "name": "nightly"},
        "catalog": {"db.s": {"x": None, "y": None, "z": None}, "db.a": {"x": None}},
        "namespace_map": {"h": NS},
    }


def test_parse_errors_give_script_lines_even_when_the_script_does_not_tokenize() -> None:
    batch = extract("SELECT 1;\nSELECT 'a;b';\nINSERT INTO t SELEC x FROM s;\nSELECT 'unterminated")
    assert batch.statements == 4
    assert [(f.location, f.reason.split(":")[0]) for f in batch.failures] == [
        ("statement 3, line 3", "parse error at line 3, col 19"),
        ("statement 4, line 4", "could not tokenize"),
    ]


def test_unknown_column_with_a_catalog_fails_with_a_clear_reason() -> None:
    catalog = Catalog.from_mapping({"db.s": ["a", "b"]})
    batch = extract("INSERT INTO db.t SELECT s.a, s.nope FROM db.s s", catalog=catalog)
    assert batch.edges == []
    assert [f.reason for f in batch.failures] == ["column 'nope' not found in table db.s (catalog)"]


def test_ambiguous_column_without_catalog_fails_and_replays_with_one() -> None:
    sql = "INSERT INTO db.t SELECT a FROM db.s JOIN db.u ON s.id = u.id"
    (failure,) = extract(sql).failures
    assert failure.reason.startswith("column 'a' is ambiguous")
    replayed = extract_sql(
        failure.payload,
        dialect=str(failure.options["dialect"]),
        namespace=str(failure.options["namespace"]),
        catalog=Catalog.from_mapping({"db.s": ["id", "a"], "db.u": ["id"]}),
    )
    assert direct("db.s.a", "db.t.a") in edges(replayed)


def test_target_column_missing_from_catalog_fails() -> None:
    catalog = Catalog.from_mapping({"db.t": ["x"]})
    (failure,) = extract("INSERT INTO db.t (x, y) SELECT a, b FROM db.s", catalog=catalog).failures
    assert failure.reason == "column 'y' not found in table db.t (catalog)"


@pytest.mark.parametrize(
    "sql",
    ["", ";;;", "((((", "SELECT 'unterminated", "INSERT INTO", "FOO BAR", "\x00\x01", "SELECT * FROM a JOIN"],
)
def test_bad_input_never_raises(sql: str) -> None:
    batch = extract(sql)
    assert batch.edges == []
    assert len(batch.failures) == batch.statements


def test_other_statements_are_counted_and_skipped() -> None:
    batch = extract("USE db; SET hive.exec.dynamic.partition = true; DROP TABLE IF EXISTS db.x; TRUNCATE TABLE db.y")
    assert batch.statements == 4
    assert batch.failures == [] and batch.datasets == []


def test_tables_created_earlier_in_the_script_act_as_catalog() -> None:
    sql = """
        CREATE TABLE db.base (id INT, email STRING);
        CREATE TABLE db.copy AS SELECT * FROM db.base;
        CREATE VIEW db.v AS SELECT id FROM db.copy;
        INSERT INTO db.out SELECT * FROM db.v
    """
    batch = extract(sql)
    assert edges(batch) == {
        direct("db.base.id", "db.copy.id"),
        direct("db.base.email", "db.copy.email"),
        direct("db.copy.id", "db.v.id"),
        direct("db.v.id", "db.out.id"),
    }
    assert {d.name: d.kind for d in batch.datasets} == {
        "db.base": "table",
        "db.copy": "table",
        "db.v": "view",
        "db.out": "table",
    }


def test_created_table_maps_a_later_insert_by_position() -> None:
    sql = "CREATE TABLE db.t (x INT, y INT); INSERT INTO db.t SELECT a, b FROM db.s"
    batch = extract(sql)
    assert edges(batch) == {direct("db.s.a", "db.t.x"), direct("db.s.b", "db.t.y")}
    assert {(c.dataset, c.field): c.data_type for c in batch.columns}[("db.t", "y")] == "INT"


def test_tables_created_by_the_script_do_not_leak_into_the_callers_catalog() -> None:
    catalog = Catalog.from_mapping({"db.s": ["a"]})
    extract("CREATE TABLE db.n AS SELECT a FROM db.s", catalog=catalog)
    assert catalog.to_mapping() == {"db.s": {"a": None}}


def test_batch_lists_each_thing_once_with_job_reads_and_writes() -> None:
    at = datetime(2024, 5, 1, tzinfo=UTC)
    catalog = Catalog.from_mapping({"db.s": {"a": "int"}})
    sql = "INSERT INTO db.t SELECT a FROM db.s; INSERT INTO db.t SELECT a FROM db.s; SELECT a FROM db.s"
    batch = extract(sql, catalog=catalog, job=JOB, at=at)
    assert [(d.name, d.kind) for d in batch.datasets] == [("db.s", "table"), ("db.t", "table")]
    assert [(c.dataset, c.field, c.data_type) for c in batch.columns] == [
        ("db.t", "a", None),
        ("db.s", "a", "int"),
    ]
    assert len(batch.edges) == 1 and batch.edges[0].job == JOB
    assert [(r.job, r.dataset.name, r.at) for r in batch.reads] == [(JOB, "db.s", at)]
    assert [(w.job, w.dataset.name, w.at) for w in batch.writes] == [(JOB, "db.t", at)]
    assert [j.name for j in batch.jobs] == ["nightly"]


def test_without_a_job_there_are_no_reads_or_writes() -> None:
    batch = extract("INSERT INTO db.t SELECT a FROM db.s")
    assert batch.jobs == [] and batch.reads == [] and batch.writes == []
    assert all(e.job is None for e in batch.edges)
