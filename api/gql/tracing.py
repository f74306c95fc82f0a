"""A span for each GraphQL operation, a child of the request's (it runs on a worker thread in a
copy of the request's context: api/gql/off_loop.py). See api/services/tracing.py."""

from __future__ import annotations

from collections.abc import Iterator

from opentelemetry import context, trace
from strawberry.extensions import SchemaExtension

from tagline.api.services.tracing import tracer


class OperationSpan(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        span = tracer.start_span("GraphQL operation")
        token = context.attach(trace.set_span_in_context(span))
        try:
            yield
        finally:
            execution = self.execution_context
            name = execution.operation_name
            try:
                kind = execution.operation_type.value
            except Exception:  # refused before it ran: no document (too many tokens...), no such operation
                kind = "operation"
            span.update_name(f"GraphQL {kind}" + (f" {name}" if name else ""))
            if name:
                span.set_attribute("graphql.operation.name", name)
            span.set_attribute("graphql.operation.type", kind)
            context.detach(token)
            span.end()
