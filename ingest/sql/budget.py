"""A time budget per statement, so one pathological statement cannot hang an ingest.

Parsing and tracing are CPU-bound Python (partly compiled), which a thread cannot interrupt; the one
portable interruption is a ``SIGALRM`` timer, and signals reach only the main thread of a process.
So the budget is enforced on the main thread (the CLI, and worker processes, whose tasks run on
their main thread); code on another thread (a server) runs the extractor in a worker process
(``tagline.api.services.sql_worker``) to get the same guarantee. Cost: two ``setitimer`` calls and two
``signal`` swaps per statement, a few microseconds.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

RETRY_SECONDS = 0.01


class StatementTimeout(BaseException):
    """A statement used up its time budget.

    A BaseException, like KeyboardInterrupt: the timer can fire anywhere, including inside a
    library's ``except Exception`` block, which would otherwise swallow it and carry on.
    """


def can_enforce() -> bool:
    """Whether a budget can be enforced here (main thread, a platform with interval timers)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`StatementTimeout` in the block once ``seconds`` have passed (``None``: no limit,
    and no limit where it cannot be enforced)."""
    if not seconds or not can_enforce():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        # The handler runs wherever the main thread is, possibly inside a finalizer whose
        # exceptions Python ignores; re-arming makes it fire again until the raise lands.
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        raise StatementTimeout(f"the statement took longer than its time budget of {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
