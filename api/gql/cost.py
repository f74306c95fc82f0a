"""What a GraphQL operation would cost, computed on the document before anything runs.

Depth, alias and token limits bound the document, not the work: fragments that spread each other
multiply a selection while staying small, and list fields multiply whatever they select. The cost
here is an estimate of how many objects an answer holds, with fragments expanded:

- every field costs 1, plus its own weight when it scans much of the graph (``health``...);
- a list field multiplies its selection by its size: ``first`` or ``last`` (the smaller when both
  are given, the default page when a connection is given neither), ``maxNodes``, ``days``, or
  the number of ``ids`` when the field takes one; for nested lineage, the fan-out of each hop walked, measured on the graph
  around the start column where the query names one (api/gql/fanout.py: the first nested level
  priced by the start's own hop, the next by the hop after it...), else ``EDGES_PER_HOP`` a hop; for
  introspection, the schema's own counts (its types, their mean fields, the fields' mean
  arguments...); else ``LIST_SIZE``;
- lists directly inside a field that was already sized (a connection's ``edges``, a lineage
  graph's ``nodes``) do not multiply again: the size argument bounds them.

Arguments are priced as execution will see them: coerced, with variables' and arguments'
defaults, so a depth sent as ``5.0`` or left to a variable's default costs what ``5`` costs.

Each fragment's cost is computed once per start column and hop, so even a document whose expansion is
astronomically large is priced in time linear in its length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension

from tagline.api.gql.context import Context
from tagline.api.gql.fanout import EDGES_PER_HOP, PROFILE_HOPS, Region
from tagline.api.gql.paging import DEFAULT_PAGE, RUNS_PAGE, SEARCH_PAGE
from tagline.graph.model import column_key
from tagline.graph.records import Direction

LIST_SIZE = 20
"""Assumed length of a list field that takes no size argument (a dataset's columns, a column's tags)."""
SIZE_ARGUMENTS = ("maxNodes", "days")
PAGE_ARGUMENTS = ("first", "last")
# Connections whose page, when neither `first` nor `last` is given, is smaller than DEFAULT_PAGE.
DEFAULT_PAGES: Mapping[tuple[str, str], int] = {("Query", "search"): SEARCH_PAGE, ("Job", "runsConnection"): RUNS_PAGE}
WEIGHTS: Mapping[tuple[str, str], int] = {
    # Whole-warehouse scans: the health report walks every dataset and job; violations and impact
    # walk the tagged part of the graph and everything downstream of a column.
    ("Query", "health"): 10_000,
    ("Query", "sensitivityViolations"): 1_000,
    ("Query", "impact"): 500,
    ("Query", "compareLineage"): 200,
    # A change review propagates over the changed columns' downstream and reads their datasets.
    ("Query", "previewChange"): 500,
    ("Query", "recommendDependencies"): 100,
    ("Query", "checkDependencies"): 100,
    ("Query", "datasetLineage"): 100,
    ("Query", "lineage"): 100,
    ("Query", "search"): 50,
}
# Fields that scan only when given an argument: `tags(asOf:)` propagates afresh over the column's
# whole upstream at that moment, as `impact` walks a column's downstream.
WEIGHTS_WHEN_GIVEN: Mapping[tuple[str, str, str], int] = {("Column", "tags", "asOf"): 500}
META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
COST_LIMIT = "COST_LIMIT"
REPORTED_COST_CAP = 10**15

# The start of a query's lineage: a column's key -> the region around it (None: not in the graph).
Regions = Callable[[str], Region | None]


@lru_cache(maxsize=8)
def introspection_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """The length of each list of introspection's answer, from the schema's own counts: all its
    types, and per type (or field, or directive) the mean number of what the list holds."""
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in with_fields for f in t.fields.values()]
    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    enums = [t for t in types if isinstance(t, GraphQLEnumType)]
    inputs = [t for t in types if isinstance(t, GraphQLInputObjectType)]

    def mean(total: int, over: int) -> int:
        return max(math.ceil(total / over), 1) if over else 1

    possible = sum(len(schema.get_possible_types(t)) for t in abstract)
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(schema.directives),
        # A type's list is asked of any type; priced as the mean of the types that have one.
        ("__Type", "fields"): mean(len(fields), len(with_fields)),
        ("__Type", "interfaces"): mean(sum(len(t.interfaces) for t in with_fields), len(with_fields)),
        ("__Type", "possibleTypes"): mean(possible, len(abstract)),
        ("__Type", "enumValues"): mean(sum(len(t.values) for t in enums), len(enums)),
        ("__Type", "inputFields"): mean(sum(len(t.fields) for t in inputs), len(inputs)),
        ("__Field", "args"): mean(sum(len(f.args) for f in fields), len(fields)),
        ("__Directive", "args"): mean(sum(len(d.args) for d in schema.directives), len(schema.directives)),
        ("__Directive", "locations"): mean(sum(len(d.locations) for d in schema.directives), len(schema.directives)),
    }


@dataclass(frozen=True)
class Place:
    """Where a selection is priced: the region of its root column, and how many nested hops
    upstream and downstream from that column its objects are."""

    region: Region
    up: int = 0
    down: int = 0

    def key(self) -> tuple[int, int, int]:
        return (id(self.region), min(self.up, PROFILE_HOPS), min(self.down, PROFILE_HOPS))

    def walk(self, upstream: bool, direct_only: bool, depth: int) -> tuple[int, Place]:
        """The edges a walk from here brings, and where the columns at its far ends are. A walk
        that turns back (upstream of columns reached downstream) leaves the measured side of the
        start: it is priced at ``EDGES_PER_HOP`` a hop."""
        direction: Direction
        if upstream:
            further = Place(self.region, self.up + 1, self.down)
            turned, direction, offset = self.down > 0, "in", self.up
        else:
            further = Place(self.region, self.up, self.down + 1)
            turned, direction, offset = self.up > 0, "out", self.down
        if turned:
            return depth * EDGES_PER_HOP, further
        return self.region.edges(direction, direct_only, offset, depth), further


@dataclass
class _Pricing:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues
    regions: Regions | None
    introspection: dict[tuple[str, str], int]
    prices: dict[tuple[str, bool, tuple[int, int, int] | None], int] = field(default_factory=dict)

    def selection(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, sized: bool, place: Place | None
    ) -> int:
        # An interface's or union's selection (`node(id:) { ... on Column { ... } }`) is priced
        # like an object's: its fields, and each inline fragment as its type condition says.
        if selection_set is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, sized, place)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection(node.selection_set, inner or parent, sized, place)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, sized, place)
        return total

    def fragment(self, name: str, sized: bool, place: Place | None) -> int:
        key = (name, sized, place.key() if place else None)
        if key not in self.prices:
            definition = self.fragments[name]
            parent = self.schema.get_type(definition.type_condition.name.value)
            self.prices[key] = self.selection(definition.selection_set, parent, sized, place) if parent else 0
        return self.prices[key]

    def field(
        self,
        node: FieldNode,
        parent: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType,
        sized: bool,
        place: Place | None,
    ) -> int:
        name = node.name.value
        is_root = parent is self.schema.query_type
        definition = META_FIELDS.get(name) if is_root else None
        if definition is None and not isinstance(parent, GraphQLUnionType):
            definition = parent.fields.get(name)
        if definition is None:  # __typename
            return 1
        arguments = self.arguments(definition, node)
        if is_root and name == "column":
            place = self.start(arguments)
        size, place = self.size(parent.name, name, arguments, place)
        listed = self.introspection.get((parent.name, name))
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        if size is not None:
            multiplier = size
        elif listed is not None:
            multiplier = listed
        else:
            multiplier = LIST_SIZE if is_list and not sized else 1
        inner = self.selection(node.selection_set, get_named_type(definition.type), size is not None, place)
        weight = WEIGHTS.get((parent.name, name), 0) + sum(
            w
            for (owner, field_name, argument), w in WEIGHTS_WHEN_GIVEN.items()
            if (owner, field_name) == (parent.name, name) and arguments.get(argument) is not None
        )
        return 1 + weight + multiplier * inner

    def arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as execution coerces them (defaults included); none where they
        do not coerce (execution then reports why)."""
        try:
            return get_argument_values(definition, node, self.variables)
        except GraphQLError:
            return {}

    def start(self, arguments: dict[str, Any]) -> Place | None:
        namespace, dataset, name = (arguments.get(n) for n in ("namespace", "dataset", "field"))
        if self.regions is None or not (
            isinstance(namespace, str) and isinstance(dataset, str) and isinstance(name, str)
        ):
            return None
        region = self.regions(column_key(namespace, dataset, name))
        return Place(region) if region else None

    def size(
        self, parent: str, name: str, arguments: dict[str, Any], place: Place | None
    ) -> tuple[int | None, Place | None]:
        """The list's size, if the field's arguments say it, and where its items are."""
        pages = [_integer(arguments.get(a)) for a in PAGE_ARGUMENTS if a in arguments]
        given = [p for p in pages if p is not None]
        if given:
            return max(min(given), 1), place
        if pages:  # a connection asked for neither: its default page
            return DEFAULT_PAGES.get((parent, name), DEFAULT_PAGE), place
        ids = arguments.get("ids")
        if isinstance(ids, list):
            return max(len(ids), 1), place
        for argument in SIZE_ARGUMENTS:
            value = _integer(arguments.get(argument))
            if value is not None:
                return max(value, 1), place
        depth = _integer(arguments.get("depth"))
        if parent == "Column" and name in ("upstream", "downstream") and depth is not None:
            depth = max(depth, 1)
            if place is None:
                return depth * EDGES_PER_HOP, None
            edges, further = place.walk(name == "upstream", arguments.get("directOnly") is True, depth)
            return edges, further
        return None, place


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    regions: Regions | None = None,
) -> int:
    """The estimated size of the answer to ``operation_name`` of ``document`` (0 if it names none,
    or if its variables do not coerce: execution refuses it then). ``regions`` finds the graph
    around a start column; without it, lineage is priced at ``EDGES_PER_HOP`` per hop."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if not isinstance(coerced, VariableValues):
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pricing = _Pricing(schema, fragments, coerced, regions, introspection_sizes(schema))
    return pricing.selection(operation.selection_set, root, sized=False, place=None)


def graph_regions(context: Context) -> Regions:
    """Start columns found in the request's store, each measured once per request."""
    found: dict[str, Region | None] = {}

    def region(key: str) -> Region | None:
        if key not in found:
            record = context.lookup(key)
            found[key] = Region(context.store.index, [record.id]) if record and isinstance(record.id, int) else None
        return found[key]

    return region


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
            regions = graph_regions(execution.context) if isinstance(execution.context, Context) else None
            cost = operation_cost(schema, document, execution.operation_name, execution.variables, regions)
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
