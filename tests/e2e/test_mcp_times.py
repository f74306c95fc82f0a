"""Tools that take moments parse them before asking: a bad one is a tool error naming the argument."""

from __future__ import annotations

from pathlib import Path

from mcp import Client
from mcp_types import CallToolResult

from tests.e2e.conftest import run_cli
from tests.e2e.test_mcp import over_stdio, text


def test_a_moment_that_does_not_parse_is_an_invalid_input_naming_its_argument(tmp_path: Path) -> None:
    async def talk(client: Client) -> list[CallToolResult]:
        return [
            await client.call_tool("lineage_changes", {"since": "last tuesday"}),
            await client.call_tool("lineage_changes", {"since": "7d", "until": "soon"}),
            await client.call_tool("get_lineage", {"namespace": "n", "dataset": "d", "as_of": "yesterday-ish"}),
        ]

    sql = tmp_path / "etl.sql"
    sql.write_text("INSERT INTO mart.t SELECT a FROM raw.s")
    store = str(tmp_path / "graph.db")
    run_cli("ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://wh", "--store", store, "--create")
    refused = over_stdio(store, talk)
    assert all(r.is_error for r in refused), [text(r) for r in refused]
    assert [text(r).split(":", 1)[0] for r in refused] == ["INVALID_INPUT"] * 3, [text(r) for r in refused]
    for result, argument in zip(refused, ("since", "until", "as_of"), strict=True):
        assert argument in text(result), text(result)
