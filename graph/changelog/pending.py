"""Pending marks: the columns whose incoming lineage changed and that tag propagation has not yet
taken into account.

A write marks them in its own transaction and the propagation that follows clears them in its
own, so a crash between the two leaves the marks and the next propagation picks the columns up:
tags never silently lag behind lineage. On the embedded store the marks are rows of a small table
in the same SQLite file (a bulk load marks a million columns; as vertex properties, setting and
clearing them would cost more than the load); on a Gremlin Server they are a property of the
column vertex.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Protocol

from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.graph import schema
from tagline.graph.reader import chunks
from tagline.graph.records import VertexId


class PendingMarks(Protocol):
    def mark(self, g: GraphTraversalSource, keys: Iterable[str], ids: Mapping[str, VertexId] | None = None) -> None:
        """Mark the columns of ``keys``; ``ids`` are the vertex ids the writer knows for some of them."""

    def clear(self, g: GraphTraversalSource, keys: Iterable[str]) -> None: ...

    def keys(self) -> list[str]: ...


class SqlitePendingMarks:
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        con.execute("CREATE TABLE IF NOT EXISTS tagline_pending (key TEXT PRIMARY KEY) WITHOUT ROWID")

    def mark(self, g: GraphTraversalSource, keys: Iterable[str], ids: Mapping[str, VertexId] | None = None) -> None:
        self.con.executemany("INSERT OR IGNORE INTO tagline_pending VALUES (?)", ((k,) for k in keys))

    def clear(self, g: GraphTraversalSource, keys: Iterable[str]) -> None:
        self.con.executemany("DELETE FROM tagline_pending WHERE key = ?", ((k,) for k in keys))

    def keys(self) -> list[str]:
        return [k for (k,) in self.con.execute("SELECT key FROM tagline_pending ORDER BY key")]


class GremlinPendingMarks:
    def __init__(self, g: GraphTraversalSource) -> None:
        self.g = g

    def mark(self, g: GraphTraversalSource, keys: Iterable[str], ids: Mapping[str, VertexId] | None = None) -> None:
        # By id where the writer knows it (every column of the batch it just wrote): a look-up of
        # hundreds of keys in the unique index, inside a transaction full of new vertices, cost
        # JanusGraph a fifth of a bulk load.
        known = ids or {}
        wanted = sorted(set(keys))
        for by_id in chunks([known[k] for k in wanted if k in known]):
            g.V(list(by_id)).property(schema.TAGS_PENDING, True).iterate()
        for by_key in chunks([k for k in wanted if k not in known]):
            g.V().has(schema.KEY, P.within(list(by_key))).property(schema.TAGS_PENDING, True).iterate()

    def clear(self, g: GraphTraversalSource, keys: Iterable[str]) -> None:
        for part in chunks(sorted(set(keys))):
            g.V().has(schema.KEY, P.within(list(part))).properties(schema.TAGS_PENDING).drop().iterate()

    def keys(self) -> list[str]:
        return sorted(self.g.V().has(schema.TAGS_PENDING, True).values(schema.KEY).to_list())
