"""Elements written straight into the embedded store's rows, in bulk: one statement per table.

A Gremlin ``addV``/``addE`` with its properties costs GremLite a parse of the traversal and a
read before every property it sets; its row functions (``querytools.create_edge``,
``record_edge_property``...) skip those but still cost a statement, and a look-up of every string,
per property: nine rows an edge, each alone. An element the writer has just found to be new has
nothing to replace, so a :class:`RowBatch` gathers the rows of many elements and writes them with
one ``executemany`` per table when flushed: the rows GremLite's own functions would write (its
tables, its value encoding, ids from its ``graphelts`` sequence), in a fraction of the time. Every
read, and every other change, still goes through Gremlin, and reads the rows back as its own.

Ids are handed out before the rows are written, from GremLite's id sequence read at the first
allocation; nothing else may take an id from it in between (a Gremlin write in the same
transaction before the flush). :meth:`RowBatch.flush` checks that, and refuses rather than let
two elements share an id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from gremlite.querytools import Constants, encode_property_value

from tagline.graph import schema
from tagline.graph.reader import chunks

_QUAD = "INSERT INTO quads (s, p, o, g) VALUES (?, ?, ?, ?)"


class RowBatch:
    """Rows of new elements and property changes of existing ones, written when flushed."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.discard()

    def discard(self) -> None:
        """Forget what was gathered (a transaction that failed before its flush)."""
        self._base: int | None = None  # GremLite's id sequence when the first id was handed out
        self._ids: list[int] = []
        # Rows whose strings (labels, property names, text values) are replaced by ids at the flush.
        self._labels: list[tuple[int, str]] = []  # (vertex, label)
        self._edges: list[tuple[int, str, int, int]] = []  # (out vertex, label, in vertex, edge)
        self._props: list[tuple[int, str, Any, int]] = []  # (subject, name, value, property id or 0)
        self._updates: list[tuple[Any, int, str]] = []  # (value, subject, property name)
        self._removals: list[tuple[int, str]] = []  # (edge subject, property name)
        self._replaced: list[tuple[Any, int, int]] = []  # (value, new property id, old property id)
        self._dropped: list[int] = []  # vertex property ids

    def __bool__(self) -> bool:
        return any((self._ids, self._props, self._updates, self._removals, self._replaced, self._dropped))

    def _take_id(self) -> int:
        if self._base is None:
            self._base = _sequence(self.con)
        new = self._base + len(self._ids) + 1
        self._ids.append(new)
        return new

    def create_vertex(self, label: str, props: dict[str, Any]) -> int:
        """A new vertex with its properties (each a graph element with its own id); its id."""
        vertex = self._take_id()
        self._labels.append((vertex, label))
        for name, value in props.items():
            self._props.append((vertex, name, value, self._take_id()))
        return vertex

    def create_edge(self, out_id: int, label: str, in_id: int, props: dict[str, Any]) -> None:
        edge = self._take_id()
        self._edges.append((out_id, label, in_id, edge))
        for name, value in props.items():
            self._props.append((-edge, name, value, Constants.NON_ID_G_VALUE))

    def set_edge_properties(self, edge: int, current: dict[str, Any], news: dict[str, Any]) -> None:
        """Set (None: remove) properties of an existing edge whose current properties are ``current``."""
        for name, value in news.items():
            if value is None:
                if name in current:
                    self._removals.append((-edge, name))
            elif name in current:
                self._updates.append((value, -edge, name))
            else:
                self._props.append((-edge, name, value, Constants.NON_ID_G_VALUE))

    def set_vertex_properties(self, vertex: int, current: dict[str, int], news: dict[str, Any]) -> None:
        """Set (None: remove) properties of an existing vertex; ``current``: the ids of those of its
        properties ``news`` names. A new value is a new property element, as in GremLite's
        ``replace_vertex_property``."""
        for name, value in news.items():
            old = current.get(name)
            if value is None:
                if old is not None:
                    self._dropped.append(old)
            elif old is None:
                self._props.append((vertex, name, value, self._take_id()))
            else:
                self._replaced.append((value, self._take_id(), old))

    def flush(self) -> None:
        """Write everything gathered, one statement per table, and start empty."""
        if not self:
            return
        if self._base is not None and _sequence(self.con) != self._base:
            raise RuntimeError("an element was created in the store between the row batch's ids and its flush")
        strings = self._string_ids()
        con = self.con
        con.executemany("INSERT INTO graphelts (id) VALUES (?)", ((i,) for i in self._ids))
        # GremLite's quads (see gremlite.connection): a vertex's label row, an edge's row with its
        # label and id negated, a property's row with its name and encoded value.
        label_row = Constants.HAS_LABEL_PREDICATE
        quads: list[tuple[int, int, Any, int]] = [(v, label_row, strings[label], 0) for v, label in self._labels]
        quads += [(out, -strings[label], into, -edge) for out, label, into, edge in self._edges]
        quads += [
            (s, strings[name], strings[value] if type(value) is str else _value_code(value, strings), g)
            for s, name, value, g in self._props
        ]
        con.executemany(_QUAD, quads)
        con.executemany(
            "UPDATE quads SET o = ? WHERE s = ? AND p = ?",
            [(_value_code(v, strings), s, strings[name]) for v, s, name in self._updates],
        )
        con.executemany("DELETE FROM quads WHERE s = ? AND p = ?", [(s, strings[name]) for s, name in self._removals])
        olds = [(old,) for old in [*self._dropped, *(old for _, _, old in self._replaced)]]
        con.executemany("DELETE FROM graphelts WHERE id = ?", olds)
        con.executemany(
            "UPDATE quads SET o = ?, g = ? WHERE g = ?",
            [(_value_code(v, strings), new, old) for v, new, old in self._replaced],
        )
        con.executemany("DELETE FROM quads WHERE g = ?", [(old,) for old in self._dropped])
        self.discard()

    def _string_ids(self) -> dict[str, int]:
        """Ids of every label, property name and text value gathered, adding those not yet stored."""
        wanted = {label for _, label in self._labels}
        wanted.update(label for _, label, _, _ in self._edges)
        wanted.update(name for _, name, _, _ in self._props)
        texts = [value for _, _, value, _ in self._props]
        wanted.update(v for v in texts if isinstance(v, str))
        wanted.update(str(v) for v in texts if isinstance(v, float))  # kept as its text (_value_code)
        for value, _, name in self._updates:
            wanted.add(name)
            _add_text(wanted, value)
        for value, _, _ in self._replaced:
            _add_text(wanted, value)
        wanted.update(name for _, name in self._removals)
        return string_ids(self.con, wanted, add=True)


def _sequence(con: sqlite3.Connection) -> int:
    """The greatest id GremLite's ``graphelts`` sequence has handed out (0 before the first)."""
    row = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'graphelts'").fetchone()
    return int(row[0]) if row else 0


def _add_text(wanted: set[str], value: Any) -> None:
    if isinstance(value, str):
        wanted.add(value)
    elif isinstance(value, float):
        wanted.add(str(value))  # GremLite keeps a float as the text of it (see _value_code)


def _value_code(value: Any, strings: dict[str, int]) -> Any:
    """GremLite's encoding of a property value: text as its string's id, a float as the id of its
    text shifted above every integer code, the rest (bool, int, None) as ``encode_property_value``
    gives it without reading the store."""
    if isinstance(value, str):
        return strings[value]
    if isinstance(value, float):
        return strings[str(value)] + Constants.MAX_INT
    return encode_property_value(None, value)


def string_ids(con: sqlite3.Connection, texts: Iterable[str], add: bool = False) -> dict[str, int]:
    """GremLite's ids of ``texts`` (those it does not hold are added if ``add``, else left out)."""
    wanted = list(dict.fromkeys(texts))
    found: dict[str, int] = {}
    for part in chunks(wanted, 5000):
        marks = ",".join("?" * len(part))
        found.update(con.execute(f"SELECT v, id FROM strings WHERE v IN ({marks})", list(part)))
    missing = [t for t in wanted if t not in found] if add else []
    if missing:
        # Inside the write transaction nothing else takes a string id, so the new rows get the
        # ids after the sequence's, in the order inserted: no need to read them back.
        row = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'strings'").fetchone()
        base = max(int(row[0]) if row else 0, con.execute("SELECT coalesce(max(id), 0) FROM strings").fetchone()[0])
        con.executemany("INSERT INTO strings (id, v) VALUES (?, ?)", enumerate(missing, base + 1))
        found.update(zip(missing, range(base + 1, base + 1 + len(missing)), strict=True))
    return found


def vertex_properties(
    con: sqlite3.Connection, vertices: Sequence[int], names: Sequence[str]
) -> dict[tuple[int, str], int]:
    """``(vertex, property name) -> property id`` of the named properties the vertices have."""
    ids = string_ids(con, names)
    by_id = {i: n for n, i in ids.items()}
    found: dict[tuple[int, str], int] = {}
    if not by_id:
        return found
    name_marks = ",".join("?" * len(by_id))
    for part in chunks(list(vertices), 500):
        marks = ",".join("?" * len(part))
        rows = con.execute(
            # Positive subjects and names: vertex property rows only (a condition on g would lead
            # SQLite to read every row of the property through the pg index).
            f"SELECT s, p, g FROM quads WHERE s IN ({marks}) AND p IN ({name_marks})",
            [*part, *by_id],
        )
        found.update(((s, by_id[p]), g) for s, p, g in rows)
    return found


def vertex_ids(con: sqlite3.Connection, keys: Iterable[str]) -> dict[str, int]:
    """Vertex ids by ``uid`` (keys the store does not hold are left out), as ``g.V().has('uid', k)``
    finds them, for many keys in a few statements."""
    texts = string_ids(con, [schema.KEY, *keys])
    name = texts.pop(schema.KEY, None)
    by_id = {i: k for k, i in texts.items()}
    found: dict[str, int] = {}
    if name is None:
        return found
    for part in chunks(list(by_id), 500):
        marks = ",".join("?" * len(part))
        rows = con.execute(f"SELECT o, s FROM quads WHERE p = ? AND o IN ({marks}) AND s > 0", [name, *part])
        found.update((by_id[o], s) for o, s in rows)
    return found
