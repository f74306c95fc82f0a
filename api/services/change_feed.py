"""The change log, pushed to subscribers: what feeds GraphQL subscriptions.

Every write, by this server or by any other process (a `tagline ingest` beside it, another
replica), appends to the store's change log; the feed follows the log from where it stood when
the server started, and hands each batch of changes to every open subscription. While any is
open it looks every ``poll_s`` seconds: on the embedded store one indexed read on a connection of
its own (the log's tail after the feed's position, usually empty), on a Gremlin Server a read of
the log on the store thread. Before a batch goes out the lineage index is brought up to it, so a
subscriber resolving what changed (a column's tags, a dataset's columns) reads it as it now is.

Each API key may hold ``limit`` subscriptions at once; one more is refused with
``SUBSCRIPTION_LIMIT``. A subscriber that falls ``QUEUE_BATCHES`` batches behind is ended with
``SUBSCRIPTION_BEHIND`` rather than held in memory without bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tagline.api.auth import Identity
from tagline.api.services.store_thread import StoreThread
from tagline.errors import TaglineError, Unavailable
from tagline.graph.store import Change, ChangesRead

log = logging.getLogger("tagline.subscriptions")
QUEUE_BATCHES = 1000


class SubscriptionLimit(TaglineError):
    code = "SUBSCRIPTION_LIMIT"


class SubscriberBehind(Unavailable):
    code = "SUBSCRIPTION_BEHIND"


@dataclass(frozen=True)
class Batch:
    """Changes read from the log, and the log position after them (as a write's answer gives it)."""

    changes: list[Change]
    position: str


class ChangeFeed:
    def __init__(self, thread: StoreThread, poll_s: float, limit: int) -> None:
        self.thread = thread
        self.poll_s = poll_s
        self.limit = limit
        store = thread.store
        self._reader = store.log_reader()
        self._position: object = store.index.position
        self._queues: dict[asyncio.Queue[Batch | None], str] = {}
        self._polling: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagline-feed")

    def open_for(self, identity: Identity) -> int:
        return sum(1 for name in self._queues.values() if name == identity.name)

    def open(self, identity: Identity) -> asyncio.Queue[Batch | None]:
        """A place among the subscribers, counted against the caller's key at once (so a refusal
        comes before the subscription starts); :meth:`batches` reads it and gives it back."""
        if self.open_for(identity) >= self.limit:
            raise SubscriptionLimit(
                f"{identity.name} already holds {self.limit} subscriptions, the most one API key may "
                "(TAGLINE_MAX_SUBSCRIPTIONS_PER_KEY): close one first"
            )
        queue: asyncio.Queue[Batch | None] = asyncio.Queue(QUEUE_BATCHES)
        self._queues[queue] = identity.name
        if self._polling is None or self._polling.done():
            self._polling = asyncio.create_task(self._poll())
        return queue

    async def batches(self, queue: asyncio.Queue[Batch | None]) -> AsyncIterator[Batch]:
        """Every batch of changes written since ``queue`` was opened, until the caller stops."""
        try:
            while True:
                batch = await queue.get()
                if batch is None:
                    raise SubscriberBehind(
                        f"this subscription fell {QUEUE_BATCHES} batches of changes behind and was ended: "
                        "subscribe again, and read what changed meanwhile with a query"
                    )
                yield batch
        finally:
            self.release(queue)

    def release(self, queue: asyncio.Queue[Batch | None]) -> None:
        """Give a place back (the end of :meth:`batches` does)."""
        self._queues.pop(queue, None)

    async def _poll(self) -> None:
        while self._queues:
            await asyncio.sleep(self.poll_s)
            try:
                read = await self._read()
                while read.changes or read.position != self._position:
                    self._position = read.position
                    if read.changes:
                        await self.thread.catch_up()
                        self._publish(Batch(read.changes, str(read.position)))
                    if not read.more:
                        break
                    read = await self._read()
            except Exception as exc:  # the store away for a moment: tried again at the next turn
                log.warning("subscriptions could not read the change log: %s", exc)

    async def _read(self) -> ChangesRead:
        store = self.thread.store
        if self._reader is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, store.changes_after, self._position, self._reader)
        return await self.thread.run(store.changes_after, self._position)

    def _publish(self, batch: Batch) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(batch)
            except asyncio.QueueFull:
                with contextlib.suppress(asyncio.QueueEmpty):
                    while True:
                        queue.get_nowait()
                queue.put_nowait(None)

    async def close(self) -> None:
        if self._polling is not None:
            self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        self._executor.shutdown(wait=True)
