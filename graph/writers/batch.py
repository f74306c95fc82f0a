"""Idempotent writes of a :class:`LineageBatch`: get-or-create by key, inside one transaction.

Writing the same batch twice leaves vertex and edge counts unchanged; only ``last_seen`` (and the
expiry of ad-hoc lineage) moves. Vertex ids are looked up in batches and remembered in a
:class:`KeyCache`; it can be shared safely with other processes writing the same store because ids
are never reused and vertices are never deleted, so a remembered id is never wrong. Edge ids are
not cached: expired ad-hoc edges are purged, possibly by another process.

Everything written to the lineage is also recorded in the transaction's :class:`ChangeSet`, with
exactly the properties stored, for the change log that keeps every lineage index current.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import schema
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.model import (
    ColumnRef,
    DatasetAccess,
    DatasetRef,
    JobRef,
    LineageBatch,
)
from tagline.graph.reader import edges_by_keys, find_by_keys, vertices_by_ids
from tagline.graph.records import EdgeRecord, VertexId, WriteResult
from tagline.graph.schema import owners_value
from tagline.graph.timefmt import iso
from tagline.graph.writers import embedded_rows, gremlin_bulk
from tagline.graph.writers.gremlin_bulk import NewEdge, NewVertex
from tagline.graph.writers.runs import record_runs

# A new edge as the writer knows it before ids: label, (out key, in key), properties.
KeyedEdge = tuple[str, tuple[str, str], dict[str, Any]]


class KeyCache:
    """key -> vertex id, filled only with ids that are known to be committed."""

    def __init__(self) -> None:
        self._ids: dict[str, VertexId] = {}

    def get(self, key: str) -> VertexId | None:
        return self._ids.get(key)

    def update(self, ids: dict[str, VertexId]) -> None:
        self._ids.update(ids)


@dataclass
class VertexSpec:
    label: str
    props: dict[str, Any]


@dataclass
class EdgeSpec:
    label: str
    key: str
    out_key: str
    in_key: str
    props: dict[str, Any]
    seen: str | None = None  # when the engine ran it (ISO-8601), if the input says


def _merge(specs: dict[str, VertexSpec], key: str, label: str, props: dict[str, Any]) -> None:
    spec = specs.setdefault(key, VertexSpec(label=label, props={schema.KEY: key}))
    for name, value in props.items():
        if value is not None:
            spec.props[name] = value


def _dataset_props(ref: DatasetRef) -> dict[str, Any]:
    return {"namespace": ref.namespace, "name": ref.name}


def _column_props(ref: ColumnRef) -> dict[str, Any]:
    return {"namespace": ref.namespace, "dataset": ref.dataset, "field": ref.field}


def _job_props(ref: JobRef) -> dict[str, Any]:
    return {"namespace": ref.namespace, "name": ref.name}


def vertex_specs(batch: LineageBatch) -> dict[str, VertexSpec]:
    """Every vertex the batch names, explicitly or as the end of an edge, merged by key."""
    specs: dict[str, VertexSpec] = {}

    def column(ref: ColumnRef, **extra: Any) -> None:
        _merge(specs, ref.dataset_ref.key, schema.DATASET, _dataset_props(ref.dataset_ref))
        _merge(specs, ref.key, schema.COLUMN, {**_column_props(ref), **extra})

    for ds in batch.datasets:
        _merge(
            specs,
            ds.key,
            schema.DATASET,
            {
                **_dataset_props(ds),
                "kind": ds.kind,
                "description": ds.description,
                schema.OWNERS: owners_value(ds.owners),
            },
        )
    for col in batch.columns:
        column(col, data_type=col.data_type, description=col.description)
    for job in batch.jobs:
        _merge(
            specs,
            job.key,
            schema.JOB,
            {
                **_job_props(job),
                "description": job.description,
                "schedule": job.schedule,
                "last_run_at": iso(job.last_run_at) if job.last_run_at else None,
                "last_run_state": job.last_run_state.value if job.last_run_state else None,
                "last_run_id": job.last_run_id,
                schema.OWNERS: owners_value(job.owners),
            },
        )
    for edge in batch.edges:
        column(edge.source)
        column(edge.target)
        if edge.job:
            _merge(specs, edge.job.key, schema.JOB, _job_props(edge.job))
    for access in [*batch.reads, *batch.writes]:
        _merge(specs, access.job.key, schema.JOB, _job_props(access.job))
        _merge(specs, access.dataset.key, schema.DATASET, _dataset_props(access.dataset))
    for alias in batch.aliases:
        _merge(
            specs, alias.alias.key, schema.DATASET, {**_dataset_props(alias.alias), schema.ALIAS_OF: alias.dataset.key}
        )
    for rename in batch.renames:
        _merge(specs, rename.old.key, schema.DATASET, {**_dataset_props(rename.old), schema.RENAMED_TO: rename.new.key})
    return specs


def edge_specs(batch: LineageBatch, now: str) -> dict[str, EdgeSpec]:
    specs: dict[str, EdgeSpec] = {}
    for edge in batch.edges:
        t = edge.transformation
        expires = iso(edge.expires_at) if edge.expires_at else None
        seen = iso(edge.seen_at) if edge.seen_at else None
        known = specs.get(edge.key)
        if known is not None:
            known.props["expires_at"] = schema.later_expiry(known.props["expires_at"], expires)
            known.seen = max(filter(None, (known.seen, seen)), default=None)
            continue
        specs[edge.key] = EdgeSpec(
            label=schema.DERIVES,
            key=edge.key,
            out_key=edge.source.key,
            in_key=edge.target.key,
            props={
                "job": edge.job.key if edge.job else "",
                "type": t.type.value,
                "subtype": t.subtype.value if t.subtype else "",
                "masking": t.masking,
                "description": t.description or "",
                "expression": edge.expression or "",
                "expires_at": expires,
            },
            seen=seen,
        )
    for label, accesses in ((schema.READS, batch.reads), (schema.WRITES, batch.writes)):
        for access in accesses:
            _access_spec(specs, label, access, now)
    return specs


def _access_spec(specs: dict[str, EdgeSpec], label: str, access: DatasetAccess, now: str) -> None:
    key = schema.access_key(label, access.job.key, access.dataset.key)
    at = iso(access.at) if access.at else now
    known = specs.get(key)
    if known is not None:
        known.props["last_at"] = max(known.props["last_at"], at)
        return
    specs[key] = EdgeSpec(
        label=label, key=key, out_key=access.job.key, in_key=access.dataset.key, props={"last_at": at}
    )


class BatchWriter:
    """Writes batches through one connection, remembering vertex ids between batches.

    ``rows`` is the embedded store's SQLite connection, into which new elements and refreshed
    edge properties are written as rows, all of a batch at once (see
    ``graph/writers/embedded_rows.py``); None on a Gremlin Server.
    """

    def __init__(self, cache: KeyCache, rows: sqlite3.Connection | None = None) -> None:
        self.cache = cache
        self.rows = embedded_rows.RowBatch(rows) if rows is not None else None

    def write(self, g: GraphTraversalSource, batch: LineageBatch, at: datetime, changes: ChangeSet) -> WriteResult:
        """Write ``batch`` with traversal source ``g`` (already inside a transaction)."""
        now = iso(at)
        result = WriteResult()
        if self.rows is not None:
            self.rows.discard()  # rows of a transaction that failed before its flush
        vspecs = vertex_specs(batch)
        ids = self._resolve(g, vspecs.keys())
        self._update_existing(g, {k: s for k, s in vspecs.items() if k in ids}, ids, changes)
        new_vertices = {k: s for k, s in vspecs.items() if k not in ids}
        ids.update(self._create_vertices(g, new_vertices, now, changes))
        result.vertices_created += len(new_vertices)
        new_edges: list[KeyedEdge] = [
            (schema.HAS_COLUMN, (schema.dataset_key_of_column(s.props), k), {})
            for k, s in new_vertices.items()
            if s.label == schema.COLUMN
        ]
        especs = edge_specs(batch, now)
        existing = edges_by_keys(g, especs.keys())
        new_edge_keys = set()
        for key, edge_spec in especs.items():
            if key in existing:
                self._refresh_edge(g, existing[key], edge_spec, now, changes)
                result.edges_refreshed += 1
            else:
                seen = edge_spec.seen or now
                props = {schema.KEY: key, "first_seen": seen, "last_seen": seen, "ingested_at": now, **edge_spec.props}
                new_edges.append((edge_spec.label, (edge_spec.out_key, edge_spec.in_key), props))
                new_edge_keys.add(key)
        self._create_edges(g, new_edges, ids, changes)
        result.edges_created += len(new_edges)
        result.pending = sorted(
            {s.in_key for k, s in especs.items() if k in new_edge_keys and s.label == schema.DERIVES}
        )
        result.new_column_edges = [e for e in batch.edges if e.key in new_edge_keys]
        result.ids = ids
        if self.rows is not None:
            self.rows.flush()  # before any other write of the transaction takes an element id
        if batch.runs:
            record_runs(g, batch.runs)
        return result

    def _resolve(self, g: GraphTraversalSource, keys: Iterable[str]) -> dict[str, VertexId]:
        ids: dict[str, VertexId] = {}
        missing = []
        for key in keys:
            cached = self.cache.get(key)
            if cached is None:
                missing.append(key)
            else:
                ids[key] = cached
        ids.update({key: rec.id for key, rec in find_by_keys(g, missing).items()})
        return ids

    def _create_vertices(
        self, g: GraphTraversalSource, specs: dict[str, VertexSpec], now: str, changes: ChangeSet
    ) -> dict[str, VertexId]:
        """Create the vertices of ``specs`` (by key), many to a request on a Gremlin Server; their ids."""
        made = {key: NewVertex(spec.label, {**spec.props, "first_seen": now}) for key, spec in specs.items()}
        for key, vertex in made.items():
            changes.vertex(key, vertex.label, {n: v for n, v in vertex.props.items() if n != schema.KEY})
        if self.rows is not None:
            rows = self.rows
            return {key: rows.create_vertex(v.label, v.props) for key, v in made.items()}
        return dict(zip(made, gremlin_bulk.create_vertices(g, list(made.values())), strict=True))

    @staticmethod
    def _update_existing(
        g: GraphTraversalSource, specs: dict[str, VertexSpec], ids: dict[str, VertexId], changes: ChangeSet
    ) -> None:
        """Set what a batch says about known vertices, reading them first so that unchanged
        properties cost no write and an older job run never overwrites a newer one."""
        with_news = {k: s for k, s in specs.items() if set(s.props) - schema.IDENTITY_PROPS}
        if not with_news:
            return
        current = vertices_by_ids(g, [ids[k] for k in with_news])
        for key, spec in with_news.items():
            record = current.get(ids[key])
            if record is None:
                continue
            news = schema.vertex_changes(record.props, spec.props)
            if news:
                step = g.V(record.id)
                for name, value in news.items():
                    step = step.property(name, value)
                step.iterate()
                changes.vertex(key, spec.label, news)

    def _create_edges(
        self,
        g: GraphTraversalSource,
        edges: list[KeyedEdge],
        ids: dict[str, VertexId],
        changes: ChangeSet,
    ) -> None:
        """Create ``edges`` (label, (out key, in key), properties), many to a request on a Gremlin Server."""
        made = []
        for label, ends, props in edges:
            # Empty and false values are not stored: readers take a missing property as such, and
            # each property costs the store a write.
            stored = {n: v for n, v in props.items() if v not in (None, "", False)}
            made.append(NewEdge(ids[ends[0]], label, ids[ends[1]], stored))
            logged = {n: v for n, v in stored.items() if n != schema.KEY}
            changes.edge(schema.edge_key(label, *ends, logged), label, *ends, logged)
        if self.rows is not None:
            for edge in made:
                self.rows.create_edge(edge.out_id, edge.label, edge.in_id, edge.props)
        else:
            gremlin_bulk.create_edges(g, made)

    def _refresh_edge(
        self, g: GraphTraversalSource, current: EdgeRecord, spec: EdgeSpec, now: str, changes: ChangeSet
    ) -> None:
        seen = spec.seen or now
        news: dict[str, Any] = {"ingested_at": now}
        if seen > str(current.props.get("last_seen", "")):
            news["last_seen"] = seen
        if seen < str(current.props.get("first_seen", seen)):  # history told late: it began earlier
            news["first_seen"] = seen
        if "last_at" in spec.props:
            news["last_at"] = max(str(current.props.get("last_at", "")), spec.props["last_at"])
        if spec.label == schema.DERIVES and "expires_at" in current.props:
            expiry = schema.later_expiry(current.props["expires_at"], spec.props.get("expires_at"))
            if expiry != current.props["expires_at"]:
                news["expires_at"] = expiry
        if self.rows is not None:
            self.rows.set_edge_properties(current.id, current.props, news)  # type: ignore[arg-type]
        else:
            step = g.E(current.id)
            for name, value in news.items():
                if value is not None:
                    step = step.property(name, value)
            step.iterate()
            if "expires_at" in news and news["expires_at"] is None:
                g.E(current.id).properties("expires_at").drop().iterate()
        changes.edge(spec.key, spec.label, spec.out_key, spec.in_key, news)
