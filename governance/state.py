"""How governance state is kept on a column vertex (JSON properties) and read back as
:class:`ColumnState`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tagline.governance.policy import Policy, covers
from tagline.governance.propagation import ColumnState, Derivation, Effective, Item
from tagline.governance.tags import TagView, tag_views
from tagline.graph.records import InEdge, VertexRecord
from tagline.graph.schema import KEY
from tagline.graph.store import GraphStore
from tagline.graph.tagstore import SENSITIVITY, TAGS_BLOCKED, TAGS_DECLARED, TAGS_EFFECTIVE


def column_states(store: GraphStore, keys: Iterable[str]) -> dict[str, ColumnState]:
    """The governance state of the known columns among ``keys``, lineage from the index."""
    return {k: state_of(*found) for k, found in store.column_lineage(keys).items()}


def state_of(props: dict[str, Any], inputs: Iterable[InEdge] = (), outputs: Iterable[str] = ()) -> ColumnState:
    blocks = json.loads(props.get(TAGS_BLOCKED) or "{}")
    return ColumnState(
        key=props[KEY],
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        declared=frozenset(json.loads(props.get(TAGS_DECLARED) or "[]")),
        column_blocks=frozenset(blocks.get("column", [])),
        edge_blocks={k: frozenset(v) for k, v in blocks.get("edges", {}).items()},
        effective=decode_effective(props.get(TAGS_EFFECTIVE)),
    )


def decode_effective(text: str | None) -> Effective:
    return {Item(t, bool(m), s): Derivation(d, e, pt, bool(pm)) for t, m, s, d, e, pt, pm in json.loads(text or "[]")}


def encode_effective(effective: Effective) -> str:
    return json.dumps(sorted([i.tag, int(i.masked), i.source, d.dist, d.edge, d.prior_tag, int(d.prior_masked)]
                             for i, d in effective.items()))


def declaration_props(state: ColumnState) -> dict[str, Any]:
    blocks = {"column": sorted(state.column_blocks), "edges": {k: sorted(v) for k, v in state.edge_blocks.items() if v}}
    return {TAGS_DECLARED: json.dumps(sorted(state.declared)), TAGS_BLOCKED: json.dumps(blocks)}


def effective_props(policy: Policy, effective: Effective) -> dict[str, Any]:
    return {TAGS_EFFECTIVE: encode_effective(effective), SENSITIVITY: policy.highest_level(i.tag for i in effective)}


def tag_views_of(props: dict[str, Any]) -> dict[str, TagView]:
    """A column's effective tags, one view per tag name, from its stored properties."""
    return tag_views(decode_effective(props.get(TAGS_EFFECTIVE)))


def sensitivity_of(props: dict[str, Any]) -> str | None:
    """A column's effective level, as the last propagation stored it."""
    return props.get(SENSITIVITY) or None


def carries_tag(tags_effective: object, tag: str) -> bool:
    """Whether stored effective tags hold ``tag`` or one of its family (`pii` covers `pii.email`)."""
    return any(covers(tag, name) for name in tag_views(decode_effective(str(tags_effective or "[]"))))


def tagged_columns(store: GraphStore, tag: str) -> list[VertexRecord]:
    """Columns carrying ``tag`` or one of its family, by key; decoded once per distinct tag set."""
    return store.columns_where(TAGS_EFFECTIVE, lambda value: carries_tag(value, tag))
