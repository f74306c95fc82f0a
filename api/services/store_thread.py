"""Runs every store call of the server on one dedicated thread, and keeps the lineage index
current.

SQLite connections belong to the thread that opened them, and the Gremlin driver blocks; keeping
the store on its own thread lets the event loop go on serving while a write runs. Lineage reads
do not come here: the index answers them on the event loop. The index is loaded before the server
answers anything and then follows the change log:

- :meth:`StoreThread.catch_up`, before each request on the embedded store, reads the log's head
  (one indexed read on a connection of its own) and, when another process has written since,
  applies the tail before the request goes on: a request sees every write committed before it
  began, in any process.
- :meth:`StoreThread.reached` waits, bounded, until the index has passed a position a write
  returned (``X-Tagline-After``): how a client reads its own writes on a Gremlin Server.
- :meth:`StoreThread.follow` applies the tail every ``interval`` seconds besides, so an idle server
  does not fall far behind.

On the embedded store the tail is read on a thread of its own, never queued behind a write; on a
Gremlin Server, on the store thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from tagline.api.services.tracing import tracer
from tagline.graph import deadline
from tagline.graph.store import GraphStore

log = logging.getLogger("tagline.store")
P = ParamSpec("P")
R = TypeVar("R")
# The header every transport answers a write's position in (see api/http/read_your_writes.py).
POSITION_HEADER = "X-Tagline-Position"
# How long a read waiting for a position pauses between two reads of a Gremlin Server's log.
REACH_PAUSE_S = 0.05


class StoreThread:
    def __init__(self, location: str, on_call: Callable[[], None] = lambda: None) -> None:
        self._on_call = on_call
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagline-store")
        # Whole-warehouse questions answered by the index alone (health, impact, dependencies):
        # off the event loop, and not queued behind a long write on the store thread.
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tagline-read")
        self.store: GraphStore = self._executor.submit(self._open, location).result()
        # The embedded store's log, read apart from the store thread: its head on the event loop,
        # its tail on a thread of its own (None on a Gremlin Server).
        self._head = self.store.log_reader()
        self._tail = self.store.log_reader()
        self._follower = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagline-follow")
        self._syncing: asyncio.Future[int] | None = None

    @staticmethod
    def _open(location: str) -> GraphStore:
        store = GraphStore(location, follow=False)
        log.info("loading the lineage index...")
        counts = store.counts()  # loads the index here, before the first request, not during one
        log.info(
            "lineage index: %s columns, %s column edges, from the %s in %.1f s",
            f"{counts['column']:,}",
            f"{counts['derives']:,}",
            store.index_origin,
            store.index_load_seconds,
        )
        return store

    async def read(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``fn``, which reads only the lineage index, on a reader thread."""
        # In a copy of the caller's context: the request's deadline goes along (graph/deadline.py).
        context = contextvars.copy_context()

        def call() -> R:
            with tracer.start_as_current_span(f"index {_name(fn)}"):
                return fn(*args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._readers, lambda: context.run(call))

    async def _sync(self) -> None:
        """Apply the log's tail: one sync at a time, shared by every caller that asks meanwhile."""
        if self._syncing is None or self._syncing.done():
            loop = asyncio.get_running_loop()
            if self._tail is not None:
                self._syncing = loop.run_in_executor(self._follower, self.store.sync, self._tail)
            else:
                self._syncing = loop.run_in_executor(self._executor, self.store.sync)
        await asyncio.shield(self._syncing)

    async def catch_up(self) -> None:
        """On the embedded store: apply every write committed before this call, by any process.
        Costs one indexed read when there is none. Nothing on a Gremlin Server (see :meth:`reached`)."""
        if self._head is None:
            return
        head = self.store.log_head(self._head)
        while not self.store.has_passed(head):
            await self._sync()

    async def reached(self, written: str, within: float) -> bool:
        """Wait until the index has applied the write at position ``written``, at most ``within``
        seconds; whether it has. ValueError when ``written`` is no position of this store's kind."""
        loop = asyncio.get_running_loop()
        until = loop.time() + within
        while not self.store.has_passed(written):
            left = until - loop.time()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self._sync(), left)
            except TimeoutError:
                return self.store.has_passed(written)
            if not self.store.has_passed(written):
                await asyncio.sleep(min(REACH_PAUSE_S, max(until - loop.time(), 0)))
        return True

    async def follow(self, interval: float) -> None:
        """Apply the change log's tail every ``interval`` seconds, until cancelled. A failed read
        (the store away for a moment) is tried again at the next turn."""
        while True:
            await asyncio.sleep(interval)
            try:
                # Not counted as a store call: those count what requests cost.
                await self._sync()
            except Exception as exc:
                log.warning("could not read the change log: %s", exc)

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run ``fn`` on the store thread, in a copy of the caller's context: a write learns there
        whether the request it serves was abandoned before it commits (graph/deadline.py)."""
        self._on_call()
        context = contextvars.copy_context()

        def call() -> R:
            deadline.check()  # a request abandoned while this waited for the thread: not started
            with tracer.start_as_current_span(f"store {_name(fn)}"):
                return fn(*args, **kwargs)

        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: context.run(call))

    async def observe(self, fn: Callable[[GraphStore], R]) -> R:
        """Run ``fn`` on the store thread for the operators (a metrics scrape): not counted as a
        store call, which counts what requests cost."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, self.store)

    async def write(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> tuple[R, str]:
        """:meth:`run` for a write: its result and the change-log position a read may then ask for
        (``X-Tagline-After``): that of the store's latest write when ``fn`` ended."""

        def written() -> tuple[R, str]:
            return fn(*args, **kwargs), self.store.last_write

        written.__name__ = _name(fn)  # the span is named after the work, not this wrapper
        return await self.run(written)

    def close(self) -> None:
        # A server restarts from the snapshot it leaves, whatever it applied since it started.
        self._readers.shutdown(wait=True)
        self._follower.shutdown(wait=True)
        for reader in (self._head, self._tail):
            if reader is not None:
                reader.con.close()
        self._executor.submit(self.store.close, 1).result()
        self._executor.shutdown(wait=True)


def _name(fn: Callable[..., object]) -> str:
    """What a span of ``fn``'s work is called: the function's own name."""
    return getattr(fn, "__name__", type(fn).__name__)
