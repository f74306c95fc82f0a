"""`lineageOutline` and `lineageSlice` over real HTTP: the outline counts what the flat `lineage`
field answers (columns, edges, per dataset and per dataset pair), a slice holds exactly the edges
touching its datasets, `maxNodes` cuts a slice and says so, and an unknown column is NOT_FOUND."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server, start_server, stop_server
from tests.e2e.explorer_neighbourhood import NAMESPACE, build

EDGES = 250
COLUMN = f'namespace: "{NAMESPACE}", dataset: "src.events", field: "x"'


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(build(tmp_path_factory.mktemp("outline"), EDGES))
    yield running
    stop_server(running)


def ask(server: Server, query: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=60).json()
    return body


def test_the_outline_counts_what_lineage_answers(wide: Server) -> None:
    outline = ask(
        wide,
        f"""{{ lineageOutline({COLUMN}, upstream: 1, downstream: 1) {{ columns edges complete
              datasets {{ namespace name columns upstream }}
              links {{ sourceDataset targetDataset edges direct masking }} }} }}""",
    )["data"]["lineageOutline"]
    flat = ask(
        wide,
        f"""{{ lineage({COLUMN}, direction: BOTH, depth: 1, maxNodes: 1000) {{
              nodes {{ dataset }} edges {{ source {{ dataset }} target {{ dataset }} transformation {{ type }} }} }} }}""",
    )["data"]["lineage"]
    assert (outline["columns"], outline["edges"], outline["complete"]) == (EDGES + 1, EDGES, True)
    assert len(flat["nodes"]) == outline["columns"] and len(flat["edges"]) == outline["edges"]
    assert {d["name"]: d["columns"] for d in outline["datasets"]} == Counter(n["dataset"] for n in flat["nodes"])
    assert not any(d["upstream"] for d in outline["datasets"])
    pairs = Counter((e["source"]["dataset"], e["target"]["dataset"]) for e in flat["edges"])
    assert {(link["sourceDataset"], link["targetDataset"]): link["edges"] for link in outline["links"]} == pairs
    assert all(link["direct"] == link["edges"] and link["masking"] == 0 for link in outline["links"])
    assert [d["columns"] for d in outline["datasets"] if d["name"] != "src.events"] == [100, 100, 50]


def test_a_slice_holds_the_edges_of_its_datasets(wide: Server) -> None:
    sliced = ask(
        wide,
        f"""{{ lineageSlice({COLUMN}, upstream: 1, downstream: 1,
                 datasets: [{{namespace: "{NAMESPACE}", name: "wide.t003"}}]) {{
              complete nodes {{ dataset field }} edges {{ source {{ field }} target {{ dataset field }} expression }} }} }}""",
    )["data"]["lineageSlice"]
    assert sliced["complete"]
    assert len(sliced["edges"]) == 50 and {e["target"]["dataset"] for e in sliced["edges"]} == {"wide.t003"}
    assert len(sliced["nodes"]) == 51  # its 50 columns and the start column
    assert {
        "source": {"field": "x"},
        "target": {"dataset": "wide.t003", "field": "c007"},
        "expression": "s.x + 7",
    } in sliced["edges"]
    cut = ask(
        wide,
        f"""{{ lineageSlice({COLUMN}, upstream: 1, downstream: 1, maxNodes: 10,
                 datasets: [{{namespace: "{NAMESPACE}", name: "wide.t001"}}]) {{ complete limit nodes {{ field }} edges {{ expression }} }} }}""",
    )["data"]["lineageSlice"]
    assert (cut["complete"], cut["limit"]) == (False, "maxNodes")
    assert len(cut["nodes"]) <= 10 and len(cut["edges"]) == len(cut["nodes"]) - 1


def test_an_unknown_column_is_not_found(wide: Server) -> None:
    body = ask(
        wide,
        f'{{ lineageOutline(namespace: "{NAMESPACE}", dataset: "src.events", field: "nope") {{ columns edges datasets {{ name }} }} }}',
    )
    assert body["data"]["lineageOutline"] == {"columns": 0, "edges": 0, "datasets": []}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
