"""The request limits around every route, driven through the ASGI interface: body size, stalled
bodies, the time budget and a client hanging up, each stopping the request's work."""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
import time
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from tagline.api.http.request_limits import RequestLimits
from tagline.graph import deadline


class Exchange:
    """One HTTP request as a server would hand it to the app: messages in, messages out."""

    def __init__(self, messages: list[Message], pause_after: int | None = None, hang_up_after_s: float | None = None):
        self.messages = messages
        self.pause_after = pause_after
        self.hang_up_after_s = hang_up_after_s
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        if self.messages and (self.pause_after is None or self.pause_after > 0):
            if self.pause_after is not None:
                self.pause_after -= 1
            return self.messages.pop(0)
        if self.hang_up_after_s is not None:
            await asyncio.sleep(self.hang_up_after_s)
            return {"type": "http.disconnect"}
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        return next((m["status"] for m in self.sent if m["type"] == "http.response.start"), None)

    @property
    def body(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body"))


def scope(path: str = "/graphql", headers: dict[str, str] | None = None) -> Scope:
    return {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
        "query_string": b"",
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
    }


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await JSONResponse({"length": len(body)})(scope, receive, send)


def limited(app: Any, **overrides: float) -> RequestLimits:
    settings: dict[str, Any] = {"max_body_bytes": 1000, "body_timeout_s": 0.2, "request_timeout_s": 0.5, **overrides}
    return RequestLimits(app, **settings)


def run(app: RequestLimits, exchange: Exchange, request: Scope) -> None:
    asyncio.run(app(request, exchange.receive, exchange.send))


def test_a_body_within_the_limit_reaches_the_app() -> None:
    exchange = Exchange(
        [{"type": "http.request", "body": b"x" * 600, "more_body": True}, {"type": "http.request", "body": b"x" * 400}]
    )
    run(limited(echo), exchange, scope())
    assert exchange.status == 200 and exchange.body == {"length": 1000}


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    exchange = Exchange([{"type": "http.request", "body": b"x" * 2000}])
    run(limited(echo), exchange, scope(headers={"content-length": "2000"}))
    assert exchange.status == 413 and "TAGLINE_MAX_BODY_BYTES" in exchange.body["errors"][0]["message"]
    assert exchange.messages, "the body was not read"


def test_a_streamed_body_is_refused_once_it_passes_the_limit() -> None:
    chunks = [{"type": "http.request", "body": b"x" * 400, "more_body": True} for _ in range(10)]
    exchange = Exchange(chunks)
    run(limited(echo), exchange, scope())
    assert exchange.status == 413
    assert len(exchange.messages) == 7, "reading stopped at the third chunk, over 1,000 bytes"


def test_a_stalled_body_times_out() -> None:
    exchange = Exchange([{"type": "http.request", "body": b"{", "more_body": True}], pause_after=1)
    run(limited(echo), exchange, scope())
    assert exchange.status == 408 and exchange.body["errors"][0]["extensions"]["code"] == "BODY_TIMEOUT"


def test_a_slow_answer_is_abandoned_and_its_thread_work_stops() -> None:
    stopped = threading.Event()

    def scan() -> None:
        try:
            while True:
                deadline.check()
                time.sleep(0.01)
        except deadline.OutOfTime:
            stopped.set()
            raise

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await asyncio.get_running_loop().run_in_executor(None, contextvars.copy_context().run, scan)

    exchange = Exchange([{"type": "http.request", "body": b"{}"}])
    run(limited(slow), exchange, scope())
    assert exchange.status == 503 and exchange.body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert stopped.wait(60), "the scan on the other thread stopped at its next check"


def written_after(pause_s: float, committed: list[bool]) -> Any:
    """An app whose store work commits, then goes on for ``pause_s`` (or waits first, then commits)."""

    def write() -> None:
        if pause_s < 0:
            time.sleep(-pause_s)
        try:
            deadline.before_commit()
        except deadline.Abandoned:
            committed.append(False)
            raise
        committed.append(True)
        time.sleep(max(pause_s, 0))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await asyncio.get_running_loop().run_in_executor(None, contextvars.copy_context().run, write)
        await JSONResponse({"written": True}, 201)(scope, receive, send)

    return app


def test_a_write_that_committed_before_the_time_ran_out_is_answered_not_abandoned() -> None:
    committed: list[bool] = []
    exchange = Exchange([{"type": "http.request", "body": b"{}"}])
    run(limited(written_after(3, committed), request_timeout_s=1), exchange, scope())
    assert committed == [True] and exchange.status == 201


def test_a_write_still_running_when_the_time_ran_out_is_rolled_back() -> None:
    committed: list[bool] = []
    exchange = Exchange([{"type": "http.request", "body": b"{}"}])
    run(limited(written_after(-1, committed), request_timeout_s=0.2), exchange, scope())
    assert exchange.status == 503 and exchange.body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    for _ in range(600):  # the abandoned work ends on its own thread
        if committed:
            break
        time.sleep(0.05)
    assert committed == [False], "the write was refused its commit"


def test_a_client_hanging_up_cancels_the_work() -> None:
    cancelled = asyncio.Event()

    async def waits(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    exchange = Exchange([{"type": "http.request", "body": b"{}"}], hang_up_after_s=0.1)
    app = limited(waits, request_timeout_s=5)

    async def go() -> None:
        await app(scope(), exchange.receive, exchange.send)
        assert cancelled.is_set()

    asyncio.run(go())
    assert exchange.status is None, "nobody to answer"


def test_health_is_exempt() -> None:
    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(0.7)
        await JSONResponse({"status": "ok"})(scope, receive, send)

    exchange = Exchange([])
    run(limited(slow), exchange, {**scope("/healthz"), "method": "GET"})
    assert exchange.status == 200


@pytest.mark.parametrize("path", ["/graphql", "/api/v1/lineage"])
def test_every_other_route_is_bounded(path: str) -> None:
    exchange = Exchange([{"type": "http.request", "body": b"x" * 5000}])
    run(limited(echo), exchange, scope(path, {"content-length": "5000"}))
    assert exchange.status == 413
