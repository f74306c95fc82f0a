"""The change log: every write transaction appends what it changed, in the same transaction.

It is how each process's lineage index stays current with writes made by any process (a CLI
ingest beside a running server, a second API replica): the index remembers how far it has read
and applies the tail. Two backends, one per kind of store:

- embedded (GremLite): a plain table in the same SQLite file, written through the same
  connection inside the same ``BEGIN IMMEDIATE`` transaction as the graph rows, so a change and
  its log entry commit together or not at all; positions are SQLite's autoincrement sequence.
- Gremlin Server (JanusGraph): ``change`` vertices written in the transaction of the change,
  read by their commit-time stamp with a look-back window, since a remote store hands out no
  sequence numbers. Entries are told apart by their unique key, so one read twice applies once.

Each append returns the entry's **position** as clients see it (a write's answer carries it, and a
read may ask to wait until the index has passed it, ``X-Tagline-After``): on the embedded store
the sequence number (``"1234"``), on a Gremlin Server the entry's stamp and random part
(``"1733600000123-a1b2c3d4e5f6"``). :meth:`ChangeLog.passed` tells whether an index's place in the
log is at or beyond one.
"""

from __future__ import annotations

import base64
import random
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import P
from gremlin_python.statics import long

from tagline.graph import schema
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.model import KEY_FORMAT
from tagline.graph.reader import chunks

# The largest number of transactions read from the log in one go.
READ_LIMIT = 500
CHANGE = "change"
CHANGE_AT = "change_at"
CHANGE_BODY = "change_body"
# How far back a remote reader looks for transactions that committed after later-stamped ones.
REMOTE_LOOKBACK_MS = 120_000


@dataclass
class Tail:
    """Transactions read from the log: their bodies in commit order, and where reading stopped."""

    bodies: list[bytes | str]
    position: object
    more: bool


class ChangeLog(Protocol):
    store_id: str
    complete: bool

    def append(self, g: GraphTraversalSource, changes: ChangeSet) -> str: ...

    def origin(self) -> str: ...

    def passed(self, position: object, written: str) -> bool: ...

    def read(self, position: object, limit: int = READ_LIMIT) -> Tail: ...

    def start(self) -> object: ...

    def meta(self, name: str) -> str | None: ...

    def unread(self, position: object) -> int: ...

    def set_meta(self, g: GraphTraversalSource, name: str, value: str) -> None: ...


class SqliteChangeLog:
    """The log as a table beside GremLite's own, in the same file and transactions."""

    def __init__(self, con: sqlite3.Connection, has_graph: bool) -> None:
        self.con = con
        existed = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'tagline_changes'").fetchone()
        if not existed:
            # A store written before the log existed holds lineage the log never saw; the index
            # of such a store is built from the graph itself once, then follows the log.
            con.execute("BEGIN IMMEDIATE")
            con.execute(
                "CREATE TABLE IF NOT EXISTS tagline_changes "
                "(seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, body TEXT NOT NULL)"
            )
            con.execute("CREATE TABLE IF NOT EXISTS tagline_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            # A new store is written with today's keys; an older one is checked when opened.
            meta = {"store_id": secrets.token_hex(8), "complete": "0" if has_graph else "1"}
            if not has_graph:
                meta["key_format"] = str(KEY_FORMAT)
            con.executemany("INSERT OR IGNORE INTO tagline_meta VALUES (?, ?)", meta.items())
            con.commit()
        meta = dict(con.execute("SELECT name, value FROM tagline_meta").fetchall())
        self.store_id = meta["store_id"]
        self.complete = meta["complete"] == "1"

    def append(self, g: GraphTraversalSource, changes: ChangeSet) -> str:
        cursor = self.con.execute(
            "INSERT INTO tagline_changes (at, body) VALUES (?, ?)",
            (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), changes.encode()),
        )
        return str(cursor.lastrowid)

    def origin(self) -> str:
        """The position before any write: every index has passed it."""
        return "0"

    def passed(self, position: object, written: str) -> bool:
        """Whether an index at ``position`` has applied the entry at ``written`` (a sequence number)."""
        if not written.isdigit():
            raise ValueError(f"{written!r} is not a position of the embedded store's change log (a whole number)")
        return int(position) >= int(written)  # type: ignore[call-overload]

    def start(self) -> int:
        return 0

    def meta(self, name: str) -> str | None:
        row = self.con.execute("SELECT value FROM tagline_meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, g: GraphTraversalSource, name: str, value: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO tagline_meta VALUES (?, ?)", (name, value))

    def head(self) -> int:
        return int(self.con.execute("SELECT COALESCE(MAX(seq), 0) FROM tagline_changes").fetchone()[0])

    def unread(self, position: object) -> int:
        """How many logged transactions lie beyond ``position``."""
        return self.head() - int(position)  # type: ignore[call-overload]

    def read(self, position: object, limit: int = READ_LIMIT) -> Tail:
        after = int(position)  # type: ignore[call-overload]
        rows = self.con.execute(
            "SELECT seq, body FROM tagline_changes WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit)
        ).fetchall()
        return Tail(bodies=[b for _, b in rows], position=rows[-1][0] if rows else after, more=len(rows) == limit)

    def size_bytes(self) -> int:
        row = self.con.execute("SELECT COALESCE(SUM(LENGTH(body)), 0) FROM tagline_changes").fetchone()
        return int(row[0])


def reader_of(path: str, busy_timeout_s: float) -> SqliteChangeLog:
    """The change log of the embedded store at ``path`` on a read-only connection of its own, for a
    thread other than the one writing: the log's head costs one indexed read (the largest key of
    its table), and in WAL mode no reader waits for a writer."""
    uri = Path(path).expanduser().resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=busy_timeout_s, check_same_thread=False)
    return SqliteChangeLog(con, has_graph=True)


@dataclass
class RemotePosition:
    """How far a remote reader got: the newest stamp read and the keys read within the look-back."""

    stamp: int = 0
    seen: dict[str, int] = field(default_factory=dict)


# A remote entry's position: its commit-time stamp (ms) and its random part.
REMOTE_POSITION = re.compile(r"(?P<stamp>[0-9]{1,15})-(?P<token>[0-9a-f]{1,32})")

# Tries at reading or creating the store's meta vertex when processes open an empty graph at once.
META_ATTEMPTS = 5


class GremlinChangeLog:
    """The log as ``change`` vertices in a Gremlin Server store."""

    def __init__(self, g: GraphTraversalSource) -> None:
        self.g = g
        for attempt in range(1, META_ATTEMPTS + 1):
            if self._read_meta():
                return
            try:
                self._create_meta()
                return
            except Exception:
                # Processes opening the same empty graph at once race to create it: the unique
                # index on `uid` refuses all but one (or a lock times out on all): read again.
                if attempt == META_ATTEMPTS:
                    raise
                time.sleep(0.1 * attempt * (0.5 + random.random()))

    def _read_meta(self) -> bool:
        found = self.g.V().has(schema.KEY, "meta|store").value_map("store_id", "complete").to_list()
        if not found:
            return False
        meta = {k: v[0] for k, v in found[0].items()}
        self.store_id = str(meta["store_id"])
        self.complete = meta.get("complete") == "1"
        return True

    def _create_meta(self) -> None:
        # A graph with nothing in it yet has its whole life in the log from now on; one that holds
        # lineage written before the log existed has its index read from the graph.
        g = self.g
        fresh = not g.V().has(schema.VERTEX_LABEL_COPY, P.within(list(schema.VERTEX_LABELS))).limit(1).to_list()
        self.store_id = secrets.token_hex(8)
        self.complete = fresh
        step = (
            g.add_v("meta")
            .property(schema.VERTEX_LABEL_COPY, "meta")
            .property(schema.KEY, "meta|store")
            .property("store_id", self.store_id)
        )
        step = step.property("complete", "1" if fresh else "0")
        if fresh:
            step = step.property("key_format", str(KEY_FORMAT))
        step.iterate()

    def append(self, g: GraphTraversalSource, changes: ChangeSet) -> str:
        stamp = time.time_ns() // 1_000_000
        token = secrets.token_hex(6)
        key = f"chg|{stamp:015d}|{token}"
        body = base64.b64encode(changes.encode()).decode()
        # Milliseconds since the epoch outgrow 32 bits: GraphBinary needs them marked as a long.
        g.add_v(CHANGE).property(schema.VERTEX_LABEL_COPY, CHANGE).property(schema.KEY, key).property(
            CHANGE_AT, long(stamp)
        ).property(CHANGE_BODY, body).iterate()
        return f"{stamp}-{token}"

    def origin(self) -> str:
        """The position before any write: every index has passed it."""
        return "0-0"

    def passed(self, position: object, written: str) -> bool:
        """Whether an index at ``position`` has applied the entry ``written`` (``<stamp>-<random>``):
        it has read that entry, or the entry is older than the look-back, so every read since the
        index was built has covered it."""
        assert isinstance(position, RemotePosition)
        match = REMOTE_POSITION.fullmatch(written)
        if match is None:
            raise ValueError(f"{written!r} is not a position of the Gremlin Server's change log (<stamp>-<hex>)")
        stamp = int(match["stamp"])
        key = f"chg|{stamp:015d}|{match['token']}"
        return stamp == 0 or key in position.seen or stamp < position.stamp - REMOTE_LOOKBACK_MS

    def meta(self, name: str) -> str | None:
        found = self.g.V().has(schema.KEY, "meta|store").values(name).to_list()
        return str(found[0]) if found else None

    def set_meta(self, g: GraphTraversalSource, name: str, value: str) -> None:
        g.V().has(schema.KEY, "meta|store").property(name, value).iterate()

    def start(self) -> RemotePosition:
        """Reading from here covers the whole log when it is complete, else what commits from now."""
        return RemotePosition(stamp=REMOTE_LOOKBACK_MS if self.complete else time.time_ns() // 1_000_000)

    def unread(self, position: object) -> int:
        """How many logged transactions within the look-back a reader at ``position`` has not applied."""
        assert isinstance(position, RemotePosition)
        since = position.stamp - REMOTE_LOOKBACK_MS
        keys = self.g.V().has(CHANGE_AT, P.gte(long(since))).values(schema.KEY).to_list()
        return sum(1 for k in keys if k not in position.seen)

    def read(self, position: object, limit: int = READ_LIMIT) -> Tail:
        assert isinstance(position, RemotePosition)
        since = position.stamp - REMOTE_LOOKBACK_MS
        # Keys and stamps first, bodies then only of the entries not yet read: every reader reads
        # the whole look-back window each time, and during a bulk load it holds dozens of large
        # bodies that were all applied already.
        rows = self.g.V().has(CHANGE_AT, P.gte(long(since))).project("k", "t").by(schema.KEY).by(CHANGE_AT).to_list()
        rows.sort(key=lambda r: (r["t"], r["k"]))
        fresh = [r for r in rows if r["k"] not in position.seen]
        seen = {k: t for k, t in position.seen.items() if t >= since}
        seen.update((r["k"], int(r["t"])) for r in fresh)
        stamp = max([position.stamp, *(int(r["t"]) for r in fresh)])
        found = self._bodies([r["k"] for r in fresh])
        bodies: list[bytes | str] = [base64.b64decode(found[r["k"]]) for r in fresh]
        return Tail(bodies=bodies, position=RemotePosition(stamp, seen), more=False)

    def _bodies(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(keys, READ_LIMIT):
            rows = self.g.V().has(schema.KEY, P.within(list(part))).project("k", "b").by(schema.KEY).by(CHANGE_BODY)
            found.update((r["k"], r["b"]) for r in rows.to_list())
        return found


def bodies(log: ChangeLog, position: object) -> Iterator[tuple[list[bytes | str], object]]:
    """Every unread transaction, in batches, with the position after each batch."""
    while True:
        tail = log.read(position)
        if tail.bodies or tail.position != position:
            yield tail.bodies, tail.position
        position = tail.position
        if not tail.more:
            return
