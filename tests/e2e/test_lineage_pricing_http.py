"""The nested lineage queries frontends and the benchmarks send are answered with the default
settings on a realistic warehouse (bench/warehouse_gen.py): lineage is priced by the graph's
measured fan-out, not by a flat ten edges a hop, which refused them all."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from graphql import parse

from bench.warehouse_gen import Warehouse, generate
from tagline.api.gql.cost import operation_cost
from tagline.api.gql.schema import build_schema
from tagline.api.settings import Settings
from tagline.graph.model import ColumnRef
from tagline.graph.store import GraphStore
from tests.e2e.conftest import Server, start_server, stop_server

EDGE_FIELDS = "transformation { type subtype masking }"


def nested(direction: str, levels: int, edge_fields: str, direct_only: bool = False) -> str:
    """bench/lineage_latency.py's nested query: ``upstream { source { upstream { ... } } }``."""
    far = "source" if direction == "upstream" else "target"
    field = f"{direction}(directOnly: true)" if direct_only else direction
    body = "dataset field"
    for _ in range(levels):
        body = f"dataset field {field} {{ {edge_fields} {far} {{ {body} }} }}"
    return (
        "query ($ns: String!, $ds: String!, $f: String!) "
        f"{{ column(namespace: $ns, dataset: $ds, field: $f) {{ {body} }} }}"
    )


@pytest.fixture(scope="module")
def warehouse() -> Warehouse:
    return generate(tables=120, columns=15, seed=7)


@pytest.fixture(scope="module")
def served(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    path = str(tmp_path_factory.mktemp("warehouse") / "graph.db")
    store = GraphStore(path)
    try:
        store.write(warehouse.lineage_batch(), kind="test")
    finally:
        store.close()
    running = start_server(path)
    yield running
    stop_server(running)


def sample(warehouse: Warehouse, level: int, count: int) -> list[ColumnRef]:
    columns = [warehouse.column_ref(t, c) for t in warehouse.level(level) for c in t.columns]
    return random.Random(7).sample(columns, min(count, len(columns)))


@pytest.mark.parametrize(
    ("direction", "edge_fields", "direct_only"),
    [("upstream", "", True), ("upstream", EDGE_FIELDS, False)],
    ids=["five-levels-direct-dataset-field", "bench-nested-upstream"],
)
def test_nested_upstream_five_levels_is_answered_with_default_settings(
    served: Server, warehouse: Warehouse, direction: str, edge_fields: str, direct_only: bool
) -> None:
    document = nested(direction, 5, edge_fields, direct_only)
    # Priced a flat ten edges a hop, every one of these would be refused.
    flat = operation_cost(build_schema(Settings())._schema, parse(document), None, {"ns": "n", "ds": "d", "f": "f"})
    assert flat > Settings().max_query_cost
    for ref in sample(warehouse, warehouse.last_level, 8):
        body = served.graphql(document, {"ns": ref.namespace, "ds": ref.dataset, "f": ref.field})
        assert "errors" not in body, body
        assert body["data"]["column"]["upstream"], ref  # type: ignore[index]


def test_bench_nested_downstream_from_sources_is_answered_with_default_settings(
    served: Server, warehouse: Warehouse
) -> None:
    document = nested("downstream", 5, EDGE_FIELDS)
    for ref in sample(warehouse, 0, 8):
        body = served.graphql(document, {"ns": ref.namespace, "ds": ref.dataset, "f": ref.field})
        assert "errors" not in body, body
