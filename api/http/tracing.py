"""A server span for every HTTP request (continuing the client's trace when it sends
``traceparent``), named by the route as the metrics name it, so span names stay few whatever
clients ask for. See api/services/tracing.py."""

from __future__ import annotations

from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagline.api.services import request_ids
from tagline.api.services.tracing import tracer


class TracingMiddleware:
    def __init__(self, app: ASGIApp, known_paths: frozenset[str]) -> None:
        self.app = app
        self.known_paths = known_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        route = scope["path"] if scope["path"] in self.known_paths else "other"
        attributes = {
            "http.request.method": scope["method"],
            "http.route": route,
            "tagline.request_id": request_ids.current.get() or "",
        }
        with tracer.start_as_current_span(
            f"{scope['method']} {route}",
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:

            async def record_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            await self.app(scope, receive, record_status)
