"""The change log read as typed changes, for subscribers (GraphQL subscriptions, webhooks):
which vertex or edge a transaction touched and which of its properties, never the encoding.

A subscriber keeps its own position and reads on from it; a batch is at most ``READ_LIMIT``
transactions, so a large ingest reaches a subscriber in pieces rather than all at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from tagline.graph.changelog.changes import EDGE, REMOVED, RENAMED, VERTEX, decode
from tagline.graph.changelog.log import READ_LIMIT, ChangeLog


@dataclass(frozen=True)
class LoggedChange:
    """One entry of a transaction: a vertex or edge written (``removed``: an edge dropped; a
    vertex's key rewritten has ``renamed_to``). ``properties`` names what was set."""

    key: str
    label: str | None
    out_key: str | None = None
    in_key: str | None = None
    properties: frozenset[str] = frozenset()
    removed: bool = False
    renamed_to: str | None = None

    @property
    def is_edge(self) -> bool:
        return self.out_key is not None


@dataclass(frozen=True)
class ChangesRead:
    changes: list[LoggedChange]
    position: object
    more: bool


def read_changes(log: ChangeLog, position: object, limit: int = READ_LIMIT) -> ChangesRead:
    """The changes of up to ``limit`` transactions after ``position``, and where they end."""
    tail = log.read(position, limit)
    changes = []
    for body in tail.bodies:
        for entry in decode(body):
            kind = entry[0]
            if kind == VERTEX:
                changes.append(LoggedChange(key=entry[1], label=entry[2], properties=frozenset(entry[3])))
            elif kind == EDGE:
                changes.append(
                    LoggedChange(
                        key=entry[1], label=entry[2], out_key=entry[3], in_key=entry[4], properties=frozenset(entry[5])
                    )
                )
            elif kind == REMOVED:
                changes.append(
                    LoggedChange(key=entry[1], label=entry[2], out_key=entry[3], in_key=entry[4], removed=True)
                )
            elif kind == RENAMED:
                changes.append(LoggedChange(key=entry[1], label=None, renamed_to=entry[2]))
    return ChangesRead(changes, tail.position, tail.more)
