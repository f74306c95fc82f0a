"""The change log read as a feed of typed changes, for readers outside ``graph/`` that follow it
at their own pace (the notifications of changes to subscribers) and keep where they are as text.

A position is the change log's own (see ``graph/changelog/log.py``), written as text a reader can
store: the sequence number on the embedded store, a small JSON object (the newest stamp read and
the entries read within the look-back) on a Gremlin Server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from tagline.graph.changelog.changes import decode
from tagline.graph.changelog.feed import GONE, RENAME, SET, Change, typed_change
from tagline.graph.changelog.log import READ_LIMIT, ChangeLog, RemotePosition

__all__ = ["GONE", "RENAME", "SET", "Change", "Feed", "not_after", "read_feed"]


@dataclass
class Feed:
    """Transactions in commit order, each the changes it made; where reading stopped; whether
    the log holds more beyond it."""

    transactions: list[list[Change]]
    position: str
    more: bool


def encode_position(position: object) -> str:
    if isinstance(position, RemotePosition):
        return json.dumps({"stamp": position.stamp, "seen": position.seen}, separators=(",", ":"))
    return str(position)


def decode_position(text: str) -> object:
    if text.startswith("{"):
        found = json.loads(text)
        return RemotePosition(int(found["stamp"]), {str(k): int(v) for k, v in found["seen"].items()})
    return int(text)


def not_after(position: str, bound: str) -> bool:
    """Whether ``position`` lies at or before ``bound`` (both as :func:`encode_position` writes them)."""
    a, b = decode_position(position), decode_position(bound)
    if isinstance(a, RemotePosition) and isinstance(b, RemotePosition):
        return a.stamp <= b.stamp
    if isinstance(a, int) and isinstance(b, int):
        return a <= b
    raise ValueError(f"positions of two kinds of change log: {position!r}, {bound!r}")


def read_feed(log: ChangeLog, after: str | None, until: str | None = None) -> Feed:
    """The transactions after ``after`` (None: from the log's start), and the position after them:
    on the embedded store at most :data:`READ_LIMIT` of them, and none beyond ``until`` when
    ``after`` lies before it. On a Gremlin Server one read returns the whole look-back window's
    unread entries."""
    position = log.start() if after is None else decode_position(after)
    limit = READ_LIMIT
    bound = None if until is None else decode_position(until)
    if isinstance(position, int) and isinstance(bound, int) and position < bound:
        limit = min(limit, bound - position)
    tail = log.read(position, limit)
    transactions = [[typed_change(e) for e in decode(body)] for body in tail.bodies]
    return Feed(transactions, encode_position(tail.position), tail.more)
