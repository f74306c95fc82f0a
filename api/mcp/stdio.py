"""``tagline mcp``: the MCP server over stdio, for an agent's client that starts it as a command.

The local user runs it on their own store, so, like the CLI, it may change tags too. The lineage
index is loaded once and follows what other processes write, as in ``tagline serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from tagline.api.gql.schema import build_schema
from tagline.api.mcp.gateway import GraphQLGateway
from tagline.api.mcp.server import build_mcp_server
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings, load_policy


def serve_stdio(settings: Settings) -> None:
    gateway = GraphQLGateway(build_schema(settings), settings, load_policy(settings), lambda: thread)
    thread = StoreThread(settings.store)
    try:
        server = build_mcp_server(gateway, settings.mcp_max_chars, with_tag_changes=True)
        asyncio.run(_run(server.run_stdio_async(), thread, settings.index_refresh_seconds))
    finally:
        gateway.close()
        thread.close()


async def _run(serving: Coroutine[Any, Any, None], thread: StoreThread, interval: float) -> None:
    following = asyncio.create_task(thread.follow(interval))
    try:
        await serving
    finally:
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
