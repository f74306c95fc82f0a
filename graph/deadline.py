"""The time budget of the work one request does, checked by long loops, and the line between a
request abandoned and a write committed.

A server request that runs out of time is abandoned on the event loop, but a whole-warehouse scan
running on a reader thread cannot be interrupted from outside. So the request sets a deadline in a
context variable (which follows it onto the reader threads and the store thread, see
``StoreThread``), and loops that may run long (index walks, health scans, rendering of nested
lineage) call :func:`check`: past the deadline, the work stops with :class:`OutOfTime` instead of
running on for nobody. Outside a request (the CLI, tests) there is no deadline and :func:`check`
costs one look-up.

A write must not land after its client was told the request was abandoned. Each request carries a
:class:`Gate` that the two sides race for: the store, right before it commits a transaction, calls
:func:`before_commit`; the server, when the request runs out of time or its client hangs up, calls
:meth:`Gate.abandon`. Whichever comes first wins: an abandoned request's transaction is rolled back,
and a request whose write committed is no longer abandoned — its deadline is lifted and the server
waits for its answer, since a 503 would tell the client a lie.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tagline.errors import Unavailable

_deadline: ContextVar[float | None] = ContextVar("tagline_deadline", default=None)
_gate: ContextVar[Gate | None] = ContextVar("tagline_gate", default=None)


class OutOfTime(Unavailable):
    """The request this work was for has spent its time budget."""


class Abandoned(OutOfTime):
    """The request this write was for was answered as abandoned: the write was rolled back."""


class Gate:
    """Whether a request's writes may still commit: open, then committed or abandoned for good."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.committed = False
        self.abandoned = False

    def abandon(self) -> bool:
        """Close the gate to commits; False when a write already committed (then the request must
        be answered by its own work, not abandoned)."""
        with self._lock:
            if not self.committed:
                self.abandoned = True
            return self.abandoned

    def commit(self) -> None:
        """Let a transaction commit, unless the request was abandoned (:class:`Abandoned`)."""
        with self._lock:
            if self.abandoned:
                raise Abandoned(
                    "the request was abandoned (out of time, or its client left) before its write committed; "
                    "the write was rolled back"
                )
            self.committed = True


@contextmanager
def budget(seconds: float, gate: Gate | None = None) -> Iterator[None]:
    """Work done inside (and in copies of this context) must end within ``seconds``; its writes
    commit through ``gate``."""
    token = _deadline.set(time.monotonic() + seconds)
    gate_token = _gate.set(gate)
    try:
        yield
    finally:
        _gate.reset(gate_token)
        _deadline.reset(token)


def check() -> None:
    """Raise :class:`OutOfTime` when the current context's deadline has passed or its request was
    abandoned, unless a write of the request has committed (the work then goes on to its answer)."""
    gate = _gate.get()
    if gate is not None and gate.committed:
        return
    at = _deadline.get()
    if (gate is not None and gate.abandoned) or (at is not None and time.monotonic() > at):
        raise OutOfTime("the request ran out of time (TAGLINE_REQUEST_TIMEOUT_SECONDS); its work was stopped")


def before_commit() -> None:
    """Called by the store right before a transaction commits: raises :class:`Abandoned` (and the
    transaction is rolled back) when the request was abandoned or its deadline has passed, else
    marks the request as committed. Outside a request, nothing."""
    gate = _gate.get()
    if gate is None:
        return
    at = _deadline.get()
    if not gate.committed and at is not None and time.monotonic() > at:
        gate.abandon()
    gate.commit()
