"""Errors that travel beside an answer: a traversal from something Tagline does not know answers
an empty graph (renderers need no special case) and says why in `errors`, with the field's path.

A look-up by name (`column`, `dataset`, `job`) answers `null` instead: asking whether something
exists is not an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

NOT_FOUND = "NOT_FOUND"


def report_not_found(info: Info[Any, None], message: str) -> None:
    """Add a NOT_FOUND error at the resolving field's path; its resolver still answers."""
    info.context.errors.append(GraphQLError(message, path=info.path.as_list(), extensions={"code": NOT_FOUND}))


class ReportedErrors(SchemaExtension):
    """Appends the errors resolvers reported to the result's errors."""

    def on_execute(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        reported = getattr(execution.context, "errors", None)
        result = execution.result
        if reported and result is not None:
            result.errors = [*(result.errors or []), *reported]
