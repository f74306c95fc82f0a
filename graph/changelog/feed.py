"""The change log read as typed changes, for subscribers (GraphQL subscriptions, webhooks):
which vertex or edge a transaction touched and which of its properties, never the encoding.

A subscriber keeps its own position and reads on from it; a batch is at most ``READ_LIMIT``
transactions, so a large ingest reaches a subscriber in pieces rather than all at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tagline.graph.changelog.changes import EDGE, REMOVED, RENAMED, VERTEX, decode
from tagline.graph.changelog.log import READ_LIMIT, ChangeLog

# What happened to an element: set (created, or some properties set), removed, renamed.
SET, GONE, RENAME = "set", "removed", "renamed"


@dataclass(frozen=True)
class Change:
    """One entry of a transaction: a vertex (``out_key`` and ``in_key`` empty) or an edge, the
    properties it set (``None``: removed), or its removal; a rename carries the new key in ``in_key``."""

    what: str
    key: str
    label: str = ""
    out_key: str = ""
    in_key: str = ""
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def is_edge(self) -> bool:
        return bool(self.out_key)


def typed_change(entry: list[Any]) -> Change:
    """One decoded change-log entry as a :class:`Change`."""
    kind = entry[0]
    if kind == VERTEX:
        return Change(SET, entry[1], entry[2], props=dict(entry[3]))
    if kind == EDGE:
        return Change(SET, entry[1], entry[2], entry[3], entry[4], dict(entry[5]))
    if kind == REMOVED:
        return Change(GONE, entry[1], entry[2], entry[3], entry[4])
    if kind == RENAMED:
        return Change(RENAME, entry[1], in_key=entry[2])
    raise ValueError(f"unknown change log entry kind {kind!r}")


@dataclass(frozen=True)
class ChangesRead:
    changes: list[Change]
    position: object
    more: bool


def read_changes(log: ChangeLog, position: object, limit: int = READ_LIMIT) -> ChangesRead:
    """The changes of up to ``limit`` transactions after ``position``, and where they end."""
    tail = log.read(position, limit)
    changes = [typed_change(entry) for body in tail.bodies for entry in decode(body)]
    return ChangesRead(changes, tail.position, tail.more)
