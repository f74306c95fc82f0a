"""``/mcp``: the MCP server over streamable HTTP, behind the same API keys and roles as the rest.

A caller whose role may read reaches the read tools; one whose role may govern (a steward) reaches
the server that also lists and runs the tag-changing tools; anyone else gets the usual 401/403
before any MCP message is read. Stateless and answered in JSON: each POST stands alone, so the
request limits of every other route apply unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import Receive, Scope, Send

from tagline.api.auth import GOVERN, READ, identity_of, refusal
from tagline.api.gql.schema import build_schema
from tagline.api.mcp.gateway import GraphQLGateway
from tagline.api.mcp.server import build_mcp_server
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings
from tagline.governance.policy import Policy

MCP_PATH = "/mcp"


class McpEndpoint:
    def __init__(self, settings: Settings, policy: Policy, thread: Callable[[], StoreThread]) -> None:
        self.gateway = GraphQLGateway(build_schema(settings), settings, policy, thread)
        self.reader = build_mcp_server(self.gateway, settings.mcp_max_chars, with_tag_changes=False)
        self.steward = build_mcp_server(self.gateway, settings.mcp_max_chars, with_tag_changes=True)
        for server in (self.reader, self.steward):
            # Host and origin checks are the app's own (api/http/same_origin.py), as for every route.
            server.streamable_http_app(
                stateless_http=True,
                json_response=True,
                transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
            )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The session managers' task groups, for the app's lifespan; when it ends, the gateway's
        GraphQL workers go too."""
        async with AsyncExitStack() as stack:
            stack.callback(self.gateway.close)
            for server in (self.reader, self.steward):
                await stack.enter_async_context(server.session_manager.run())
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        identity = identity_of(scope)
        refused = refusal(identity, READ)
        if refused is not None:
            await refused(scope, receive, send)
            return
        assert identity is not None  # refusal() answers a caller without one
        server: MCPServer = self.steward if identity.can(GOVERN) else self.reader
        await server.session_manager.handle_request(scope, receive, send)
