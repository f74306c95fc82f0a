"""Retrying a write transaction that lost a lock race on JanusGraph.

JanusGraph takes locks for the unique index on `uid` (consistency LOCK). When two writers create or
change the same key at once, one of them fails at commit with a PermanentLockingException or a
TemporaryLockingException (storage backends locked by JanusGraph, such as Cassandra), or, on
BerkeleyJE with SERIALIZABLE isolation, with BerkeleyJE's LockTimeoutException or
LockConflictException (seen when two sessions insert the same index entry); its transaction is
rolled back whole, so running the same work again is safe and usually succeeds. The server returns the exception only as text, so it is recognised by
its class name in the message. GremLite serialises writers with SQLite's lock and never raises it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

LOCK_CONFLICT_MARKERS = (
    "PermanentLockingException",
    "TemporaryLockingException",
    "LockTimeoutException",
    "LockConflictException",
)
ATTEMPTS = 5
FIRST_DELAY_S = 0.05
MAX_DELAY_S = 1.0


def is_lock_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) is a JanusGraph locking failure."""
    seen: BaseException | None = exc
    while seen is not None:
        if any(marker in str(seen) for marker in LOCK_CONFLICT_MARKERS):
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
            if attempt == attempts or not is_lock_conflict(exc):
                raise
        sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, MAX_DELAY_S)
    raise AssertionError("unreachable: the loop returns or raises")
