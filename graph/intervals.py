"""The lifetime of a lineage edge: the spans of event time in which the data took it.

An edge keeps its latest span in ``valid_from``/``valid_to`` (``valid_to`` absent while the edge is
current) and earlier spans in ``valid_past`` (``from/to`` pairs joined by ``,``), all ISO-8601 UTC
text as :func:`graph.timefmt.iso` writes it, so they compare as text. Spans are half-open
``[from, to)``, sorted and disjoint. An edge with no span at all (a late report that a newer one
already replaced at the same moment) keeps ``valid_from == valid_to``, which no time falls in.

The writer computes spans with :func:`cover` and :func:`cut`; the lineage index reads them back
with :func:`spans_of`. These are the only places the encoding is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

VALID_FROM = "valid_from"
VALID_TO = "valid_to"
VALID_PAST = "valid_past"

# A span's end while it lasts: later than any time written as text.
OPEN = "~"

Span = tuple[str, str]


def spans_of(props: Mapping[str, Any]) -> list[Span]:
    """An edge's spans, oldest first. An edge written before lifetimes existed is current from its
    ``first_seen``."""
    start = props.get(VALID_FROM) or props.get("first_seen") or ""
    end = props.get(VALID_TO) or OPEN
    past = str(props.get(VALID_PAST) or "")
    spans: list[Span] = [(a, b) for a, _, b in (p.partition("/") for p in past.split(",") if p)]
    if start != end:
        spans.append((str(start), str(end)))
    return spans


def encoded(spans: list[Span], empty_at: str) -> dict[str, Any]:
    """The properties that keep ``spans`` (an empty list at ``empty_at``); ``None`` removes one."""
    if not spans:
        return {VALID_FROM: empty_at, VALID_TO: empty_at, VALID_PAST: None}
    *past, (start, end) = spans
    return {
        VALID_FROM: start,
        VALID_TO: None if end == OPEN else end,
        VALID_PAST: ",".join(f"{a}/{b}" for a, b in past) or None,
    }


def changed(props: Mapping[str, Any], spans: list[Span], empty_at: str) -> dict[str, Any]:
    """Of :func:`encoded`, only what differs from what ``props`` hold."""
    return {n: v for n, v in encoded(spans, empty_at).items() if (props.get(n) or None) != v}


def cover(spans: list[Span], start: str, end: str) -> list[Span]:
    """``spans`` with ``[start, end)`` added, touching spans merged."""
    merged: list[Span] = []
    for a, b in sorted([*spans, (start, end)]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def cut(spans: list[Span], start: str, end: str) -> list[Span]:
    """``spans`` with ``[start, end)`` taken out."""
    kept: list[Span] = []
    for a, b in spans:
        if b <= start or a >= end:
            kept.append((a, b))
            continue
        if a < start:
            kept.append((a, start))
        if b > end:
            kept.append((end, b))
    return kept


def is_current(spans: list[Span]) -> bool:
    return bool(spans) and spans[-1][1] == OPEN
