"""The Relay `Node` interface: every object a client may cache by id and fetch again with
`node(id:)` (api/gql/relay.py).

The ids are the ones Tagline already gave out, Marquez's node ids (``dataset:<ns>:<name>``,
``job:<ns>:<name>``, ``datasetField:<ns>:<dataset>:<field>``, see api/services/node_ids.py), and
for the kinds Marquez has no node id of, ``run:<runId>`` and ``tag:<name>:<column's id>``.
"""

from __future__ import annotations

import strawberry

RUN_PREFIX = "run:"
TAG_PREFIX = "tag:"
COLUMN_PREFIX = "datasetField:"


@strawberry.interface(description="An object with a global id: `node(id:)` fetches it again.")
class Node:
    @strawberry.field(description="The global id: stable, and accepted by `node(id:)`.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


def run_node_id(run_id: str) -> str:
    return RUN_PREFIX + run_id


def tag_node_id(tag: str, column_id: str) -> str:
    return f"{TAG_PREFIX}{tag}:{column_id}"


def split_tag_node_id(value: str) -> tuple[str, str] | None:
    """(tag name, column id) of a tag's id; None when ``value`` is no tag id."""
    if not value.startswith(TAG_PREFIX):
        return None
    name, sep, column = value[len(TAG_PREFIX) :].partition(":" + COLUMN_PREFIX)
    return (name, COLUMN_PREFIX + column) if sep and name else None
