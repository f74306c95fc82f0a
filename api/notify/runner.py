"""Running the notifier: in the background of `tagline serve` (an asyncio task: derivation on the
store's thread, deliveries on a thread of their own; cancelled at shutdown after the round in
hand), or in the foreground of `tagline notify run` until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor

from tagline.api.notify.notifier import Notifier, enabled
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings, load_policy
from tagline.graph.store import GraphStore

log = logging.getLogger("tagline.notify")


def one_round(notifier: Notifier, store: GraphStore) -> None:
    notifier.derive(store)
    while notifier.deliver():
        pass


def run_until(settings: Settings, store: GraphStore, stopped: Callable[[], bool]) -> None:
    """`tagline notify run`: rounds every ``notify_poll_seconds`` until ``stopped()``."""
    notifier = Notifier(settings, load_policy(settings))
    try:
        while not stopped():
            if notifier.claim():
                one_round(notifier, store)
            _sleep(settings.notify_poll_seconds, stopped)
    finally:
        notifier.close()


def _sleep(seconds: float, stopped: Callable[[], bool]) -> None:
    import time

    until = time.monotonic() + seconds
    while not stopped() and time.monotonic() < until:
        time.sleep(min(0.1, seconds))


class Background:
    """The server's notifier: a round every ``notify_poll_seconds``; a round under way when the
    server stops is finished (a delivery is not cut off halfway), none is started after."""

    def __init__(self, settings: Settings, thread: StoreThread) -> None:
        self.settings, self.thread = settings, thread
        self.sending = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tagline-notify")
        self.notifier: Notifier | None = None
        self.stopping = False

    async def _round(self) -> None:
        loop = asyncio.get_running_loop()
        if self.notifier is None:
            if not enabled(self.settings):
                return
            policy = load_policy(self.settings)
            self.notifier = await loop.run_in_executor(self.sending, Notifier, self.settings, policy)
        notifier = self.notifier
        if not notifier.claim():
            return
        await self.thread.run(notifier.derive, self.thread.store)
        if self.stopping:
            return
        while not self.stopping and await loop.run_in_executor(self.sending, notifier.deliver) > 0:
            pass

    async def first(self) -> None:
        if enabled(self.settings):
            loop = asyncio.get_running_loop()
            policy = load_policy(self.settings)
            self.notifier = await loop.run_in_executor(self.sending, Notifier, self.settings, policy)
            await self.thread.run(self.notifier.begin, self.thread.store)

    async def run(self) -> None:
        while True:
            current = asyncio.ensure_future(self._round())
            try:
                await asyncio.shield(current)
            except asyncio.CancelledError:
                self.stopping = True
                await asyncio.wait([current])
                raise
            except Exception:
                log.exception("notifications: a round failed; the next one tries again")
            await asyncio.sleep(self.settings.notify_poll_seconds)

    def close(self) -> None:
        if self.notifier is not None:
            self.sending.submit(self.notifier.close).result()
        self.sending.shutdown(wait=True)


@contextlib.asynccontextmanager
async def notifying(settings: Settings, thread: StoreThread) -> AsyncIterator[None]:
    """The notifier in the background of a server, for as long as the context lasts."""
    background = Background(settings, thread)
    # Before the server answers, a first start marks where the change log stands: a change made
    # as soon as the server is up is notified, not taken for the past.
    try:
        await background.first()
    except Exception:
        log.exception("notifications: the first round failed; the next one tries again")
    task = asyncio.create_task(background.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        background.close()
