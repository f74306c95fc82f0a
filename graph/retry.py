"""Retrying a write transaction that lost a lock race on JanusGraph.

JanusGraph takes locks for the unique index on `uid` (consistency LOCK). When two writers create or
change the same key at once, one of them fails at commit with a PermanentLockingException or a
TemporaryLockingException (storage backends locked by JanusGraph, such as Cassandra), or, on
BerkeleyJE with SERIALIZABLE isolation, with BerkeleyJE's LockTimeoutException or
LockConflictException (seen when two sessions insert the same index entry); its transaction is
rolled back whole, so running the same work again is safe and usually succeeds. The server returns
the exception only as text, so it is recognised by its class name in the message or in the stack
trace the answer carries. GremLite serialises writers with SQLite's lock and never raises it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

LOCK_CONFLICT_MARKERS = (
    "PermanentLockingException",
    "TemporaryLockingException",
    "LockTimeoutException",
    "LockConflictException",
    "DeadlockException",
    # A key another writer committed between this transaction's look-up and its insert.
    "violates a uniqueness constraint",
)
# Two writers whose transactions touch the same keys (every file of a folder names its sources)
# can collide several times running before one waits long enough for the other to commit:
# BerkeleyJE answers a lock held by another transaction only after its 500 ms lock timeout.
ATTEMPTS = 10
FIRST_DELAY_S = 0.1
MAX_DELAY_S = 2.0


@dataclass(frozen=True)
class LockConflicts:
    """Since the process started: write transactions run again after a lock conflict, and those
    whose last attempt still met one (for the operators' metrics)."""

    retried: int = 0
    gave_up: int = 0


_counted = {"retried": 0, "gave_up": 0}
_counting = threading.Lock()


def _count(outcome: str) -> None:
    with _counting:
        _counted[outcome] += 1


def lock_conflicts() -> LockConflicts:
    with _counting:
        return LockConflicts(**_counted)


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a JanusGraph locking failure."""
    seen: BaseException | None = exc
    while seen is not None:
        # The server's answer carries the cause (BerkeleyJE's LockTimeoutException under
        # "Could not commit transaction") in its stack trace, kept apart from the message.
        text = f"{seen} {getattr(seen, 'status_attributes', '')}"
        if any(marker in text for marker in LOCK_CONFLICT_MARKERS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def retry_on_lock_conflict(
    work: Callable[[], T],
    attempts: int = ATTEMPTS,
    first_delay_s: float = FIRST_DELAY_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``work``; after a lock conflict wait (doubling, jittered, at most MAX_DELAY_S) and run it
    again, at most ``attempts`` times in all. Any other error, or the last conflict, is raised."""
    delay = first_delay_s
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Exception as exc:
            if not is_lock_conflict(exc):
                raise
            if attempt == attempts:
                _count("gave_up")
                raise
            _count("retried")
        sleep(delay * random.random() * 2)  # full jitter: two losers rarely come back together
        delay = min(delay * 2, MAX_DELAY_S)
    raise AssertionError("unreachable: the loop returns or raises")
