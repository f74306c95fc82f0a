"""The notifications' durable state, in a SQLite file of its own (``TAGLINE_NOTIFY_STATE``, by
default beside an embedded store): the notices derived so far, numbered in order, with the place
in the change log they were derived up to and what the rules remember; the subscribers registered
through the API; each subscriber's cursor, its pending deliveries and its dead letter.

Every step is one transaction: notices are appended together with the change-log position they
cover and the rules' state; a subscriber's cursor moves together with the copies of the notices
into its pending queue; a delivery leaves the queue only once the receiver took it. A process
killed at any point therefore loses nothing and resends at most what it was sending.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tagline.api.notify.subscribers import Subscriber, subscriber
from tagline.errors import Conflict, NotFound
from tagline.governance.notifications import Notice

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS state (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notices (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
    subject TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscribers (name TEXT PRIMARY KEY, spec TEXT NOT NULL, origin TEXT NOT NULL,
    cursor INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pending (subscriber TEXT NOT NULL, seq INTEGER NOT NULL, attempts INTEGER NOT NULL,
    next_at REAL NOT NULL, error TEXT, PRIMARY KEY (subscriber, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead (subscriber TEXT NOT NULL, seq INTEGER NOT NULL, attempts INTEGER NOT NULL,
    error TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (subscriber, seq)) WITHOUT ROWID;
"""
FROM_FILE, FROM_API = "file", "api"
POSITION = "position"
PAST = "past"


@dataclass(frozen=True)
class Stored:
    """A notice as the outbox keeps it: its number is its id, unique and in derivation order."""

    seq: int
    kind: str
    subject: str
    at: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    notice: Stored
    attempts: int


@dataclass(frozen=True)
class DeadLetter:
    subscriber: str
    notice: Stored
    attempts: int
    error: str
    at: str


def state_path(store: str, configured: str | None) -> str:
    """Where the outbox lives: as configured, else beside an embedded store."""
    if configured:
        return configured
    if "://" in store:
        raise NotFound("set TAGLINE_NOTIFY_STATE to a file for the notifications' state: the store is a server")
    return str(Path(store).expanduser()) + ".notify"


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Outbox:
    def __init__(self, path: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection, used by one thread at a time (the derivation on the store's thread, the
        # deliveries after it): autocommit, with explicit transactions.
        self.con = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.executescript(SCHEMA)

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # ---- the rules' state (governance.notifications.NoticeState) ----------------------------------
    def get(self, kind: str, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM state WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return None if row is None else str(row[0])

    def put(self, kind: str, key: str, value: str | None) -> None:
        if value is None:
            self.con.execute("DELETE FROM state WHERE kind = ? AND key = ?", (kind, key))
        else:
            self.con.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)", (kind, key, value))

    def keys(self, kind: str) -> list[str]:
        return [k for (k,) in self.con.execute("SELECT key FROM state WHERE kind = ? ORDER BY key", (kind,))]

    # ---- derivation --------------------------------------------------------------------------------
    def position(self) -> str | None:
        """How far in the change log notices were derived (None: never started)."""
        row = self.con.execute("SELECT value FROM meta WHERE name = ?", (POSITION,)).fetchone()
        return None if row is None else str(row[0])

    def past(self) -> str | None:
        """Where the change log stood when notifications began: what lies before it is the past,
        learnt without notices."""
        row = self.con.execute("SELECT value FROM meta WHERE name = ?", (PAST,)).fetchone()
        return None if row is None else str(row[0])

    def begin(self, head: str) -> None:
        """Mark where notifications begin, once."""
        self.con.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (PAST, head))

    def append(self, notices: list[Notice], position: str) -> None:
        """Within a transaction: notices derived up to ``position``."""
        at = _now()
        self.con.executemany(
            "INSERT INTO notices (kind, subject, at, data) VALUES (?, ?, ?, ?)",
            [(n.kind, n.subject, at, json.dumps(n.data, sort_keys=True)) for n in notices],
        )
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (POSITION, position))

    def head(self) -> int:
        return int(self.con.execute("SELECT COALESCE(MAX(seq), 0) FROM notices").fetchone()[0])

    # ---- subscribers -------------------------------------------------------------------------------
    def subscribers(self) -> list[tuple[Subscriber, str, int]]:
        """Every subscriber, with where it was registered and its cursor, by name."""
        rows = self.con.execute("SELECT spec, origin, cursor FROM subscribers ORDER BY name").fetchall()
        return [(subscriber(json.loads(spec), "the notifications' state"), origin, int(c)) for spec, origin, c in rows]

    def find(self, name: str) -> Subscriber:
        for found, _, _ in self.subscribers():
            if found.name == name:
                return found
        raise NotFound(f"no subscriber is named {name!r}")

    def register(self, new: Subscriber, origin: str = FROM_API) -> None:
        """Add a subscriber (it receives what is derived from now on), or change one of the same
        origin (it keeps its cursor)."""
        with self.transaction():
            row = self.con.execute("SELECT origin FROM subscribers WHERE name = ?", (new.name,)).fetchone()
            if row is not None and row[0] != origin:
                raise Conflict(f"the subscriber {new.name!r} is registered in the {row[0]} already")
            spec = json.dumps(new.as_dict(), sort_keys=True)
            if row is None:
                self.con.execute("INSERT INTO subscribers VALUES (?, ?, ?, ?)", (new.name, spec, origin, self.head()))
            else:
                self.con.execute("UPDATE subscribers SET spec = ? WHERE name = ?", (spec, new.name))

    def unregister(self, name: str, origin: str = FROM_API) -> bool:
        """Forget a subscriber and its pending deliveries (its dead letter stays to be read)."""
        with self.transaction():
            gone = self.con.execute("DELETE FROM subscribers WHERE name = ? AND origin = ?", (name, origin)).rowcount
            self.con.execute("DELETE FROM pending WHERE subscriber = ?", (name,))
        return bool(gone)

    def sync_file(self, listed: list[Subscriber]) -> None:
        """Make the subscribers of the file those registered from it."""
        names = {s.name for s in listed}
        for found, origin, _ in self.subscribers():
            if origin == FROM_FILE and found.name not in names:
                self.unregister(found.name, FROM_FILE)
        for entry in listed:
            self.register(entry, FROM_FILE)

    # ---- deliveries --------------------------------------------------------------------------------
    def enqueue(self) -> int:
        """Copy each subscriber's new notices (of the kinds it wants) into its queue; how many."""
        copied = 0
        with self.transaction():
            head = self.head()
            for found, _, cursor in self.subscribers():
                if cursor >= head:
                    continue
                rows = self.con.execute("SELECT seq, kind FROM notices WHERE seq > ?", (cursor,)).fetchall()
                wanted = [(found.name, seq) for seq, kind in rows if found.wants(kind)]
                self.con.executemany("INSERT OR IGNORE INTO pending VALUES (?, ?, 0, 0, NULL)", wanted)
                self.con.execute("UPDATE subscribers SET cursor = ? WHERE name = ?", (head, found.name))
                copied += len(wanted)
        return copied

    def due(self, name: str, now: float, limit: int) -> list[Delivery]:
        """The deliveries to try now, in order: per subject its oldest pending notices, unless the
        oldest waits for its next try (then none of that subject's: they wait behind it)."""
        rows = self.con.execute(
            "SELECT n.seq, n.kind, n.subject, n.at, n.data, p.attempts, p.next_at FROM pending p "
            "JOIN notices n ON n.seq = p.seq WHERE p.subscriber = ? ORDER BY p.seq",
            (name,),
        ).fetchall()
        waiting: set[str] = set()
        found = []
        for seq, kind, subject, at, data, attempts, next_at in rows:
            if subject in waiting:
                continue
            if next_at > now:
                waiting.add(subject)
                continue
            found.append(Delivery(Stored(seq, kind, subject, at, json.loads(data)), attempts))
            if len(found) == limit:
                break
        return found

    def delivered(self, name: str, seqs: list[int]) -> None:
        with self.transaction():
            self.con.executemany("DELETE FROM pending WHERE subscriber = ? AND seq = ?", [(name, s) for s in seqs])

    def failed(self, name: str, delivery: Delivery, error: str, retry_at: float | None) -> None:
        """A failed try: tried again at ``retry_at``, or (None) moved to the dead letter."""
        seq, attempts = delivery.notice.seq, delivery.attempts + 1
        with self.transaction():
            if retry_at is None:
                self.con.execute("DELETE FROM pending WHERE subscriber = ? AND seq = ?", (name, seq))
                self.con.execute(
                    "INSERT OR REPLACE INTO dead VALUES (?, ?, ?, ?, ?)", (name, seq, attempts, error, _now())
                )
            else:
                self.con.execute(
                    "UPDATE pending SET attempts = ?, next_at = ?, error = ? WHERE subscriber = ? AND seq = ?",
                    (attempts, retry_at, error, name, seq),
                )

    def pending_count(self, name: str) -> int:
        return int(self.con.execute("SELECT COUNT(*) FROM pending WHERE subscriber = ?", (name,)).fetchone()[0])

    def dead_letters(self, name: str | None = None) -> list[DeadLetter]:
        rows = self.con.execute(
            "SELECT d.subscriber, n.seq, n.kind, n.subject, n.at, n.data, d.attempts, d.error, d.at FROM dead d "
            "JOIN notices n ON n.seq = d.seq WHERE ? IS NULL OR d.subscriber = ? ORDER BY d.subscriber, d.seq",
            (name, name),
        ).fetchall()
        return [
            DeadLetter(sub, Stored(seq, kind, subject, at, json.loads(data)), attempts, error, failed_at)
            for sub, seq, kind, subject, at, data, attempts, error, failed_at in rows
        ]

    def replay(self, name: str, seqs: list[int] | None = None) -> int:
        """Put dead letters of a subscriber back in its queue (all, or those numbered ``seqs``),
        to be tried afresh before the later notices of their subjects; how many."""
        with self.transaction():
            rows = self.con.execute("SELECT seq FROM dead WHERE subscriber = ?", (name,)).fetchall()
            chosen = [s for (s,) in rows if seqs is None or s in seqs]
            self.con.executemany("INSERT OR IGNORE INTO pending VALUES (?, ?, 0, 0, NULL)", [(name, s) for s in chosen])
            self.con.executemany("DELETE FROM dead WHERE subscriber = ? AND seq = ?", [(name, s) for s in chosen])
        return len(chosen)
