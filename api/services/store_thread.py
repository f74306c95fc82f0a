"""Runs every store call of the server on one dedicated thread, and keeps the lineage index
current.

SQLite connections belong to the thread that opened them, and the Gremlin driver blocks; keeping
the store on its own thread lets the event loop go on serving while a write runs. Lineage reads
do not come here: the index answers them on the event loop. The index is loaded before the server
answers anything, and :meth:`StoreThread.follow` applies what other processes write (a CLI
ingest, another replica) within ``interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from tagline.graph.store import GraphStore

log = logging.getLogger("tagline.store")
P = ParamSpec("P")
R = TypeVar("R")


class StoreThread:
    def __init__(self, location: str, on_call: Callable[[], None] = lambda: None) -> None:
        self._on_call = on_call
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagline-store")
        # Whole-warehouse questions answered by the index alone (health, impact, dependencies):
        # off the event loop, and not queued behind a long write on the store thread.
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tagline-read")
        self.store: GraphStore = self._executor.submit(self._open, location).result()

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
        return await asyncio.get_running_loop().run_in_executor(self._readers, lambda: context.run(fn, *args, **kwargs))

    async def follow(self, interval: float) -> None:
        """Apply the change log's tail every ``interval`` seconds, until cancelled. A failed read
        (the store away for a moment) is tried again at the next turn."""
        while True:
            await asyncio.sleep(interval)
            try:
                # Not counted as a store call: those count what requests cost.
                await asyncio.get_running_loop().run_in_executor(self._executor, self.store.sync)
            except Exception as exc:
                log.warning("could not read the change log: %s", exc)

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        self._on_call()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        # A server restarts from the snapshot it leaves, whatever it applied since it started.
        self._readers.shutdown(wait=True)
        self._executor.submit(self.store.close, 1).result()
        self._executor.shutdown(wait=True)
