"""The one object the rest of Tagline uses to reach the graph.

Not thread-safe: the embedded store's SQLite connection belongs to the thread that opened it, so
the API runs every store call on one dedicated thread (see ``api/store_thread.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from tagline.graph import deadletter, reader, schema
from tagline.graph.connection import GraphConnection
from tagline.graph.deadletter import StoredFailure
from tagline.graph.model import LineageBatch
from tagline.graph.reader import Direction
from tagline.graph.records import Hop, VertexId, VertexRecord
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
        with self.connection.transaction() as g:
            result = self._writer.write(g, batch, moment)
            for failure in batch.failures:
                deadletter.add_failure(g, kind, failure, iso(moment))
        self._cache.update(result.ids)
        return result

    def find(self, keys: Iterable[str]) -> dict[str, VertexRecord]:
        return reader.find_by_keys(self.g, keys)

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

    def purge_expired(self, at: datetime | None = None) -> int:
        """Remove the ``derives`` edges whose expiry has passed (lineage of ad-hoc queries); how many."""
        now = iso(at or utcnow())
        with self.connection.transaction() as g:
            ids = reader.expired_edge_ids(g, schema.DERIVES, now)
            for part in reader.chunks(ids):
                g.E(list(part)).drop().iterate()
        return len(ids)

    def close(self) -> None:
        self.connection.close()
