"""Tagline's MCP server: lineage, tags and dependencies as tools an AI agent can call.

Each tool asks the GraphQL schema (:mod:`tagline.api.mcp.gateway`) as the caller, so an agent
gets the same answers, limits and role checks as any other client. Two servers are built: one with
the read tools, one that adds the tag-changing tools; an HTTP caller reaches the second only with
a role that may govern, so other roles never see those tools listed (``api/mcp/http.py``).
"""

from __future__ import annotations

import inspect
from typing import Any

import orjson
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult
from starlette.requests import Request

from tagline import __version__
from tagline.api.auth import LOCAL, Identity, identity_of
from tagline.api.mcp.answers import answer
from tagline.api.mcp.gateway import AskError, GraphQLGateway
from tagline.api.mcp.tool_errors import TaglineMCPServer, tool_error
from tagline.api.mcp.tools import TOOLS, McpTool
from tagline.errors import InvalidInput

INSTRUCTIONS = """Tagline answers column-level lineage questions about a data warehouse: where a column comes
from (upstream) and where it goes (downstream), which sensitivity tags (pii, restricted...) a column
carries and why, what a change would break, and which jobs a job must wait for. Start with `search`
to find exact names; datasets are named by namespace (e.g. "hive://warehouse") and name (e.g.
"dw.dim_customer"). Answers are cut to a size budget: when `truncated` is true, `next` says how to
ask for the rest."""


def caller(ctx: Context) -> Identity:
    """Who is asking: the API key's identity over HTTP; the local user over stdio."""
    request = ctx.request_context.request
    found = identity_of(request.scope) if isinstance(request, Request) else None
    return found or LOCAL


def build_mcp_server(gateway: GraphQLGateway, max_chars: int, with_tag_changes: bool) -> MCPServer:
    server = TaglineMCPServer(
        name="tagline", title="Tagline lineage", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    for tool in TOOLS:
        if with_tag_changes or not tool.changes_tags:
            _serve(server, tool, gateway, max_chars)

    @server.resource(
        "tagline://namespaces",
        name="namespaces",
        mime_type="application/json",
        description="Every namespace Tagline knows: where to look for datasets and jobs.",
    )
    async def namespaces() -> str:
        # Whoever reaches the server may read (the HTTP route checks the role before any MCP message).
        found = await gateway.ask("{ namespaces { name } }", {}, LOCAL)
        return orjson.dumps([n["name"] for n in found["namespaces"]]).decode()

    @server.prompt(description="Trace where a column comes from and whether it carries sensitive data.")
    def trace_column(namespace: str, dataset: str, field: str) -> str:
        return (
            f"Where does {namespace}/{dataset}.{field} come from? Use get_lineage upstream, then explain_tags "
            "on it, and say which sources and transformations feed it and whether it is sensitive and why."
        )

    return server


def _serve(server: MCPServer, tool: McpTool, gateway: GraphQLGateway, max_chars: int) -> None:
    """Add one tool of the table: its arguments become variables, the schema answers, the summary tops it."""

    async def run(ctx: Context, **args: Any) -> CallToolResult:
        try:
            variables = tool.arguments(**args)
        except InvalidInput as exc:
            raise tool_error(InvalidInput.code, str(exc)) from exc
        try:
            found = await gateway.ask(tool.document, variables, caller(ctx))
        except AskError as exc:
            raise tool_error(exc.code, str(exc)) from exc
        data, summary = tool.summarise(found[tool.root], args, variables)
        return answer(data, summary, max_chars, tool.hint)

    # The agent is shown the arguments function's signature (evaluated, as the annotations are strings).
    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Context)
    arguments = inspect.signature(tool.arguments, eval_str=True).parameters.values()
    run.__signature__ = inspect.Signature([context, *arguments], return_annotation=CallToolResult)  # type: ignore[attr-defined]
    run.__name__ = run.__qualname__ = tool.name
    server.add_tool(run, name=tool.name, description=tool.description, annotations=tool.annotations)
