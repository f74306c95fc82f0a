"""The event log's text of a JSON value: the same whether written by json.dumps or, for values
nested past the recursion limit, by a loop."""

from __future__ import annotations

import json
import sys
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tagline.api.services.canonical_json import _written_by_a_loop, canonical_json

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
)


@given(JSON_VALUES)
def test_the_loop_writes_what_json_dumps_writes(value: Any) -> None:
    assert _written_by_a_loop(value) == canonical_json(value)


def test_a_value_nested_past_the_recursion_limit_is_written_as_json_dumps_would_with_room() -> None:
    deep: Any = {"b": 1, "a": "é"}
    for n in range(3000):
        deep = {"z": deep, "a": [n]} if n % 2 else [deep, None]
    text = canonical_json(deep)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        expected = json.dumps(deep, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    finally:
        sys.setrecursionlimit(limit)
    assert text == expected and '"a":"é","b":1' in text
