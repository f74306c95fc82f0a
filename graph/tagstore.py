"""Storage of governance state: tag properties on column vertices and the append-only audit log.

The audit log is written in the same transaction as the change it records: on a Gremlin Server
one `audit` vertex per entry; on the embedded store one row per entry of a table beside GremLite's
own (like the change log), all of a propagation's entries in one statement, where a vertex would
cost eight rows. Entries written as vertices by earlier versions are still read. This module
offers appending and reading, and nothing that edits or deletes an entry.

On the embedded store a propagation's tag states are written as GremLite rows, one statement per
table for all of them (see ``graph/writers/embedded_rows.py``): a full propagation changes the
tags of a large share of the warehouse at once.
"""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.graph import schema
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.reader import find_by_keys, labelled
from tagline.graph.writers import embedded_rows

AUDIT_FIELDS = ("at", "actor", "column", "tag", "change", "cause")
_AUDIT_TABLE = "tagline_audit"


def _flat(value_map: dict[Any, Any]) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, list) and v else v for k, v in value_map.items() if isinstance(k, str)}


def update_columns(
    g: GraphTraversalSource,
    updates: dict[str, dict[str, Any]],
    changes: ChangeSet,
    rows: embedded_rows.RowBatch | None = None,
) -> None:
    """Set properties of columns by key; a value of None removes the property. Keys of columns
    the store does not hold change nothing."""
    if rows is not None:
        _update_rows(rows, updates, changes)
        return
    # Which columns are there is read first, in bulk: a write to a Gremlin Server is sent whole at
    # the end of its transaction (graph/sessionless.py), so it cannot say whether it found one.
    held = find_by_keys(g, updates)
    for key, props in updates.items():
        if key not in held:
            continue
        kept = {n: v for n, v in props.items() if v is not None}
        dropped = [n for n, v in props.items() if v is None]
        if kept:
            step = g.V(held[key].id)
            for name, value in kept.items():
                step = step.property(name, value)
            step.iterate()
        if dropped:
            g.V(held[key].id).properties(*dropped).drop().iterate()
        changes.vertex(key, schema.COLUMN, props)


def _update_rows(rows: embedded_rows.RowBatch, updates: dict[str, dict[str, Any]], changes: ChangeSet) -> None:
    ids = embedded_rows.vertex_ids(rows.con, updates)
    names = sorted({n for props in updates.values() for n in props})
    current = embedded_rows.vertex_properties(rows.con, list(ids.values()), names)
    for key, props in updates.items():
        vertex = ids.get(key)
        if vertex is None:
            continue
        rows.set_vertex_properties(vertex, {n: p for n in props if (p := current.get((vertex, n)))}, props)
        changes.vertex(key, schema.COLUMN, props)
    rows.flush()


def _audit_table(con: sqlite3.Connection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {_AUDIT_TABLE} ({schema.KEY} TEXT PRIMARY KEY, "
        + ", ".join(f'"{name}" TEXT NOT NULL' for name in AUDIT_FIELDS)
        + ")"
    )
    con.execute(f'CREATE INDEX IF NOT EXISTS {_AUDIT_TABLE}_column ON {_AUDIT_TABLE} ("column")')


def append_audit(
    g: GraphTraversalSource, entries: list[dict[str, str]], rows: sqlite3.Connection | None = None
) -> None:
    """Append entries; their keys sort by time, then by the order they were given in. On the
    embedded store (``rows``) as rows of the audit table, with one statement."""
    batch = secrets.token_hex(4)
    keyed = [(f"a|{entry['at']}|{batch}|{n:06d}", entry) for n, entry in enumerate(entries)]
    if rows is not None:
        if keyed:
            _audit_table(rows)
            marks = ", ".join("?" * (len(AUDIT_FIELDS) + 1))
            rows.executemany(
                f"INSERT INTO {_AUDIT_TABLE} VALUES ({marks})",
                [(key, *(entry[name] for name in AUDIT_FIELDS)) for key, entry in keyed],
            )
        return
    for key, entry in keyed:
        props = {schema.KEY: key, **{name: entry[name] for name in AUDIT_FIELDS}}
        step = g.add_v(schema.AUDIT).property(schema.VERTEX_LABEL_COPY, schema.AUDIT)
        for name, value in props.items():
            step = step.property(name, value)
        step.iterate()


def audit_entries(
    g: GraphTraversalSource,
    equal: dict[str, str],
    indexed: bool,
    since: str | None = None,
    until: str | None = None,
    rows: sqlite3.Connection | None = None,
) -> list[dict[str, str]]:
    """Entries whose fields equal ``equal`` (column, tag, actor) within [since, until], newest first;
    on the embedded store (``rows``) those of its audit table too."""
    found = _audit_vertices(g, equal, indexed, since, until)
    if rows is not None:
        found += _audit_rows(rows, equal, since, until)
    return sorted(found, key=lambda r: r[schema.KEY], reverse=True)


def _audit_rows(
    con: sqlite3.Connection, equal: dict[str, str], since: str | None, until: str | None
) -> list[dict[str, str]]:
    if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (_AUDIT_TABLE,)).fetchone():
        return []
    if set(equal) - set(AUDIT_FIELDS):
        return []  # no entry has such a field
    conditions = [f'"{name}" = ?' for name in equal]
    values = list(equal.values())
    for bound, op in ((since, ">="), (until, "<=")):
        if bound:
            conditions.append(f"at {op} ?")
            values.append(bound)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    names = (schema.KEY, *AUDIT_FIELDS)
    found = con.execute(f"SELECT * FROM {_AUDIT_TABLE}{where}", values)  # field names: AUDIT_FIELDS only
    return [dict(zip(names, row, strict=True)) for row in found]


def _audit_vertices(
    g: GraphTraversalSource, equal: dict[str, str], indexed: bool, since: str | None, until: str | None
) -> list[dict[str, str]]:
    step = labelled(g, schema.AUDIT, indexed)
    for name, value in equal.items():
        step = step.has(name, value)
    if since:
        step = step.has("at", P.gte(since))
    if until:
        step = step.has("at", P.lte(until))
    return [_flat(row) for row in step.value_map().to_list()]
