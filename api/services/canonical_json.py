"""One text per JSON value, whatever its key order: how an event is kept in the event log, so a
redelivered event is recognised as the one received before.

``json.dumps`` recurses once per level of nesting and gives up near Python's recursion limit
(about 1,000 levels), where the JSON parser accepts 1,024: a valid event nested that deep would
fail to be kept, a fault of the server's, not the emitter's. Such values are written by a loop
instead, to the same text.
"""

from __future__ import annotations

import json
from typing import Any

SEPARATORS = (",", ":")


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, text as is (not ASCII-escaped)."""
    try:
        return json.dumps(value, sort_keys=True, separators=SEPARATORS, ensure_ascii=False)
    except RecursionError:
        return _written_by_a_loop(value)


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _written_by_a_loop(value: Any) -> str:
    """What ``json.dumps(value, sort_keys=True, separators=SEPARATORS, ensure_ascii=False)``
    writes, with a stack of what is left to write instead of recursion. Each entry of the stack
    is either text to write as is or a value to write."""
    parts: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, value)]
    while stack:
        is_text, item = stack.pop()
        if is_text:
            parts.append(item)
        elif isinstance(item, dict):
            keys = sorted(item)
            todo: list[tuple[bool, Any]] = [(True, "{")]
            for n, key in enumerate(keys):
                todo.append((True, f"{',' if n else ''}{_scalar(str(key))}:"))
                todo.append((False, item[key]))
            todo.append((True, "}"))
            stack.extend(reversed(todo))
        elif isinstance(item, list | tuple):
            todo = [(True, "[")]
            for n, element in enumerate(item):
                if n:
                    todo.append((True, ","))
                todo.append((False, element))
            todo.append((True, "]"))
            stack.extend(reversed(todo))
        else:
            parts.append(_scalar(item))
    return "".join(parts)
