"""The nested-lineage renderer overrides one method of graphql-core's executor, reached through
strawberry's execution context: these tests fail, with the reason, when an upgrade moves it."""

from __future__ import annotations

import inspect

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from tagline.api.gql.lineage_render import PrerenderingExecutionContext


def _declared_complete_value(cls: type) -> tuple[type, inspect.Signature]:
    for klass in cls.__mro__[1:]:
        if "complete_value" in vars(klass):
            return klass, inspect.signature(klass.complete_value)
    raise AssertionError(f"no complete_value on {cls.__name__}'s bases: graphql-core no longer completes values there")


def test_the_executor_still_completes_values_with_the_signature_the_renderer_overrides() -> None:
    owner, theirs = _declared_complete_value(PrerenderingExecutionContext)
    ours = inspect.signature(PrerenderingExecutionContext.complete_value)
    assert list(theirs.parameters) == list(ours.parameters), (
        f"{owner.__module__}.{owner.__name__}.complete_value{theirs} no longer matches the override in "
        f"api/gql/lineage_render.py{ours}: prerendered lineage would be completed field by field or fail; "
        "adapt the override and the graphql-core range in pyproject.toml"
    )


def test_the_renderer_extends_strawberrys_execution_context() -> None:
    assert issubclass(PrerenderingExecutionContext, StrawberryGraphQLCoreExecutionContext), (
        "strawberry's execution context must stay the base: it carries strawberry's own extensions"
    )
