"""A column's governance state (:class:`ColumnState`) to and from what its vertex keeps, through
the encoding `graph/tag_encoding.py` defines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tagline.governance.policy import Policy, covers
from tagline.governance.propagation import ColumnState, Derivation, Effective, Item
from tagline.governance.tags import TagView, tag_views
from tagline.graph.records import InEdge, VertexRecord
from tagline.graph.schema import KEY, SENSITIVITY, TAGS_EFFECTIVE
from tagline.graph.store import GraphStore
from tagline.graph.tag_encoding import (
    Declarations,
    EffectiveRow,
    declaration_values,
    effective_value,
    read_declarations,
    read_effective,
)


def column_states(store: GraphStore, keys: Iterable[str]) -> dict[str, ColumnState]:
    """The governance state of the known columns among ``keys``, lineage from the index."""
    return {k: state_of(*found) for k, found in store.column_lineage(keys).items()}


def state_of(props: dict[str, Any], inputs: Iterable[InEdge] = (), outputs: Iterable[str] = ()) -> ColumnState:
    declarations = read_declarations(props)
    return ColumnState(
        key=props[KEY],
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        declared=declarations.declared,
        column_blocks=declarations.column_blocks,
        edge_blocks=dict(declarations.edge_blocks),
        effective=decode_effective(props.get(TAGS_EFFECTIVE)),
    )


def decode_effective(value: object) -> Effective:
    return {
        Item(r.tag, r.masked, r.source): Derivation(r.dist, r.edge, r.prior_tag, r.prior_masked)
        for r in read_effective(value)
    }


def declaration_props(state: ColumnState) -> dict[str, Any]:
    return declaration_values(Declarations(state.declared, state.column_blocks, state.edge_blocks))


def effective_props(policy: Policy, effective: Effective) -> dict[str, Any]:
    rows = (
        EffectiveRow(i.tag, i.masked, i.source, d.dist, d.edge, d.prior_tag, d.prior_masked)
        for i, d in effective.items()
    )
    return {TAGS_EFFECTIVE: effective_value(rows), SENSITIVITY: policy.highest_level(i.tag for i in effective)}


def tag_views_of(props: dict[str, Any]) -> dict[str, TagView]:
    """A column's effective tags, one view per tag name, from its stored properties."""
    return tag_views(decode_effective(props.get(TAGS_EFFECTIVE)))


def sensitivity_of(props: dict[str, Any]) -> str | None:
    """A column's effective level, as the last propagation stored it."""
    return props.get(SENSITIVITY) or None


def carries_tag(tags_effective: object, tag: str) -> bool:
    """Whether stored effective tags hold ``tag`` or one of its family (`pii` covers `pii.email`)."""
    return any(covers(tag, name) for name in tag_views(decode_effective(tags_effective)))


def tagged_columns(store: GraphStore, tag: str) -> list[VertexRecord]:
    """Columns carrying ``tag`` or one of its family, by key; decoded once per distinct tag set."""
    return store.columns_where(TAGS_EFFECTIVE, lambda value: carries_tag(value, tag))
