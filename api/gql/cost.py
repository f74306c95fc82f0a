"""What a GraphQL operation would cost, computed on the document before anything runs.

Depth, alias and token limits bound the document, not the work: fragments that spread each other
multiply a selection while staying small, and list fields multiply whatever they select. The cost
here is an estimate of how many objects an answer holds, with fragments expanded:

- every field costs 1, plus its own weight when it scans much of the graph (``health``...);
- a list field multiplies its selection by its size: ``first``, ``maxNodes`` or ``days`` when the
  field takes one, ``depth`` x ``EDGES_PER_HOP`` for nested lineage, else ``LIST_SIZE``;
- lists directly inside a field that was already sized (a connection's ``edges``, a lineage
  graph's ``nodes``) do not multiply again: the size argument bounds them.

Each fragment's cost is computed once, so even a document whose expansion is astronomically large
is priced in time linear in its length.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

LIST_SIZE = 20
"""Assumed length of a list field that takes no size argument (a dataset's columns, a column's tags)."""
EDGES_PER_HOP = 10
"""Assumed edges per hop of nested lineage (`upstream(depth:)`, `downstream(depth:)`)."""
SIZE_ARGUMENTS = ("first", "maxNodes", "days")
WEIGHTS: Mapping[tuple[str, str], int] = {
    # Whole-warehouse scans: the health report walks every dataset and job; violations and impact
    # walk the tagged part of the graph and everything downstream of a column.
    ("Query", "health"): 10_000,
    ("Query", "sensitivityViolations"): 1_000,
    ("Query", "impact"): 500,
    ("Query", "recommendDependencies"): 100,
    ("Query", "checkDependencies"): 100,
    ("Query", "datasetLineage"): 100,
    ("Query", "lineage"): 100,
    ("Query", "search"): 50,
}
COST_LIMIT = "COST_LIMIT"
REPORTED_COST_CAP = 10**15


@dataclass
class _Pricing:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    prices: dict[str, int] = field(default_factory=dict)

    def selection(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, sized: bool) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType):
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, sized)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection(node.selection_set, inner or parent, sized)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, sized)
        return total

    def fragment(self, name: str, sized: bool) -> int:
        key = f"{name}:{sized}"
        if key not in self.prices:
            definition = self.fragments[name]
            parent = self.schema.get_type(definition.type_condition.name.value)
            self.prices[key] = self.selection(definition.selection_set, parent, sized) if parent else 0
        return self.prices[key]

    def field(self, node: FieldNode, parent: GraphQLObjectType, sized: bool) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename and introspection's meta-fields
            # The schema's own description is as large as the schema, whatever the data: a
            # tool's introspection query (GraphiQL's, an IDE's) costs one like any field.
            return 1
        size = self.size(definition, node)
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        multiplier = size if size is not None else (LIST_SIZE if is_list and not sized else 1)
        inner = self.selection(node.selection_set, get_named_type(definition.type), sized=size is not None)
        return 1 + WEIGHTS.get((parent.name, name), 0) + multiplier * inner

    def size(self, definition: GraphQLField, node: FieldNode) -> int | None:
        for name in SIZE_ARGUMENTS:
            value = self.integer(definition, node, name)
            if value is not None:
                return max(value, 1)
        depth = self.integer(definition, node, "depth")
        if node.name.value in ("upstream", "downstream") and depth is not None:
            return max(depth, 1) * EDGES_PER_HOP
        return None

    def integer(self, definition: GraphQLField, node: FieldNode, name: str) -> int | None:
        """An integer argument as written, from a variable, or its default (``None``: not an integer)."""
        if name not in definition.args:
            return None
        given = next((a.value for a in node.arguments or () if a.name.value == name), None)
        if isinstance(given, IntValueNode):
            value: Any = int(given.value)
        elif isinstance(given, VariableNode):
            value = self.variables.get(given.name.value)
        else:
            value = definition.args[name].default_value
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def operation_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> int:
    """The estimated size of the answer to ``operation_name`` of ``document`` (0 if it names none)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return _Pricing(schema, fragments, variables or {}).selection(operation.selection_set, root, sized=False)


class CostBudget(SchemaExtension):
    """Refuses, before execution, an operation whose cost is over ``budget``."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.result is None:
            schema = execution.schema._schema
            cost = operation_cost(schema, document, execution.operation_name, execution.variables)
            if cost > self.budget:
                # An expansion can be astronomically large: say "over 10^15" rather than 40 digits.
                cost = min(cost, REPORTED_COST_CAP)
                shown = f"over {REPORTED_COST_CAP:,}" if cost == REPORTED_COST_CAP else f"{cost:,}"
                message = (
                    f"this operation would cost {shown}, over the budget of {self.budget:,} "
                    "(TAGLINE_MAX_QUERY_COST): ask for smaller pages, less depth or fewer fields"
                )
                error = GraphQLError(message, extensions={"code": COST_LIMIT, "cost": cost, "budget": self.budget})
                execution.result = ExecutionResult(data=None, errors=[error])
        yield
