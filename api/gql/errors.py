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

from tagline.errors import NotFound, TaglineError

NOT_FOUND = NotFound.code


def report_not_found(info: Info[Any, None], message: str) -> None:
    """Add a NOT_FOUND error at the resolving field's path; its resolver still answers."""
    info.context.errors.append(GraphQLError(message, path=info.path.as_list(), extensions={"code": NOT_FOUND}))


class ReportedErrors(SchemaExtension):
    """Appends the errors resolvers reported to the result's errors, and gives each error a
    resolver raised as a :class:`~tagline.errors.TaglineError` its kind's ``code``."""

    def on_execute(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        reported = getattr(execution.context, "errors", None)
        result = execution.result
        if result is None:
            return
        for error in result.errors or ():
            if isinstance(error.original_error, TaglineError):
                error.extensions = {**(error.extensions or {}), "code": error.original_error.code}
        if reported:
            result.errors = [*(result.errors or []), *reported]
