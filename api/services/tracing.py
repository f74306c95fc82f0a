"""Traces: a span for each HTTP request, each GraphQL operation and each piece of store work,
exported over OTLP/HTTP when ``TAGLINE_OTEL_ENDPOINT`` names a collector, and nothing (the API's
no-op spans) otherwise.

A span is the current one in the same context variables that carry the request id, and the
request's work runs in copies of its context (GraphQL's worker threads, the store thread, the
index readers), so the spans of that work are children of the request's span, and the request's
span continues the trace of a client that sent ``traceparent``. The SDK and the exporter are the
optional extra ``otel`` (``pip install 'tagline[otel]'``); only the API is a dependency.
"""

from __future__ import annotations

from collections.abc import Callable

from opentelemetry import trace

tracer = trace.get_tracer("tagline")


def configure_tracing(endpoint: str | None, service_name: str = "tagline") -> Callable[[], None]:
    """Export this process's spans to the OTLP/HTTP collector at ``endpoint`` (``/v1/traces`` under
    it); what flushes the spans still held and stops. Nothing when ``endpoint`` is None."""
    if not endpoint:
        return lambda: None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise RuntimeError(
            "TAGLINE_OTEL_ENDPOINT is set but the OpenTelemetry SDK is not installed: pip install 'tagline[otel]'"
        ) from exc
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider.shutdown
