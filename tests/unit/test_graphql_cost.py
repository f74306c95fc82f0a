"""The cost of a GraphQL operation, priced on the document with its fragments expanded."""

from __future__ import annotations

import time

import pytest
from graphql import GraphQLSchema, get_introspection_query, parse

from tagline.api.gql.cost import LIST_SIZE, WEIGHTS, WEIGHTS_WHEN_GIVEN, operation_cost
from tagline.api.gql.fanout import EDGES_PER_HOP
from tagline.api.gql.paging import DEFAULT_PAGE
from tagline.api.gql.schema import build_schema
from tagline.api.settings import Settings


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def cost(schema: GraphQLSchema, document: str, variables: dict[str, object] | None = None) -> int:
    return operation_cost(schema, parse(document), None, variables)


def test_a_field_costs_one_and_a_scan_costs_its_weight(schema: GraphQLSchema) -> None:
    assert cost(schema, '{ column(namespace: "n", dataset: "d", field: "f") { field } }') == 2
    assert cost(schema, "{ health { days } }") == 1 + WEIGHTS[("Query", "health")] + 1


def test_past_tags_cost_their_weight_and_current_ones_do_not(schema: GraphQLSchema) -> None:
    document = 'query($at: DateTime) { column(namespace: "n", dataset: "d", field: "f") { tags(asOf: $at) { name } } }'
    current = cost(schema, document, {"at": None})
    assert current == 1 + 1 + LIST_SIZE * 1
    past = cost(schema, document, {"at": "2026-05-01T00:00:00Z"})
    assert past == current + WEIGHTS_WHEN_GIVEN[("Column", "tags", "asOf")]


def test_nested_lineage_multiplies_by_depth(schema: GraphQLSchema) -> None:
    one = cost(schema, '{ column(namespace: "n", dataset: "d", field: "f") { upstream(depth: 1) { expression } } }')
    three = cost(schema, '{ column(namespace: "n", dataset: "d", field: "f") { upstream(depth: 3) { expression } } }')
    assert one == 1 + 1 + EDGES_PER_HOP * 1
    assert three == 1 + 1 + 3 * EDGES_PER_HOP * 1


def test_a_connection_is_sized_by_first_once_not_again_by_its_edges(schema: GraphQLSchema) -> None:
    page = cost(schema, '{ search(query: "x", first: 7) { edges { node { name } } } }')
    assert page == 1 + WEIGHTS[("Query", "search")] + 7 * (1 + 1 + 1)


def test_last_is_priced_like_first_and_the_smaller_of_both_wins(schema: GraphQLSchema) -> None:
    def page(args: str) -> int:
        return cost(schema, f"{{ namespacesConnection({args}) {{ edges {{ node {{ name }} }} }} }}")

    assert page("last: 7") == page("first: 7") == 1 + 7 * (1 + 1 + 1)
    assert page("first: 300, last: 7") == page("first: 7")
    assert page("after: null") == 1 + DEFAULT_PAGE * 3  # neither: the default page


def test_nodes_is_priced_by_how_many_ids_it_is_given(schema: GraphQLSchema) -> None:
    document = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost(schema, document, {"ids": ["a"] * 300}) == 1 + 300 * 1
    assert cost(schema, document, {"ids": ["a", "b"]}) == 1 + 2 * 1


def test_what_is_asked_of_a_node_is_priced_as_its_type_says(schema: GraphQLSchema) -> None:
    walk = '{ node(id: "c") { id ... on Column { downstream(depth: 3) { expression } } } }'
    assert cost(schema, walk) == 1 + 1 + (1 + 3 * EDGES_PER_HOP * 1)


def test_variables_and_defaults_size_lists(schema: GraphQLSchema) -> None:
    document = 'query($n: Int!) { search(query: "x", first: $n) { edges { cursor } } }'
    assert cost(schema, document, {"n": 100}) > cost(schema, document, {"n": 10})
    default = cost(schema, '{ search(query: "x") { edges { cursor } } }')
    assert default == 1 + WEIGHTS[("Query", "search")] + 20 * 2  # `first` defaults to 20


def test_an_unsized_list_counts_as_list_size(schema: GraphQLSchema) -> None:
    found = cost(schema, '{ dataset(namespace: "n", name: "d") { columns { field } } }')
    assert found == 1 + 1 + LIST_SIZE * 1


def test_aliases_each_count(schema: GraphQLSchema) -> None:
    aliased = " ".join(f"h{i}: health {{ days }}" for i in range(30))
    assert cost(schema, "{ " + aliased + " }") == 30 * cost(schema, "{ health { days } }")


def test_fragments_that_spread_each_other_are_priced_expanded_in_linear_time(schema: GraphQLSchema) -> None:
    # Each fragment spreads the previous one twice: the expansion doubles per level.
    levels = 40
    fragments = ["fragment F0 on LineageEdge { expression }"]
    fragments += [
        f"fragment F{i} on LineageEdge {{ a: source {{ upstream(depth: 2) {{ ...F{i - 1} }} }} "
        f"b: target {{ downstream(depth: 2) {{ ...F{i - 1} }} }} }}"
        for i in range(1, levels)
    ]
    top = f"F{levels - 1}"
    document = '{ column(namespace: "n", dataset: "d", field: "f") { upstream(depth: 2) { ...' + top + " } } } "
    document += " ".join(fragments)
    started = time.perf_counter()
    priced = cost(schema, document)
    # Only pricing that expands the fragments (exponential in their nesting) comes near this bound.
    assert time.perf_counter() - started < 30
    assert priced > 10**40


NESTED = (
    '{ column(namespace: "n", dataset: "d", field: "f") { downstream(depth: D) { target { upstream(depth: D) '
    "{ source { downstream(depth: D) { expression } } } } } } }"
)


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ("query($d: Int) " + NESTED.replace("D", "$d"), {"d": 5.0}),  # a float graphql-core coerces to 5
        ("query($d: Int = 5) " + NESTED.replace("D", "$d"), {}),  # the variable's default
        ("query($d: Int! = 5) " + NESTED.replace("D", "$d"), None),
    ],
)
def test_a_depth_is_priced_as_execution_coerces_it(
    schema: GraphQLSchema, document: str, variables: dict[str, object] | None
) -> None:
    assert cost(schema, document, variables) == cost(schema, NESTED.replace("D", "5"))


def test_variables_that_do_not_coerce_leave_the_refusal_to_execution(schema: GraphQLSchema) -> None:
    assert cost(schema, "query($d: Int!) " + NESTED.replace("D", "$d"), {"d": "five"}) == 0


def test_the_standard_introspection_query_is_priced_by_the_schema_and_cheap(schema: GraphQLSchema) -> None:
    """GraphiQL's full introspection query passes: priced from the schema's own counts, well
    under the budget, but not free."""
    priced = cost(schema, get_introspection_query(descriptions=True))
    # A third of the budget at most: the Relay arguments (first/after/last/before) on every
    # connection brought it to a quarter.
    assert 1_000 < priced < Settings().max_query_cost / 3


def deep_introspection(aliases: int) -> str:
    fragment = (
        "fragment T on __Type { name fields { name args { name type { name } } type { name ofType { name "
        "fields { name args { name type { name ofType { name } } } type { name ofType { name } } } } } } }"
    )
    return "{ " + " ".join(f"a{i}: __schema {{ types {{ ...T }} }}" for i in range(aliases)) + " } " + fragment


def test_thirty_aliases_of_a_deep_introspection_are_over_the_budget(schema: GraphQLSchema) -> None:
    document = deep_introspection(30)
    assert len(document) < 1_600
    assert cost(schema, document) > Settings().max_query_cost
