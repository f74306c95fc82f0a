"""Every HTTP request gets an id: the client's ``X-Request-Id`` when it sends a sensible one, else a
new one. It is set in the request's context before anything else runs, so every log line written
for the request carries it (api/services/log_format.py), and answered in ``X-Request-Id`` so a client
can quote it."""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagline.api.services import request_ids


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = request_ids.request_id_of(Headers(scope=scope).get(request_ids.HEADER))
        token = request_ids.current.set(request_id)

        async def answer_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[request_ids.HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, answer_with_id)
        finally:
            request_ids.current.reset(token)
