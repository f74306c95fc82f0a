"""How a column's tag state is written in its vertex properties, defined once.

Governance decides what the state is; this module alone knows that it is kept as JSON text in
three properties (declared tags, blocks, effective tags with their derivations), so nothing above
`graph/` parses or writes that text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tagline.graph.schema import TAGS_BLOCKED, TAGS_DECLARED


class EffectiveRow(NamedTuple):
    """One effective tag of a column: where it came from and how far, and what it was one hop up."""

    tag: str
    masked: bool
    source: str
    dist: int
    edge: str  # "" where the tag is declared on the column itself
    prior_tag: str
    prior_masked: bool


@dataclass(frozen=True)
class Declarations:
    """What stewards said of a column: its declared tags and the tags blocked at it."""

    declared: frozenset[str] = frozenset()
    column_blocks: frozenset[str] = frozenset()
    edge_blocks: Mapping[str, frozenset[str]] = field(default_factory=dict)


_UNDECLARED = Declarations()


def read_declarations(props: Mapping[str, Any]) -> Declarations:
    blocked, declared = props.get(TAGS_BLOCKED), props.get(TAGS_DECLARED)
    if not blocked and not declared:
        return _UNDECLARED  # nearly every column of a warehouse: nothing to parse
    blocks = json.loads(blocked or "{}")
    return Declarations(
        declared=frozenset(json.loads(declared or "[]")),
        column_blocks=frozenset(blocks.get("column", [])),
        edge_blocks={k: frozenset(v) for k, v in blocks.get("edges", {}).items()},
    )


def declaration_values(declarations: Declarations) -> dict[str, str]:
    blocks = {
        "column": sorted(declarations.column_blocks),
        "edges": {k: sorted(v) for k, v in declarations.edge_blocks.items() if v},
    }
    return {TAGS_DECLARED: json.dumps(sorted(declarations.declared)), TAGS_BLOCKED: json.dumps(blocks)}


def read_effective(value: object) -> list[EffectiveRow]:
    """The effective tags of a column from its stored property (absent: none)."""
    if not value:
        return []
    return [EffectiveRow(t, bool(m), s, d, e, pt, bool(pm)) for t, m, s, d, e, pt, pm in json.loads(str(value))]


def effective_value(rows: Iterable[EffectiveRow]) -> str:
    return json.dumps(
        sorted([r.tag, int(r.masked), r.source, r.dist, r.edge, r.prior_tag, int(r.prior_masked)] for r in rows)
    )
