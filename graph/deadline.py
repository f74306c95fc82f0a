"""The time budget of the work one request does, checked by long loops.

A server request that runs out of time is abandoned on the event loop, but a whole-warehouse scan
running on a reader thread cannot be interrupted from outside. So the request sets a deadline in a
context variable (which follows it onto the reader threads, see ``StoreThread.read``), and loops
that may run long (index walks, health scans, rendering of nested lineage) call :func:`check`:
past the deadline, the work stops with :class:`OutOfTime` instead of running on for nobody.
Outside a request (the CLI, tests) there is no deadline and :func:`check` costs one look-up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tagline.errors import Unavailable

_deadline: ContextVar[float | None] = ContextVar("tagline_deadline", default=None)


class OutOfTime(Unavailable):
    """The request this work was for has spent its time budget."""


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Work done inside (and in copies of this context) must end within ``seconds``."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise :class:`OutOfTime` when the current context's deadline has passed."""
    at = _deadline.get()
    if at is not None and time.monotonic() > at:
        raise OutOfTime("the request ran out of time (TAGLINE_REQUEST_TIMEOUT_SECONDS); its work was stopped")
