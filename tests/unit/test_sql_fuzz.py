"""Random and mutated SQL: the extractor always answers with lineage or clean failures.

Whatever the input, ``extract_sql`` returns a batch (never raises), every failure says where and
why, every edge joins columns the batch declares, and writing the batch lands all of it.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagline.graph.model import LineageBatch
from tagline.graph.store import GraphStore
from tagline.ingest.sql.extract import ExtractOptions, extract_sql
from tagline.ingest.sql.summary import summarize_sql

SEEDS = [
    "INSERT INTO d.t (a, b) SELECT x, SUM(y) OVER (PARTITION BY z) FROM d.s WHERE k > 1",
    "MERGE INTO t USING (SELECT k, max(v) AS v FROM s GROUP BY k) u ON t.k = u.k "
    "WHEN MATCHED THEN UPDATE SET v = u.v WHEN NOT MATCHED THEN INSERT (k, v) VALUES (u.k, u.v)",
    "WITH c AS (SELECT a, b FROM s) CREATE TABLE t AS SELECT CASE WHEN a THEN b END AS x FROM c",
    "CREATE PROCEDURE p() BEGIN INSERT INTO t SELECT a FROM s; IF x THEN SET y = 1; END IF; END",
    "UPDATE t SET a = s.b FROM s WHERE t.id = s.id; DROP TABLE t",
    "SELECT * FROM a PIVOT (SUM(v) FOR k IN ('x', 'y')) LATERAL VIEW explode(arr) e AS q",
]
WORDS = [
    "SELECT", "INSERT", "INTO", "FROM", "WHERE", "JOIN", "ON", "(", ")", ",", ";", "*", "a", "b.c", "'x'",
    "1", "AS", "CASE", "WHEN", "THEN", "END", "BEGIN", "MERGE", "USING", "UPDATE", "SET", "=", "WITH",
    "UNION", "PIVOT", "FOR", "IN", "OVER", "CREATE", "TABLE", "VIEW", "TEMP", "#t", "@v", "`q`", '"Q"',
]  # fmt: skip
DIALECTS = ["ansi", "hive", "spark", "snowflake", "tsql", "bigquery", "oracle", "postgres", "teradata", "athena"]
FAST = ExtractOptions(statement_timeout=2.0)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        elif action == "insert":
            text = text[:at] + " " + draw(st.sampled_from(WORDS)) + " " + text[at:]
        else:
            text = text[:at] + text[at : at + 20] + text[at:]
    return text


sql_inputs = st.one_of(mutated(), st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join), st.text(max_size=80))


def assert_consistent(batch: LineageBatch) -> None:
    columns = {c.key for c in batch.columns}
    for edge in batch.edges:
        assert edge.source.key in columns and edge.target.key in columns
    for failure in batch.failures:
        assert failure.reason and failure.location.startswith("statement ")
    assert len(batch.failures) <= max(batch.statements, 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sql=sql_inputs, dialect=st.sampled_from(DIALECTS))
def test_any_input_gives_lineage_or_clean_failures(sql: str, dialect: str) -> None:
    assert_consistent(extract_sql(sql, dialect=dialect, namespace="ns", options=FAST))
    result = summarize_sql(sql, dialect, options=FAST)
    assert set(result) == {"reads", "writes", "edges", "error"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(sql=mutated(), dialect=st.sampled_from(DIALECTS))
def test_writing_a_fuzzed_batch_lands_all_of_it(tmp_path: Path, sql: str, dialect: str) -> None:
    batch = extract_sql(sql, dialect=dialect, namespace="ns", options=FAST)
    store = GraphStore(str(tmp_path / f"{abs(hash((sql, dialect)))}.db"))
    try:
        store.write(batch)
        counts = store.counts()
        assert counts["derives"] == len({e.key for e in batch.edges})
        assert counts["column"] == len({c.key for c in batch.columns})
        assert len(store.failures()) == len(batch.failures)
    finally:
        store.close()
