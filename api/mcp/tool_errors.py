"""MCP tool errors in Tagline's words: one sentence that starts with the error's code, the same
codes GraphQL puts in ``extensions.code`` and REST in its problem documents.

The MCP server reports a tool's failure as ``Error executing tool <name>: <the exception>``, and
arguments that do not fit a tool's schema as pydantic's multi-line report. An agent reads the
first words of an error to decide what to do next: ``INVALID_INPUT: get_lineage's depth must be
greater than or equal to 1 (got 0).`` tells it which argument to change, ``NOT_FOUND: ...`` that
the name is wrong, ``INTERNAL: ...`` that retrying will not help.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from pydantic import ValidationError

from tagline.errors import InvalidInput, NotFound

INTERNAL = "INTERNAL"
# A rejected value is said back to its sender, cut to this many characters.
SHOWN_CHARS = 60


def tool_error(code: str, message: str) -> ToolError:
    """The error a tool raises: ``CODE: message``."""
    return ToolError(f"{code}: {message}")


def not_found(message: str) -> ToolError:
    return tool_error(NotFound.code, message)


def arguments_sentence(tool: str, error: ValidationError) -> str:
    """pydantic's report of a tool's arguments as one sentence, each argument with what is wrong."""
    parts = []
    for problem in error.errors():
        name = ".".join(str(p) for p in problem["loc"]) or "arguments"
        shown = "" if problem["type"] == "missing" else f" (got {repr(problem.get('input'))[:SHOWN_CHARS]})"
        parts.append(f"{name}: {problem['msg'][0].lower()}{problem['msg'][1:]}{shown}")
    return f"{InvalidInput.code}: {tool}'s {'; '.join(parts)}."


class TaglineMCPServer(MCPServer):
    """The MCP server, with tool errors said as :mod:`this module <tagline.api.mcp.tool_errors>` says."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError as exc:
            # A bug: the server logs it with its stack; the agent learns only that.
            raise UnexpectedToolError(
                f"{INTERNAL}: the tool {name} failed; the server's log has why"
            ) from exc.__cause__
        except ToolError as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError):
                raise ToolError(arguments_sentence(name, cause)) from cause
            if isinstance(cause, ToolError):  # raised by the tool: its own sentence, without the wrapper's prefix
                raise ToolError(str(cause)) from cause
            raise ToolError(f"{NotFound.code}: {exc}") from exc  # no such tool
