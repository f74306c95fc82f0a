"""Where the text of a logged event is kept: beside the graph, not in it.

On the embedded store every string property is a row of GremLite's unique string index, so an
event of a few megabytes stored as a property made every later write slower for good. The
payloads live instead in a table of the same SQLite file (compressed, written in the same
transaction as the event's vertex); on a Gremlin Server, where a property is indexed only when
the schema says so, they stay a property of the event vertex.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable
from typing import Protocol

from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.graph import schema
from tagline.graph.reader import chunks

PAYLOAD = "payload"


class Payloads(Protocol):
    def put(self, g: GraphTraversalSource, key: str, text: str) -> None: ...

    def get(self, g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, str]: ...


class SqlitePayloads:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        con.execute(
            "CREATE TABLE IF NOT EXISTS tagline_payloads (key TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID"
        )

    def put(self, g: GraphTraversalSource, key: str, text: str) -> None:
        self.con.execute(
            "INSERT OR REPLACE INTO tagline_payloads VALUES (?, ?)", (key, zlib.compress(text.encode(), 1))
        )

    def get(self, g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, str]:
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        for part in chunks(wanted):
            marks = ",".join("?" * len(part))
            for key, body in self.con.execute(
                f"SELECT key, body FROM tagline_payloads WHERE key IN ({marks})", list(part)
            ):
                found[key] = zlib.decompress(body).decode()
        # Events logged before payloads moved out of the graph keep theirs as a property.
        missing = [k for k in wanted if k not in found]
        found.update(GremlinPayloads().get(g, missing) if missing else {})
        return found


class GremlinPayloads:
    def put(self, g: GraphTraversalSource, key: str, text: str) -> None:
        g.V().has(schema.KEY, key).property(PAYLOAD, text).iterate()

    def get(self, g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(sorted(set(keys))):
            rows = (
                g.V()
                .has(schema.KEY, P.within(list(part)))
                .has(PAYLOAD)
                .project("k", "p")
                .by(schema.KEY)
                .by(PAYLOAD)
                .to_list()
            )
            found.update((r["k"], r["p"]) for r in rows)
        return found
