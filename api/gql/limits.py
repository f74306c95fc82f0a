"""The document limits checked while validating: selection depth and aliases.

Made once per schema, not per request: the validation cache (strawberry's ``ValidationCache``) is
keyed by the rule classes, so rules made afresh for each request would make every document look
new and validate it again.

The depth limit counts every field, introspection's included: ``__schema { types { fields { type
{ fields ... } } } }`` expands like any other selection (strawberry's own limiter skips them).
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules
from strawberry.extensions.max_aliases import create_validator as aliases_rule


def depth_rule(max_depth: int) -> type[ASTValidationRule]:
    """A rule refusing operations whose selections nest deeper than ``max_depth`` fields."""

    class DepthLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            # Each fragment's depth once: a fragment spread everywhere is measured in linear time.
            depths: dict[str, int] = {}

            def depth(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> int:
                deepest = 0
                for node in selection_set.selections if selection_set else ():
                    if isinstance(node, FieldNode) and node.selection_set is not None:
                        deepest = max(deepest, 1 + depth(node.selection_set, visiting))
                    elif isinstance(node, InlineFragmentNode):
                        deepest = max(deepest, depth(node.selection_set, visiting))
                    elif isinstance(node, FragmentSpreadNode):
                        deepest = max(deepest, fragment_depth(node.name.value, visiting))
                return deepest

            def fragment_depth(name: str, visiting: frozenset[str]) -> int:
                # A cycle of fragments is another rule's error; it adds no depth here.
                if name in visiting or name not in fragments:
                    return 0
                if name not in depths:
                    depths[name] = depth(fragments[name].selection_set, visiting | {name})
                return depths[name]

            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    found = depth(definition.selection_set, frozenset())
                    if found > max_depth:
                        name = definition.name.value if definition.name else "anonymous"
                        message = f"'{name}' exceeds maximum operation depth of {max_depth} (TAGLINE_MAX_QUERY_DEPTH)"
                        context.report_error(GraphQLError(message, definition))

    return DepthLimit


def document_limits(max_depth: int, max_aliases: int) -> Sequence[type[ASTValidationRule]]:
    """The rule classes of one schema's limits, to be shared by every request."""
    return (depth_rule(max_depth), aliases_rule(max_aliases))


class DocumentLimits(AddValidationRules):
    """Adds the schema's shared limit rules to each request's validation."""

    def __init__(self, rules: Sequence[type[ASTValidationRule]]) -> None:
        super().__init__(list(rules))
