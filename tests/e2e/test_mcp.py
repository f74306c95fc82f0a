"""The MCP server through the SDK's own client: `tagline mcp` over stdio on the demo store, and
`/mcp` over streamable HTTP on a keyed server, with roles, bad arguments and size bounds."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from tests.e2e.conftest import TAGLINE, Server, run_cli, start_server, stop_server

SHOP = "mysql://orders-db:3306"
WAREHOUSE = "hive://warehouse"
KEYS = "ana:reader-key-1:reader,sam:steward-key-2:steward,ivy:ingest-key-3:ingester"
READ_TOOLS = {
    "search",
    "get_lineage",
    "lineage_changes",
    "explain_tags",
    "impact",
    "recommend_dependencies",
    "check_dependencies",
    "lineage_health",
    "sensitivity_violations",
    "compare_lineage",
    "review_change",
}
TAG_TOOLS = {"declare_tag", "remove_tag"}
T = TypeVar("T")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = str(tmp_path_factory.mktemp("mcp") / "graph.db")
    run_cli("demo", "--store", store, "--examples", str(Path(__file__).parents[2] / "examples"))
    return store


def over_stdio(store: str, talk: Callable[[Client], Awaitable[T]], env: dict[str, str] | None = None) -> T:
    """Start `tagline mcp` as an agent's client does, and talk to it."""

    async def session() -> T:
        params = StdioServerParameters(command=TAGLINE, args=["mcp", "--store", store], env=env)
        async with Client(params) as client:
            return await talk(client)

    return asyncio.run(session())


def over_http(server: Server, key: str, talk: Callable[[Client], Awaitable[T]]) -> T:
    async def session() -> T:
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http,
            Client(streamable_http_client(f"{server.url}/mcp", http_client=http)) as client,
        ):
            return await talk(client)

    return asyncio.run(session())


def call(name: str, arguments: dict[str, Any]) -> Callable[[Client], Awaitable[CallToolResult]]:
    async def talk(client: Client) -> CallToolResult:
        return await client.call_tool(name, arguments)

    return talk


async def tool_names(client: Client) -> set[str]:
    return {t.name for t in (await client.list_tools()).tools}


def text(result: CallToolResult) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_every_tool_over_stdio_answers_with_json_and_a_sentence(demo: str) -> None:
    async def talk(client: Client) -> dict[str, CallToolResult]:
        assert await tool_names(client) == READ_TOOLS | TAG_TOOLS
        asked = {
            "search": ("search", {"query": "email", "kind": "column"}),
            "upstream": (
                "get_lineage",
                {
                    "namespace": "redshift://analytics.eu-west-1:5439",
                    "dataset": "marts.marketing_contacts",
                    "field": "email",
                    "depth": 5,
                },
            ),
            "dataset": ("get_lineage", {"namespace": WAREHOUSE, "dataset": "ods.customers", "direction": "downstream"}),
            "why": ("explain_tags", {"namespace": WAREHOUSE, "dataset": "ods.customers", "field": "email"}),
            "impact": ("impact", {"namespace": SHOP, "dataset": "shop.customers", "field": "email"}),
            "recommend": ("recommend_dependencies", {"namespace": "airflow", "job": "build_dim_customer"}),
            "check": (
                "check_dependencies",
                {"namespace": "airflow", "job": "build_dim_customer", "configured": [{"name": "no_such_job"}]},
            ),
            "health": ("lineage_health", {"days": 30}),
            "violations": ("sensitivity_violations", {}),
            "changes": ("lineage_changes", {"since": "3650d", "limit": 5}),
            "long_ago": (
                "get_lineage",
                {"namespace": WAREHOUSE, "dataset": "ods.customers", "direction": "downstream", "as_of": "2000-01-01"},
            ),
        }
        return {label: await client.call_tool(name, args) for label, (name, args) in asked.items()}

    answers = over_stdio(demo, talk)
    for label, result in answers.items():
        assert not result.is_error, (label, text(result))
        assert result.structured_content is not None and text(result), label
    hits = answers["search"].structured_content["hits"]  # type: ignore[index]
    assert {"kind": "COLUMN", "namespace": SHOP, "name": "shop.customers", "field": "email"} in hits
    upstream = answers["upstream"].structured_content
    assert any(
        e["source"] == {"namespace": SHOP, "dataset": "shop.customers", "field": "email"} for e in upstream["edges"]
    )  # type: ignore[index]
    assert all(e["transformation"]["type"] in ("DIRECT", "INDIRECT") for e in upstream["edges"])  # type: ignore[index]
    assert "pii.email (inherited)" in text(answers["why"])
    why = answers["why"].structured_content
    assert any(s["path"] for t in why["tags"] for s in t["sources"])  # type: ignore[index]
    assert "tags at risk" in text(answers["impact"]) and answers["impact"].structured_content["columns"]  # type: ignore[index]
    assert "should wait for" in text(answers["recommend"])
    check = answers["check"].structured_content
    assert check["ok"] is False and check["unknown"] == [{"namespace": "airflow", "name": "no_such_job"}]  # type: ignore[index]
    assert "orphans" in text(answers["health"])
    assert "sensitivity violations" in text(answers["violations"])
    changes = answers["changes"].structured_content
    assert changes["addedCount"] > 5 and len(changes["added"]) == 5 and changes["next_after"]  # type: ignore[index]
    assert answers["long_ago"].structured_content["edges"] == []  # type: ignore[index]
    assert changes["removedCount"] == 0 and "lineage edges added" in text(answers["changes"])  # type: ignore[index]


def test_bad_arguments_and_unknown_names_are_tool_errors_not_crashes(demo: str) -> None:
    async def talk(client: Client) -> list[CallToolResult]:
        return [
            await client.call_tool(
                "get_lineage", {"namespace": SHOP, "dataset": "shop.customers", "direction": "sideways"}
            ),
            await client.call_tool("get_lineage", {"namespace": SHOP, "dataset": "shop.customers", "depth": 0}),
            await client.call_tool("explain_tags", {"namespace": SHOP, "dataset": "shop.customers", "field": "nope"}),
            await client.call_tool("recommend_dependencies", {"namespace": "airflow", "job": "nope"}),
            await client.call_tool("search", {}),
            await client.call_tool("search", {"query": "email"}),  # the server still answers after all that
        ]

    *refused, still = over_stdio(demo, talk)
    assert all(r.is_error for r in refused), [text(r) for r in refused]
    assert "sideways" in text(refused[0]) and "use `search`" in text(refused[2]) and "no job 'nope'" in text(refused[3])
    # One sentence each, starting with the code GraphQL and REST give the same error.
    codes = [text(r).split(":", 1)[0] for r in refused]
    assert codes == ["INVALID_INPUT", "INVALID_INPUT", "NOT_FOUND", "NOT_FOUND", "INVALID_INPUT"], [
        text(r) for r in refused
    ]
    assert all("\n" not in text(r) and "validation error" not in text(r) for r in refused), [text(r) for r in refused]
    assert "get_lineage's depth: input should be greater than or equal to 1 (got 0)." in text(refused[1])
    assert not still.is_error


def test_answers_are_cut_to_the_size_budget_and_say_how_to_ask_for_less(demo: str) -> None:
    result = over_stdio(
        demo,
        call(
            "get_lineage", {"namespace": WAREHOUSE, "dataset": "ods.customers", "direction": "downstream", "depth": 5}
        ),
        env={"TAGLINE_MCP_MAX_CHARS": "3000"},
    )
    data = result.structured_content
    assert data is not None and data["truncated"] is True and data["omitted"] > 0
    assert "smaller depth" in data["next"] and "cut to fit" in text(result)
    assert len(str(data)) < 4000


def test_the_namespaces_resource_and_a_prompt_help_an_agent_start(demo: str) -> None:
    async def talk(client: Client) -> tuple[str, str]:
        resource = await client.read_resource("tagline://namespaces")
        prompt = await client.get_prompt(
            "trace_column", {"namespace": SHOP, "dataset": "shop.customers", "field": "email"}
        )
        return resource.contents[0].text, prompt.messages[0].content.text  # type: ignore[union-attr]

    namespaces, prompt = over_stdio(demo, talk)
    assert SHOP in namespaces and WAREHOUSE in namespaces
    assert "get_lineage" in prompt


@pytest.fixture(scope="module")
def keyed(demo: str) -> Iterator[Server]:
    running = start_server(demo, env={"TAGLINE_API_KEYS": KEYS})
    yield running
    stop_server(running)


def test_over_http_readers_see_the_read_tools_and_stewards_change_tags(keyed: Server) -> None:
    assert over_http(keyed, "reader-key-1", tool_names) == READ_TOOLS
    assert over_http(keyed, "steward-key-2", tool_names) == READ_TOOLS | TAG_TOOLS
    refused = over_http(
        keyed,
        "reader-key-1",
        call("declare_tag", {"namespace": SHOP, "dataset": "shop.orders", "field": "amount", "tag": "restricted"}),
    )
    assert refused.is_error
    declared = over_http(
        keyed,
        "steward-key-2",
        call(
            "declare_tag",
            {
                "namespace": SHOP,
                "dataset": "shop.orders",
                "field": "amount",
                "tag": "restricted",
                "justification": "revenue",
            },
        ),
    )
    assert not declared.is_error and "restricted declared on shop.orders.amount" in text(declared)
    audit = httpx.post(
        f"{keyed.url}/graphql",
        headers={"Authorization": "Bearer reader-key-1"},
        timeout=10,
        json={"query": '{ tagAudit(tag: "restricted", first: 5) { edges { node { actor change } } } }'},
    ).json()
    assert {"actor": "sam", "change": "ADDED"} in [e["node"] for e in audit["data"]["tagAudit"]["edges"]]
    removed = over_http(
        keyed,
        "steward-key-2",
        call("remove_tag", {"namespace": SHOP, "dataset": "shop.orders", "field": "amount", "tag": "restricted"}),
    )
    assert not removed.is_error


def test_over_http_a_caller_without_the_read_role_is_refused_before_any_message(keyed: Server) -> None:
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer ingest-key-3"}, 403),
        ({"Authorization": "Bearer wrong"}, 401),
    ):
        response = httpx.post(
            f"{keyed.url}/mcp",
            headers={**headers, "Accept": "application/json, text/event-stream"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            timeout=10,
        )
        assert response.status_code == status


def test_stopping_the_server_lets_every_graphql_worker_go(demo: str) -> None:
    """The app's schema and the MCP gateway's each run operations on a pool of worker threads;
    once both have worked, stopping the server leaves no thread behind that it started."""
    before = set(threading.enumerate())
    running = start_server(demo, env={"TAGLINE_API_KEYS": KEYS})
    try:
        asked = over_http(running, "reader-key-1", call("search", {"query": "orders"}))
        assert not asked.is_error, text(asked)
        answered = httpx.post(
            f"{running.url}/graphql",
            headers={"Authorization": "Bearer reader-key-1"},
            json={"query": '{ search(query: "orders") { totalCount } }'},
            timeout=10,
        ).json()
        assert answered["data"]["search"]["totalCount"] > 0
        workers = [t.name for t in threading.enumerate() if t.name.startswith("graphql")]
        assert len(workers) >= 2, workers  # one from each pool
    finally:
        stop_server(running)
    # Only the pools' workers: other servers of this module (their change-log followers start
    # threads lazily) may add threads of their own meanwhile.
    left = [t.name for t in set(threading.enumerate()) - before if t.is_alive() and t.name.startswith("graphql")]
    assert left == [], left
