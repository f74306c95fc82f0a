"""Storage of governance state: tag properties on column vertices and the append-only audit log.

The audit log is one `audit` vertex per entry, written in the same transaction as the change it
records. This module offers appending and reading, and nothing that edits or deletes an entry.
On the embedded store a propagation's tag states and audit entries are written as GremLite rows,
one statement per table for all of them (see ``graph/writers/embedded_rows.py``): a full
propagation changes the tags of a large share of the warehouse at once.
"""

from __future__ import annotations

import secrets
from typing import Any

from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.graph import schema
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.reader import labelled
from tagline.graph.writers import embedded_rows

AUDIT_FIELDS = ("at", "actor", "column", "tag", "change", "cause")


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
    for key, props in updates.items():
        kept = {n: v for n, v in props.items() if v is not None}
        dropped = [n for n, v in props.items() if v is None]
        step = g.V().has(schema.KEY, key)
        for name, value in kept.items():
            step = step.property(name, value)
        if not step.id_().to_list():
            continue
        if dropped:
            g.V().has(schema.KEY, key).properties(*dropped).drop().iterate()
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


def append_audit(
    g: GraphTraversalSource, entries: list[dict[str, str]], rows: embedded_rows.RowBatch | None = None
) -> None:
    """Append entries; their keys sort by time, then by the order they were given in. On the
    embedded store (``rows``) the entries' vertices are written as GremLite rows, all at once:
    they are new, so nothing is read first."""
    batch = secrets.token_hex(4)
    for n, entry in enumerate(entries):
        props = {schema.KEY: f"a|{entry['at']}|{batch}|{n:06d}", **{name: entry[name] for name in AUDIT_FIELDS}}
        if rows is not None:
            rows.create_vertex(schema.AUDIT, props)
            continue
        step = g.add_v(schema.AUDIT).property(schema.VERTEX_LABEL_COPY, schema.AUDIT)
        for name, value in props.items():
            step = step.property(name, value)
        step.iterate()
    if rows is not None:
        rows.flush()


def audit_entries(
    g: GraphTraversalSource, equal: dict[str, str], indexed: bool, since: str | None = None, until: str | None = None
) -> list[dict[str, str]]:
    """Entries whose fields equal ``equal`` (column, tag, actor) within [since, until], newest first."""
    step = labelled(g, schema.AUDIT, indexed)
    for name, value in equal.items():
        step = step.has(name, value)
    if since:
        step = step.has("at", P.gte(since))
    if until:
        step = step.has("at", P.lte(until))
    rows = [_flat(row) for row in step.value_map().to_list()]
    return sorted(rows, key=lambda r: r[schema.KEY], reverse=True)
