"""Prometheus metrics: request counts and latency per route, and the domain's metrics
(api/services/domain_metrics.py, the store's gauges read at each scrape), served at GET /metrics."""

from __future__ import annotations

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tagline.api.http.app_state import store_thread
from tagline.api.services import domain_metrics

log = logging.getLogger("tagline.metrics")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tagline_http_requests_total", "HTTP requests", ["method", "path", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "tagline_http_request_seconds", "HTTP request latency", ["method", "path"], registry=self.registry
        )

        self.store_calls = Counter(
            "tagline_store_calls_total",
            "Round trips from the API to the store (a nested lineage query costs one per level)",
            registry=self.registry,
        )

    async def endpoint(self, request: Request) -> Response:
        try:
            await store_thread(request.app).observe(domain_metrics.observe_store)
        except Exception as exc:  # the store away: the rest of the metrics say so, and still answer
            log.warning("metrics: could not read the store's gauges: %s", exc)
        body = generate_latest(self.registry) + generate_latest(domain_metrics.REGISTRY)
        return Response(body, media_type=CONTENT_TYPE_LATEST)


# Any other method a client makes up is counted as OTHER: a label value per made-up method would
# grow /metrics without bound.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Counts every HTTP request; paths are the app's own routes and methods the standard ones, so
    label cardinality stays small whatever clients send."""

    def __init__(self, app: ASGIApp, metrics: Metrics, known_paths: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.known_paths = known_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"] if scope["path"] in self.known_paths else "other"
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        status = {"code": 500}

        async def record_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, record_status)
        finally:
            self.metrics.latency.labels(method, path).observe(time.perf_counter() - started)
            self.metrics.requests.labels(method, path, str(status["code"])).inc()
