"""Connections that do not send a request in time are closed, so idle and slow clients cannot hold
the server's sockets (a slow-loris attack: many connections, each sending its headers a byte at a
time, forever).

uvicorn closes a connection only when it stays idle after an answer (``timeout_keep_alive``); a
connection that never sends anything, or sends its request's headers slowly, it keeps for good.
:class:`HeadTimeoutProtocol` gives every request's head (request line and headers) a deadline,
counted from the connection's opening or its previous answer: past ``head_timeout_s`` without a
complete head, the connection is closed. The body has its own timeout (``api/http/request_limits.py``,
a pause of ``TAGLINE_BODY_TIMEOUT_SECONDS`` answers 408).
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from tagline.api.settings import Settings


class HeadTimeoutProtocol(H11Protocol):
    def __init__(self, *args: Any, head_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout_s = head_timeout_s
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        # A request's head is complete when uvicorn makes its scope (also for a WebSocket upgrade,
        # after which this protocol no longer reads the connection).
        before = self.scope
        super().handle_events()
        if self.scope is not before:
            self._head_arrived()

    def on_response_complete(self) -> None:
        # Armed before uvicorn reads a request that came pipelined behind this one, whose head
        # then disarms it at once.
        self._wait_for_head()
        super().on_response_complete()

    def _wait_for_head(self) -> None:
        self._head_arrived()
        self.head_deadline = self.loop.call_later(self.head_timeout_s, self._too_slow)

    def _head_arrived(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _too_slow(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def connection_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn is given, wherever Tagline is served, to drop idle and slow connections."""
    return {
        "http": functools.partial(HeadTimeoutProtocol, head_timeout_s=settings.head_timeout_seconds),
        "timeout_keep_alive": settings.keep_alive_seconds,
    }
