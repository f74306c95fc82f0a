"""What one write transaction did to the lineage graph, as the change log keeps it.

Every write path in ``graph/`` records here exactly the properties it stores (a value of ``None``
means the property was removed), so that applying the entries in order to an empty index gives
the lineage part of the store: datasets, columns and jobs, and their ``has_column``, ``derives``,
``reads`` and ``writes`` edges. The dead letter, event log and audit are not lineage and are not
logged. Entries are plain JSON arrays, compact because a large ingest logs millions of them:

- ``["v", key, label, props]``: a vertex created or some of its properties set;
- ``["e", key, label, out_key, in_key, props]``: an edge created or some of its properties set;
- ``["x", key, label, out_key, in_key]``: an edge removed;
- ``["r", old_key, new_key]``: a vertex's key rewritten (see ``graph/writers/key_migration.py``).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any

from tagline.graph import schema

VERTEX = "v"
EDGE = "e"
REMOVED = "x"
RENAMED = "r"
LOGGED_VERTEX_LABELS = frozenset(schema.VERTEX_LABELS)
LOGGED_EDGE_LABELS = frozenset(schema.EDGE_LABELS)

Entry = list[Any]


class ChangeSet:
    """The entries of one transaction, in the order the writes happened."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def vertex(self, key: str, label: str, props: dict[str, Any]) -> None:
        if label in LOGGED_VERTEX_LABELS and props:
            self.entries.append([VERTEX, key, label, props])

    def edge(self, key: str, label: str, out_key: str, in_key: str, props: dict[str, Any]) -> None:
        if label in LOGGED_EDGE_LABELS:
            self.entries.append([EDGE, key, label, out_key, in_key, props])

    def removed(self, key: str, label: str, out_key: str, in_key: str) -> None:
        if label in LOGGED_EDGE_LABELS:
            self.entries.append([REMOVED, key, label, out_key, in_key])

    def renamed(self, old_key: str, new_key: str) -> None:
        self.entries.append([RENAMED, old_key, new_key])

    def __bool__(self) -> bool:
        return bool(self.entries)

    def encode(self) -> bytes:
        # Compressed: a transaction's entries repeat namespaces, datasets and property names, and
        # the log would otherwise take as much room as the graph itself.
        return zlib.compress(json.dumps(self.entries, separators=(",", ":"), default=str).encode(), 1)


def decode(body: bytes | str) -> Iterator[Entry]:
    yield from json.loads(zlib.decompress(body) if isinstance(body, bytes) else body)
