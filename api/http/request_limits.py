"""Bounds on every HTTP request, so that no single request can hold the server.

- A body over ``max_body_bytes`` is refused with 413: at once when ``Content-Length`` says so, else
  as soon as that many bytes have arrived, never after reading it whole.
- A client that stops sending its body for ``body_timeout_s`` gets 408.
- An answer not ready within ``request_timeout_s`` is abandoned with 503: the request's work is
  cancelled, the long loops it was running on other threads stop at their next check of the
  request's deadline, and a write it started is rolled back instead of committed
  (:mod:`tagline.graph.deadline`). A request whose write committed first is not abandoned: it is
  answered when its work ends, so a 503 TIMEOUT always means nothing of the request landed.
- A client that hangs up before its answer cancels the request's work the same way.

``/healthz`` is exempt: liveness must answer whatever the other requests do.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagline.api.problems import refusal
from tagline.graph import deadline

EXEMPT = frozenset({"/healthz"})


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


@dataclass
class _Exchange:
    """One request's body stream and whether its answer has begun."""

    receive: Receive
    limits: RequestLimits
    received: int = 0
    body_done: asyncio.Event = field(default_factory=asyncio.Event)
    disconnected: asyncio.Future[Message] = field(default_factory=lambda: asyncio.get_running_loop().create_future())
    started: bool = False

    async def next_message(self) -> Message:
        """What the app receives: the body in bounded time and size, then (only) the disconnect."""
        if self.body_done.is_set():
            return await asyncio.shield(self.disconnected)
        try:
            message = await asyncio.wait_for(self.receive(), self.limits.body_timeout_s)
        except TimeoutError:
            raise _Refused(
                408,
                "BODY_TIMEOUT",
                f"the request body stalled for {self.limits.body_timeout_s:g} s (TAGLINE_BODY_TIMEOUT_SECONDS)",
            ) from None
        if message["type"] == "http.disconnect":
            self.body_done.set()
            self.disconnected.set_result(message)
        elif message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limits.max_body_bytes:
                raise _Refused(413, "BODY_TOO_LARGE", self.limits.too_large())
            if not message.get("more_body", False):
                self.body_done.set()
        return message

    async def watch_for_disconnect(self) -> None:
        """After the body, the next message from the server can only be the client hanging up."""
        await self.body_done.wait()
        if not self.disconnected.done():
            self.disconnected.set_result(await self.receive())


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_s: float, request_timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s
        self.request_timeout_s = request_timeout_s

    def too_large(self) -> str:
        return f"the request body is over {self.max_body_bytes:,} bytes (TAGLINE_MAX_BODY_BYTES)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await _refuse(scope, receive, send, _Refused(413, "BODY_TOO_LARGE", self.too_large()))
            return
        exchange = _Exchange(receive, self)
        gate = deadline.Gate()

        async def tracked_send(message: Message) -> None:
            exchange.started = True
            await send(message)

        async def answer() -> None:
            with deadline.budget(self.request_timeout_s, gate):
                await self.app(scope, exchange.next_message, tracked_send)

        work = asyncio.ensure_future(answer())
        watcher = asyncio.ensure_future(exchange.watch_for_disconnect())
        try:
            pending: set[asyncio.Future[Any]] = {work, exchange.disconnected}
            await asyncio.wait(pending, timeout=self.request_timeout_s, return_when=asyncio.FIRST_COMPLETED)
            if not work.done() and not gate.abandon():
                # A write of the request committed before the time ran out: its answer is the truth.
                await asyncio.wait({work})
        finally:
            watcher.cancel()
        if work.done():
            refused = work.exception()
            if isinstance(refused, _Refused):
                if not exchange.started:
                    await _refuse(scope, receive, send, refused)
                return
            # Work that noticed its deadline itself (a scan on a reader thread) may end a moment
            # before the timer here does: the same answer.
            if not isinstance(refused, deadline.OutOfTime) or exchange.started or not gate.abandon():
                work.result()  # anything else is the app's failure: raise it for the error middleware
                return
        else:
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
        if not exchange.disconnected.done() and not exchange.started:
            message = (
                f"the answer took longer than {self.request_timeout_s:g} s (TAGLINE_REQUEST_TIMEOUT_SECONDS) "
                "and was abandoned: ask for less (smaller pages, less depth)"
            )
            await _refuse(scope, receive, send, _Refused(503, "TIMEOUT", message))


async def _refuse(scope: Scope, receive: Receive, send: Send, refused: _Refused) -> None:
    """A problem document (in GraphQL's shape as well on /graphql), with the status."""
    headers = {"Connection": "close"} if refused.status in (408, 413) else None
    await refusal(scope, refused.status, refused.code, str(refused), headers)(scope, receive, send)
