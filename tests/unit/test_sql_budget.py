"""The per-statement time budget: on the main thread (CLI) and from any thread via the worker."""

from __future__ import annotations

import threading
import time

from tagline.api.services.sql_worker import SqlWorker
from tagline.graph.model import JobRef
from tagline.ingest.sql.budget import can_enforce
from tagline.ingest.sql.extract import ExtractOptions, extract_sql

SLOW = (
    "INSERT INTO d.t SELECT "
    + ", ".join(f"upper(lower(trim(upper(lower(c{i}))))) || c{i + 1} AS o{i}" for i in range(2400))
    + " FROM d.s"
)
"""2,400 output columns of nested calls: seconds of tracing, spent in Python where the timer is served
(and under the server's limit of column references)."""
HUGE = "INSERT INTO d.t SELECT " + " + ".join(f"c{i}" for i in range(20000)) + " AS x FROM d.s"
"""A 20,000-term sum: minutes inside compiled code no timer can interrupt, so refused by size."""
FAST = "INSERT INTO d.u SELECT a FROM d.s"
JOB = JobRef(namespace="default", name="etl")


def _seconds(sql: str) -> float:
    started = time.perf_counter()
    extract_sql(sql, dialect="hive", namespace="ns")
    return time.perf_counter() - started


def _budget() -> ExtractOptions:
    """A budget set from what the statements take on this machine now, busy or idle: a quarter of
    SLOW's time, which must leave FAST far inside it."""
    seconds = _seconds(SLOW) / 4
    assert _seconds(FAST) * 20 < seconds
    return ExtractOptions(statement_timeout=seconds)


def test_a_slow_statement_fails_alone_within_its_budget() -> None:
    assert can_enforce()
    extract_sql(FAST, dialect="hive", namespace="ns")  # sqlglot builds its dialect tables on first use
    budget = _budget()
    batch = extract_sql(f"{FAST};\n{SLOW}", dialect="hive", namespace="ns", options=budget)
    (failure,) = batch.failures
    assert (
        failure.location == "statement 2, line 2" and f"time budget of {budget.statement_timeout:g}s" in failure.reason
    )
    assert [(e.source.field, e.target.dataset) for e in batch.edges] == [("a", "d.u")]


def test_the_worker_keeps_the_budget_for_a_server_thread() -> None:
    worker = SqlWorker()
    worker.extract(FAST, dialect="hive", namespace="ns")  # start the worker, warm its dialect tables
    budget = _budget()
    results = []

    def serve() -> None:
        assert not can_enforce()  # signals cannot reach this thread ...
        results.append(worker.extract(f"{FAST};\n{SLOW}", dialect="hive", namespace="ns", options=budget))

    try:
        thread = threading.Thread(target=serve)
        thread.start()
        thread.join(timeout=60)
        (batch,) = results  # ... but the worker process enforces the budget
        assert [f.location for f in batch.failures] == ["statement 2, line 2"]
        assert "time budget" in batch.failures[0].reason
        assert [e.target.dataset for e in batch.edges] == ["d.u"]
    finally:
        worker.close()


def test_a_statement_too_large_to_trace_keeps_its_tables_and_says_why() -> None:
    batch = extract_sql(f"{FAST};\n{HUGE}", dialect="hive", namespace="ns", job=JOB)
    (failure,) = batch.failures
    assert failure.location == "statement 2, line 2"
    assert "20000 column references, more than the limit of 5000" in failure.reason
    assert {w.dataset.name for w in batch.writes} == {"d.u", "d.t"}
    small = extract_sql(HUGE, dialect="hive", namespace="ns", options=ExtractOptions(max_column_references=10))
    assert "more than the limit of 10" in small.failures[0].reason
