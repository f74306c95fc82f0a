"""Scripts as warehouses run them: statements split by the tokenizer, an open parenthesis failing
only its own statement, T-SQL without semicolons and with GO batches, Hive variables, and the dialect
names other tools use."""

from __future__ import annotations

import pytest

from tagline.errors import InvalidInput
from tagline.graph.model import JobRef, LineageBatch
from tagline.ingest.catalog import Catalog
from tagline.ingest.dialects import known_dialects, resolve_dialect
from tagline.ingest.querylog import read_sql
from tagline.ingest.sql.extract import extract_sql
from tagline.ingest.sql.split import split_statements

JOB = JobRef(namespace="airflow", name="nightly")


def run(sql: str, dialect: str, catalog: Catalog | None = None) -> LineageBatch:
    return extract_sql(sql, dialect=dialect, namespace="warehouse", job=JOB, catalog=catalog)


def tables(batch: LineageBatch) -> tuple[set[str], set[str]]:
    return {r.dataset.name for r in batch.reads}, {w.dataset.name for w in batch.writes}


def pairs(batch: LineageBatch) -> set[tuple[str, str]]:
    return {
        (f"{e.source.dataset}.{e.source.field}", f"{e.target.dataset}.{e.target.field}")
        for e in batch.edges
        if e.transformation.type.value == "DIRECT"
    }


# ---- splitting -----------------------------------------------------------------------------


def test_an_unbalanced_parenthesis_fails_only_its_own_statement() -> None:
    sql = "INSERT INTO t1 SELECT (a FROM x;\nINSERT INTO t2 SELECT b FROM y;\nINSERT INTO t3 SELECT c FROM z"
    statements = split_statements(sql, resolve_dialect("ansi"))
    assert [(s.number, s.line) for s in statements] == [(1, 1), (2, 2), (3, 3)]
    batch = run(sql, "ansi")
    assert [f.location for f in batch.failures] == ["statement 1, line 1"]
    assert pairs(batch) == {("y.b", "t2.b"), ("z.c", "t3.c")}


def test_a_semicolon_inside_parentheses_not_followed_by_a_statement_does_not_split() -> None:
    statements = split_statements("SELECT f(';', (1;2)) FROM t; SELECT 2", resolve_dialect("ansi"))
    assert [s.text for s in statements] == ["SELECT f(';', (1;2)) FROM t", "SELECT 2"]


def test_go_lines_end_tsql_batches() -> None:
    sql = "INSERT INTO a SELECT x FROM s\nGO\nINSERT INTO b SELECT go FROM s\nGO 2\n"
    batch = run(sql, "tsql")
    assert not batch.failures
    assert pairs(batch) == {("s.x", "a.x"), ("s.go", "b.go")}


def test_tsql_statements_without_semicolons() -> None:
    sql = "insert into tab1 select * from foo\ninsert into tab2 select * from bar\nselect a into #t from baz"
    batch = run(sql, "tsql")
    assert not batch.failures and batch.statements == 3
    assert tables(batch) == ({"foo", "bar", "baz"}, {"tab1", "tab2"})


def test_a_tsql_procedure_body_without_semicolons() -> None:
    sql = """CREATE PROCEDURE dbo.load_orders @day date AS
BEGIN
    SET NOCOUNT ON
    DECLARE @n int = 0
    INSERT INTO dw.orders (id, amount) SELECT id, amount FROM stage.orders WHERE day = @day
    UPDATE dw.stats SET n = (SELECT count(*) FROM dw.orders)
    IF @n > 0
        DELETE FROM stage.orders
END
GO"""
    batch = run(sql, "tsql")
    assert not batch.failures, [f.reason for f in batch.failures]
    assert tables(batch) == ({"stage.orders", "dw.orders"}, {"dw.orders", "dw.stats"})
    assert ("stage.orders.amount", "dw.orders.amount") in pairs(batch)


def test_tsql_table_variables_cursors_and_transactions_without_semicolons() -> None:
    sql = """DECLARE @t TABLE (id int)
BEGIN TRAN
INSERT INTO @t SELECT id FROM s
INSERT INTO d SELECT id FROM @t
COMMIT TRAN
DECLARE c CURSOR FOR SELECT a FROM t
OPEN c
FETCH NEXT FROM c INTO @a
CLOSE c"""
    batch = run(sql, "tsql")
    assert not batch.failures, [f.reason for f in batch.failures]
    assert tables(batch) == ({"s", "t"}, {"d"})  # @t is a variable of the batch, joined through
    assert pairs(batch) == {("s.id", "d.id")}


def test_garbage_is_not_split_into_statements_that_were_never_written() -> None:
    batch = run("INSERT INTO d.t (a, b) SELECT INSERT x, y FROM d.s", "ansi")
    assert batch.statements == 1 and len(batch.failures) == 1


# ---- variables ---------------------------------------------------------------------------


def test_hive_variables_set_in_the_script_are_substituted() -> None:
    sql = """SET hivevar:src_db=raw;
SET target=dw.orders;
SET hiveconf:hive.exec.dynamic.partition=true;
INSERT OVERWRITE TABLE ${target} SELECT id FROM ${hivevar:src_db}.orders WHERE day = '${day}'"""
    batch = run(sql, "hive")
    assert not batch.failures
    assert pairs(batch) == {("raw.orders.id", "dw.orders.id")}


def test_tsql_session_variables_are_values_not_columns() -> None:
    sql = "DECLARE @age int = 10;\nINSERT INTO tgt SELECT name, @age AS age FROM people WHERE age > @age;"
    batch = run(sql, "tsql")
    assert not batch.failures
    assert pairs(batch) == {("people.name", "tgt.name")}


# ---- a condition naming a missing column -------------------------------------------------


def test_a_join_on_a_missing_column_keeps_the_outputs_lineage_and_is_reported() -> None:
    catalog = Catalog.from_mapping({"s.a": ["id", "x"], "s.b": ["id", "y"]})
    sql = "INSERT INTO t SELECT a.x, b.y FROM s.a a JOIN (SELECT id, y FROM s.b) b ON a.id = b.missing"
    batch = run(sql, "ansi", catalog)
    assert pairs(batch) == {("s.a.x", "t.x"), ("s.b.y", "t.y")}
    (failure,) = batch.failures
    assert "JOIN condition" in failure.reason and "missing" in failure.reason


# ---- dialect names -------------------------------------------------------------------------

SQLFLUFF_DIALECTS = (
    "ansi", "athena", "bigquery", "clickhouse", "databricks", "db2", "doris", "duckdb", "exasol", "flink",
    "greenplum", "hive", "impala", "mariadb", "materialize", "mysql", "oracle", "postgres", "redshift",
    "snowflake", "soql", "sparksql", "sqlite", "starrocks", "teradata", "trino", "tsql", "vertica",
)  # fmt: skip
"""The dialects sqlfluff 4 lists (sqllineage's default parser), plus sqllineage's own below."""


@pytest.mark.parametrize("name", [*SQLFLUFF_DIALECTS, "non-validating", "MariaDB"])
def test_every_dialect_name_sqlfluff_and_sqllineage_accept_is_known(name: str) -> None:
    resolve_dialect(name)
    assert name.lower() in known_dialects()
    batch = run("INSERT INTO t SELECT a FROM s", name)
    assert not batch.failures and pairs(batch) == {("s.a", "t.a")}


def test_an_unknown_dialect_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match=r"known dialects: .*mariadb"):
        resolve_dialect("cobol")


# ---- .sql query logs ---------------------------------------------------------------------


def test_a_sql_query_log_is_split_by_the_tokenizer_not_by_lines() -> None:
    log = [
        "INSERT INTO a SELECT 'x;\n",
        "y' AS v FROM s; INSERT INTO b SELECT w FROM s;\n",
        "\n",
        "/* a comment;\n",
        "still the comment */ INSERT INTO c SELECT z FROM s\n",
    ]
    queries = list(read_sql(log, "nightly"))
    assert [(q.line, q.entry.sql if q.entry else None) for q in queries] == [
        (1, "INSERT INTO a SELECT 'x;\ny' AS v FROM s"),
        (2, "INSERT INTO b SELECT w FROM s"),
        (5, "INSERT INTO c SELECT z FROM s"),
    ]


def test_a_star_fed_by_a_tables_star_and_one_of_its_columns_says_it_once() -> None:
    sql = "WITH t2 AS (SELECT * FROM tab1), t3 AS (SELECT f1, * FROM t2) INSERT INTO tab3 SELECT * FROM t3"
    batch = run(sql, "ansi")
    assert not batch.failures
    assert pairs(batch) == {("tab1.*", "tab3.*")}
