"""Runs every store call of the server on one dedicated thread.

SQLite connections belong to the thread that opened them, and the Gremlin driver blocks; keeping
the store on its own thread lets the event loop go on serving while a traversal runs, and
DataLoaders batch the calls of one resolver level into one trip to that thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from tagline.graph.store import GraphStore

P = ParamSpec("P")
R = TypeVar("R")


class StoreThread:
    def __init__(self, location: str, on_call: Callable[[], None] = lambda: None) -> None:
        self._on_call = on_call
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagline-store")
        self.store: GraphStore = self._executor.submit(GraphStore, location).result()

    async def run(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        self._on_call()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    def close(self) -> None:
        self._executor.submit(self.store.close).result()
        self._executor.shutdown(wait=True)
