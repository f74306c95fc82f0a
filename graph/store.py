"""The one object the rest of Tagline uses to reach the graph.

Not thread-safe: the embedded store's SQLite connection belongs to the thread that opened it, so
the API runs every store call on one dedicated thread (see ``api/store_thread.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import adjacency, deadletter, eventlog, reader, schema, sources, tagstore
from tagline.graph.connection import GraphConnection
from tagline.graph.deadletter import StoredFailure
from tagline.graph.eventlog import LoggedEvent
from tagline.graph.model import Dataset, DatasetRef, LineageBatch
from tagline.graph.reader import Direction
from tagline.graph.records import EdgeRecord, Hop, VertexId, VertexRecord
from tagline.graph.timefmt import iso, utcnow
from tagline.graph.traversal import Expansion, expand
from tagline.graph.writer import BatchWriter, KeyCache, WriteResult


class GraphStore:
    def __init__(self, location: str) -> None:
        self.location = location
        self.connection = GraphConnection(location)
        self._cache = KeyCache()
        self._writer = BatchWriter(self._cache)

    @property
    def g(self):  # noqa: ANN201 - gremlinpython's traversal source, for reads only
        return self.connection.g

    def write(self, batch: LineageBatch, kind: str = "sql", at: datetime | None = None) -> WriteResult:
        """Write a batch and its failures in one transaction: all of it lands, or none of it."""
        moment = at or utcnow()
        result = self.connection.write(lambda g: self._write_with_failures(g, batch, kind, moment))
        self._cache.update(result.ids)
        return result

    def _write_with_failures(
        self, g: GraphTraversalSource, batch: LineageBatch, kind: str, moment: datetime
    ) -> WriteResult:
        result = self._writer.write(g, batch, moment)
        for failure in batch.failures:
            deadletter.add_failure(g, kind, failure, iso(moment))
        return result

    def log_event(self, kind: str, payload: str) -> LoggedEvent:
        """Append an event to the event log and commit, before anything of it is applied."""
        with self.connection.transaction() as g:
            return eventlog.append_event(g, kind, payload, iso(utcnow()))

    def apply_event(self, event_id: str, batch: LineageBatch, kind: str) -> WriteResult:
        """Write a logged event's lineage (or its failure) and mark it in the log, in one transaction."""
        moment = utcnow()

        def apply(g: GraphTraversalSource) -> WriteResult:
            result = self._write_with_failures(g, batch, kind, moment)
            status = eventlog.FAILED if batch.failures else eventlog.APPLIED
            eventlog.mark_event(g, event_id, status, iso(moment))
            return result

        result = self.connection.write(apply)
        self._cache.update(result.ids)
        return result

    def events(self) -> list[LoggedEvent]:
        return eventlog.list_events(self.g)

    def find(self, keys: Iterable[str]) -> dict[str, VertexRecord]:
        return reader.find_by_keys(self.g, keys)

    def find_folded(self, key: str) -> VertexRecord | None:
        """By exact key, else by the case-folded key (SQL names are case-insensitive, so `Orders.ID`
        finds `orders.id`), in one round trip."""
        found = self.find([key, key.lower()])
        return found.get(key) or found.get(key.lower())

    def vertices(self, ids: Iterable[VertexId]) -> dict[VertexId, VertexRecord]:
        return reader.vertices_by_ids(self.g, ids)

    def hops(self, ids: Iterable[VertexId], direction: Direction, labels: Sequence[str]) -> list[Hop]:
        return reader.hops(self.g, ids, direction, labels)

    def lineage(
        self,
        start: Iterable[VertexId],
        direction: Direction,
        depth: int,
        max_nodes: int | None = None,
        direct_only: bool = False,
    ) -> Expansion:
        def hop(ids: list[VertexId]) -> list[Hop]:
            found = self.hops(ids, direction, [schema.DERIVES])
            return [h for h in found if not direct_only or schema.is_direct(h.edge.props)]

        return expand(hop, start, depth, max_nodes)

    def edge_ends(
        self,
        ids: Iterable[VertexId],
        direction: Direction,
        label: str,
        prop: str,
        on: Literal["edge", "far"] = "edge",
    ) -> list[tuple[VertexId, VertexId, str]]:
        return reader.edge_ends(self.g, ids, direction, label, prop, on)

    def datasets(self) -> list[VertexRecord]:
        """Every dataset vertex: a label scan, for whole-warehouse reports such as health."""
        return reader.vertices_with_label(self.g, schema.DATASET)

    def declare_sources(self, refs: Sequence[DatasetRef], declared: bool = True) -> WriteResult:
        """Mark datasets as declared sources (or no longer), creating those not yet met, atomically."""
        batch = LineageBatch(datasets=[Dataset(namespace=r.namespace, name=r.name) for r in refs])
        with self.connection.transaction() as g:
            result = self._writer.write(g, batch, utcnow())
            sources.set_declared(g, [result.ids[r.key] for r in refs], declared)
        self._cache.update(result.ids)
        return result

    def declared_sources(self) -> list[VertexRecord]:
        return sources.declared_sources(self.g)

    def ping(self) -> None:
        """A cheap read that fails if the store is unreachable."""
        self.g.V().limit(1).count().next()

    def counts(self) -> dict[str, int]:
        return reader.count_by_label(self.g, schema.VERTEX_LABELS, schema.EDGE_LABELS)

    def failures(self) -> list[StoredFailure]:
        return deadletter.list_failures(self.g)

    def resolve_failure(self, failure_id: str, batch: LineageBatch, kind: str) -> WriteResult:
        """Replace a dead letter with the lineage a retry produced, atomically."""
        moment = utcnow()
        with self.connection.transaction() as g:
            result = self._writer.write(g, batch, moment)
            deadletter.remove_failure(g, failure_id)
        self._cache.update(result.ids)
        return result

    def record_failed_attempt(self, failure_id: str, reason: str) -> None:
        with self.connection.transaction() as g:
            deadletter.record_attempt(g, failure_id, reason, iso(utcnow()))

    def edges(self, keys: Iterable[str]) -> dict[str, EdgeRecord]:
        return reader.edges_by_keys(self.g, keys)

    def column_props(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        return tagstore.column_props(self.g, keys)

    def all_column_props(self) -> dict[str, dict[str, Any]]:
        return tagstore.all_column_props(self.g)

    def update_tags(
        self, changes: dict[str, dict[str, Any]], audit: list[dict[str, str]], settled: Iterable[str] = ()
    ) -> None:
        """Column tag properties, the audit entries that explain them, and the pending marks of the
        columns ``settled`` by this propagation, in one transaction."""
        with self.connection.transaction() as g:
            tagstore.update_columns(g, changes)
            tagstore.append_audit(g, audit)
            tagstore.clear_pending(g, settled)

    def pending_columns(self) -> list[str]:
        return tagstore.pending_columns(self.g)

    def audit(self, equal: dict[str, str], since: str | None = None, until: str | None = None) -> list[dict[str, str]]:
        return tagstore.audit_entries(self.g, equal, since, until)

    def datasets_with_readers(self) -> set[str]:
        return tagstore.datasets_with_readers(self.g)

    def purge_expired(self, at: datetime | None = None) -> int:
        """Remove the ``derives`` edges whose expiry has passed (lineage of ad-hoc queries), with
        the copies kept on their columns, in one transaction; how many."""
        now = iso(at or utcnow())
        with self.connection.transaction() as g:
            expired = reader.expired_edges(g, schema.DERIVES, now)
            for part in reader.chunks([e.id for e in expired]):
                g.E(list(part)).drop().iterate()
            adjacency.record_removed_edges(g, expired)
        return len(expired)

    def close(self) -> None:
        self.connection.close()
