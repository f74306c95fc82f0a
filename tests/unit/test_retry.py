"""Which failures of a JanusGraph write are lost lock races, to be run again."""

from __future__ import annotations

import pytest
from gremlin_python.driver.protocol import GremlinServerError

from tagline.graph.connection import StoreError
from tagline.graph.retry import is_lock_conflict, lock_conflicts, retry_on_lock_conflict


def refused(message: str, trace: str) -> StoreError:
    """A commit the server refused, as the store raises it: the driver's error as the cause."""
    cause = GremlinServerError({"code": 500, "message": message, "attributes": {"stackTrace": trace}})
    try:
        raise StoreError(f"the Gremlin Server did not commit the write: {cause}") from cause
    except StoreError as exc:
        return exc


def test_a_lock_timeout_told_only_in_the_stack_trace_is_a_conflict() -> None:
    trace = (
        "org.janusgraph.core.JanusGraphException: ...\nCaused by: com.sleepycat.je.LockTimeoutException: (JE 18.3.12)"
    )
    assert is_lock_conflict(refused("Could not commit transaction due to exception during persistence", trace))


def test_a_key_committed_by_another_writer_meanwhile_is_a_conflict() -> None:
    message = "Adding this property for key [uid] and value [d|ns|t] violates a uniqueness constraint [byKey]"
    assert is_lock_conflict(refused(message, "org.janusgraph.core.SchemaViolationException"))


def test_other_refusals_are_not_run_again() -> None:
    failure = refused("The traversal was refused", "java.lang.IllegalStateException: no index")
    assert not is_lock_conflict(failure)
    calls = []

    def work() -> None:
        calls.append(1)
        raise failure

    with pytest.raises(StoreError):
        retry_on_lock_conflict(work, sleep=lambda _: None)
    assert calls == [1]


def test_a_conflict_is_run_again_until_it_succeeds() -> None:
    attempts = []
    conflict = refused("Could not commit transaction", "Caused by: com.sleepycat.je.DeadlockException")

    def work() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise conflict
        return "done"

    assert retry_on_lock_conflict(work, sleep=lambda _: None) == "done" and len(attempts) == 3


def test_retries_and_conflicts_given_up_on_are_counted_for_the_metrics() -> None:
    conflict = refused("Could not commit transaction", "Caused by: com.sleepycat.je.LockTimeoutException")
    before = lock_conflicts()

    def always() -> None:
        raise conflict

    with pytest.raises(StoreError):
        retry_on_lock_conflict(always, attempts=3, sleep=lambda _: None)
    after = lock_conflicts()
    assert (after.retried - before.retried, after.gave_up - before.gave_up) == (2, 1)
