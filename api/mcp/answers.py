"""Tool answers an agent can use: structured JSON, a sentence it can quote, and a bounded size.

A model's context is small and lineage can be large, so every answer is cut to
``TAGLINE_MCP_MAX_CHARS`` characters of JSON (about a quarter as many tokens): the longest lists
are halved until it fits, the answer says ``truncated: true`` and how many items were left out,
and its ``next`` says how to ask for the rest (a cursor, or a smaller question).
"""

from __future__ import annotations

from typing import Any

import orjson
from mcp_types import CallToolResult, TextContent


def answer(data: dict[str, Any], summary: str, max_chars: int, narrower: str) -> CallToolResult:
    """``data`` cut to ``max_chars`` of JSON, with ``summary``; ``narrower`` says how to ask for
    less when something had to be left out."""
    omitted = _fit(data, max_chars)
    if omitted:
        data = {**data, "truncated": True, "omitted": omitted, "next": narrower}
        summary += f" (answer cut to fit: {omitted} items left out; {narrower})"
    return CallToolResult(content=[TextContent(type="text", text=summary)], structured_content=data)


def _fit(data: dict[str, Any], max_chars: int) -> int:
    """Halve the longest list in ``data`` (in place) until its JSON fits; how many items went."""
    omitted = 0
    while len(orjson.dumps(data)) > max_chars:
        longest = max(_lists(data), key=len, default=None)
        if not longest:
            break
        keep = len(longest) // 2
        omitted += len(longest) - keep
        del longest[keep:]
    return omitted


def _lists(value: Any) -> list[list[Any]]:
    found: list[list[Any]] = []
    if isinstance(value, list):
        found.append(value)
        for item in value:
            found.extend(_lists(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(_lists(item))
    return found
