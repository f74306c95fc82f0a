"""The one object the rest of Tagline uses to reach the graph.

Writes go to the store, each in one transaction that also appends what it changed to the change
log. Lineage reads are answered by the process's lineage index (``graph/index/lineage_index.py``),
loaded on first use and kept current from the change log: by every read when ``follow`` is on
(the CLI), or by the caller's own schedule when it is off (the server, which also applies its own
writes at once). The dead letter, the event log and the audit are read from the store.

Not thread-safe for writes: the embedded store's SQLite connection belongs to the thread that
opened it, so the API runs every store call on one dedicated thread (see ``api/store_thread.py``).
Index reads are safe from any thread.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from gremlin_python.process.graph_traversal import GraphTraversalSource
from gremlin_python.process.traversal import P

from tagline.errors import InvalidInput
from tagline.graph import deadletter, eventlog, schema, sources, tagstore
from tagline.graph.change_feed import Feed, not_after, read_feed
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.changelog.feed import Change, ChangesRead, read_changes
from tagline.graph.changelog.log import ChangeLog, GremlinChangeLog, SqliteChangeLog, bodies, reader_of
from tagline.graph.changelog.pending import GremlinPendingMarks, PendingMarks, SqlitePendingMarks
from tagline.graph.connection import (
    SQLITE_BUSY_TIMEOUT_S,
    GraphConnection,
    StoreError,
    is_remote,
    is_transport_error,
    is_unavailable,
)
from tagline.graph.index.build import SNAPSHOT_SUFFIX, entries_from_graph, load_snapshot, save_snapshot
from tagline.graph.index.fingerprints import output_fingerprints
from tagline.graph.index.footprint import Footprint, footprint
from tagline.graph.index.job_edges import JobEdge, current_job_edges
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.index.table_lineage import table_lineage
from tagline.graph.model import KEY_FORMAT, Dataset, DatasetRef, LineageBatch, key_of, key_parts
from tagline.graph.payloads import GremlinPayloads, Payloads, SqlitePayloads
from tagline.graph.reader import chunks
from tagline.graph.records import (
    APPLIED,
    FAILED,
    Direction,
    EdgeRecord,
    Expansion,
    Hop,
    InEdge,
    LoggedEvent,
    Run,
    StoredFailure,
    VertexId,
    VertexRecord,
    WriteResult,
)
from tagline.graph.retry import LockConflicts
from tagline.graph.retry import lock_conflicts as _lock_conflicts
from tagline.graph.timefmt import iso, parse_iso, utcnow
from tagline.graph.writers import dataset_moves, embedded_rows, key_migration, lifetimes, runs
from tagline.graph.writers.batch import BatchWriter, KeyCache
from tagline.graph.writers.dataset_moves import Removal

# the front door: the store, its failure (and which failures a retry may get past), where it lives
__all__ = ["Change", "ChangesRead", "GraphStore", "StoreError", "is_remote", "is_unavailable"]

T = TypeVar("T")
# A snapshot is written on close once this many log entries were applied since the last one.
SNAPSHOT_AFTER = 20_000


class GraphStore:
    def __init__(self, location: str, follow: bool = True) -> None:
        self.location = location
        self.connection = GraphConnection(location)
        # On a Gremlin Server, listings of a label go through the label's indexed copy (schema.py).
        self.labels_indexed = not self.connection.embedded
        self.changelog = self._open_changelog()
        con = self.connection.sqlite
        self.pending: PendingMarks = GremlinPendingMarks(self.g) if con is None else SqlitePendingMarks(con)
        self.payloads: Payloads = GremlinPayloads() if con is None else SqlitePayloads(con)
        self.follow = follow
        self._cache = KeyCache()
        self._writer = BatchWriter(self._cache, self.connection.sqlite)
        self._index: LineageIndex | None = None
        self._footprint: tuple[object, Footprint] | None = None  # at which index position
        self._applied = 0
        # One sync at a time, whichever thread asks: applying an older tail after a newer one
        # would undo a removal for a moment.
        self._syncing = threading.RLock()
        # The change-log position of the latest write made through this store (see `has_passed`).
        self.last_write = self.changelog.origin()
        # How the index was loaded (snapshot, change log, graph) and in how many seconds.
        self.index_origin = ""
        self.index_load_seconds = 0.0
        if self.changelog.meta(key_migration.FORMAT) != str(KEY_FORMAT):
            key_migration.migrate_keys(self)

    def _open_changelog(self) -> ChangeLog:
        con = self.connection.sqlite
        if con is None:
            try:
                return GremlinChangeLog(self.connection.g)
            except Exception as exc:  # the first request to the server: the driver's own errors
                if is_transport_error(exc):
                    raise StoreError(f"cannot reach the Gremlin Server at {self.location}: {exc}") from exc
                raise StoreError(f"the Gremlin Server at {self.location} refused to open the store: {exc}") from exc
        has_graph = bool(con.execute("SELECT 1 FROM quads LIMIT 1").fetchone())
        return SqliteChangeLog(con, has_graph)

    @property
    def g(self) -> GraphTraversalSource:
        """gremlinpython's traversal source, for reads of what the index does not hold."""
        return self.connection.g

    # ---- the index -------------------------------------------------------------------------------
    @property
    def snapshot_path(self) -> Path | None:
        return None if self.connection.sqlite is None else Path(self.location + SNAPSHOT_SUFFIX)

    @property
    def index(self) -> LineageIndex:
        """The lineage index, loaded on first use: from a snapshot that matches this store, else
        rebuilt (see ``graph/index/build.py``)."""
        if self._index is None:
            started = time.perf_counter()
            self._index = self._load_index()
            self.sync()
            self.index_load_seconds = time.perf_counter() - started
        return self._index

    def _load_index(self) -> LineageIndex:
        log = self.changelog
        path = self.snapshot_path
        if path is not None and isinstance(log, SqliteChangeLog):
            saved = load_snapshot(path)
            if saved is not None and saved.store_id == log.store_id and int(saved.position) <= log.head():  # type: ignore[call-overload]
                self.index_origin = "snapshot"
                return saved
        index = LineageIndex()
        index.store_id = log.store_id
        index.position = log.start()
        self.index_origin = "change log"
        if not log.complete:
            self.index_origin = "graph"
            # Where the log starts is taken before the graph is read, so whatever commits
            # meanwhile is applied again from the log: applying an entry twice changes nothing.
            if isinstance(log, SqliteChangeLog):
                index.position = log.head()
            index.apply_entries(entries_from_graph(self.g, self.labels_indexed))
            self._applied = SNAPSHOT_AFTER
        return index

    def sync(self, log: ChangeLog | None = None) -> int:
        """Apply what the change log holds beyond the index's position; how many entries. ``log``
        is the store's own, or a reader of it on another connection (:meth:`log_reader`)."""
        index = self.index if self._index is None else self._index
        applied = 0
        with self._syncing:
            for found, position in bodies(log or self.changelog, index.position):
                applied += index.apply_bodies(found, position)
            self._applied += applied
        return applied

    def changes_after(self, position: object, log: ChangeLog | None = None) -> ChangesRead:
        """What the log holds after ``position`` (a batch of transactions), as typed changes, for
        subscribers that follow the log at their own pace; ``log`` as for :meth:`sync`."""
        return read_changes(log or self.changelog, position)

    def log_reader(self) -> SqliteChangeLog | None:
        """The embedded store's change log on a connection of its own, for one thread other than
        the store's (None on a Gremlin Server, whose log the store reads itself)."""
        return None if self.connection.sqlite is None else reader_of(self.location, SQLITE_BUSY_TIMEOUT_S)

    @staticmethod
    def log_head(log: SqliteChangeLog) -> str:
        """The position of the latest write any process committed to the embedded store: one
        indexed read (through ``log``, a :meth:`log_reader`)."""
        return str(log.head())

    def change_feed(self, after: str | None, until: str | None = None) -> Feed:
        """What write transactions changed after the position ``after`` (None: from the log's
        start), typed, and the position to read on from: for readers that follow the log at their
        own pace and keep their place (the notifications of changes). A read that starts before
        ``until`` stops there, on the embedded store."""
        return read_feed(self.changelog, after, until)

    def change_head(self) -> str:
        """The position after every transaction committed so far, as :meth:`change_feed` writes it."""
        log = self.changelog
        if isinstance(log, SqliteChangeLog):
            return str(log.head())
        return read_feed(log, None).position  # one read covers a Gremlin Server's whole look-back

    @staticmethod
    def change_not_after(position: str, bound: str) -> bool:
        """Whether the change-log position ``position`` lies at or before ``bound``."""
        return not_after(position, bound)

    def has_passed(self, written: str) -> bool:
        """Whether the index has applied the write at change-log position ``written`` (what a
        write through any process's store returned: ``last_write``); ValueError if ``written``
        is no position of this kind of store."""
        return self.changelog.passed(self.index.position, written)

    def save_snapshot(self) -> bool:
        """Write the index beside the embedded store, so the next process starts from it."""
        path = self.snapshot_path
        if path is None:
            return False
        save_snapshot(self.index, path)
        self._applied = 0
        return True

    def index_lag(self) -> int | None:
        """How many logged transactions the index has yet to apply (None before it is loaded);
        reading it proves the store answers."""
        self.ping()
        if self._index is None:
            return None
        return self.changelog.unread(self._index.position)

    def index_footprint(self) -> Footprint | None:
        """The lineage index's memory, everything included (None before it is loaded); counted
        again only after the index moved, since counting walks every key."""
        index = self._index
        if index is None:
            return None
        with index.lock:
            if self._footprint is None or self._footprint[0] != index.position:
                self._footprint = (index.position, footprint(index))
            return self._footprint[1]

    def _read(self) -> LineageIndex:
        index = self.index
        if self.follow:
            self.sync()
        return index

    def logged_write(self, work: Callable[[GraphTraversalSource, ChangeSet], T]) -> T:
        """Run ``work`` in one write transaction whose lineage changes are logged in it, again in a
        fresh one if it loses a lock race on JanusGraph; the index then applies them (and whatever
        other processes committed before) at once."""

        written: list[str] = []

        def once(g: GraphTraversalSource) -> T:
            written.clear()  # an attempt that lost a lock race was rolled back
            changes = ChangeSet()
            result = work(g, changes)
            if changes:
                written.append(self.changelog.append(g, changes))
            return result

        result = self.connection.write(once)
        if written:
            self.last_write = written[0]
        if self._index is not None:
            self.sync()
        return result

    # ---- writes ----------------------------------------------------------------------------------
    def write(self, batch: LineageBatch, kind: str = "sql", at: datetime | None = None) -> WriteResult:
        """Write a batch and its failures in one transaction: all of it lands, or none of it."""
        moment = at or utcnow()
        self._read()  # aliases told by other processes are known before the batch is resolved
        result = self.logged_write(lambda g, changes: self._write_with_failures(g, batch, kind, moment, changes))
        return self._remember(result)

    def _write_with_failures(
        self, g: GraphTraversalSource, batch: LineageBatch, kind: str, moment: datetime, changes: ChangeSet
    ) -> WriteResult:
        result = self._write_lineage(g, batch, moment, changes)
        for failure in batch.failures:
            deadletter.add_failure(g, kind, failure, iso(moment))
        return result

    def _write_lineage(
        self, g: GraphTraversalSource, batch: LineageBatch, moment: datetime, changes: ChangeSet
    ) -> WriteResult:
        """Write ``batch`` as its aliases and renames say (see graph/writers/dataset_moves.py) and mark the
        columns whose incoming lineage changed; the result carries the tags declared as written."""
        prepared = dataset_moves.prepare(self.index, batch)
        removed = prepared.removed
        _drop_edges(g, changes, removed)
        result = self._writer.write(g, prepared.batch, moment, changes)
        lives = lifetimes.apply_definitions(g, self.connection.sqlite, self.index, prepared.batch, changes)
        result.retired = lives.retired
        unfed = {r.in_key for r in removed if r.label == schema.DERIVES}
        unfed.update(lives.reopened_targets, (r.target for r in lives.retired if r.label == schema.DERIVES))
        self.pending.mark(g, sorted(unfed.union(result.pending)), result.ids)
        result.declared = prepared.batch.tags
        return result

    def _remember(self, result: WriteResult) -> WriteResult:
        """Keep the vertex ids of a committed write, the markers that stood for new vertices on a
        Gremlin Server (graph/sessionless.py) replaced by their ids."""
        result.ids = self.connection.settled(result.ids)
        self._cache.update(result.ids)
        return result

    def log_event(self, kind: str, payload: str) -> LoggedEvent:
        """Append an event to the event log and commit, before anything of it is applied."""
        return self.connection.write(lambda g: eventlog.append_event(g, kind, payload, iso(utcnow()), self.payloads))

    def logged_event(self, kind: str, payload: str) -> LoggedEvent | None:
        """The event log's entry for this content, if any: lets a consumer that may be handed the
        same message again (Kafka after a restart) tell an applied event from a new one."""
        return eventlog.find_event(self.g, kind, payload)

    def apply_event(self, event_id: str, batch: LineageBatch, kind: str) -> WriteResult:
        """Write a logged event's lineage (or its failure) and mark it in the log, in one transaction."""
        moment = utcnow()
        self._read()

        def apply(g: GraphTraversalSource, changes: ChangeSet) -> WriteResult:
            result = self._write_with_failures(g, batch, kind, moment, changes)
            status = FAILED if batch.failures else APPLIED
            eventlog.mark_event(g, event_id, status, iso(moment))
            return result

        result = self.logged_write(apply)
        return self._remember(result)

    def declare_sources(self, refs: Sequence[DatasetRef], declared: bool = True) -> WriteResult:
        """Mark datasets as declared sources (or no longer), creating those not yet met, atomically."""
        batch = LineageBatch(datasets=[Dataset(namespace=r.namespace, name=r.name) for r in refs])

        def declare(g: GraphTraversalSource, changes: ChangeSet) -> WriteResult:
            result = self._writer.write(g, batch, utcnow(), changes)
            sources.set_declared(g, {r.key: result.ids[r.key] for r in refs}, declared, changes)
            return result

        result = self.logged_write(declare)
        return self._remember(result)

    def resolve_failure(self, failure_id: str, batch: LineageBatch, kind: str) -> WriteResult:
        """Replace a dead letter with the lineage a retry produced, atomically."""
        self._read()

        def resolve(g: GraphTraversalSource, changes: ChangeSet) -> WriteResult:
            result = self._write_lineage(g, batch, utcnow(), changes)
            deadletter.remove_failure(g, failure_id)
            return result

        result = self.logged_write(resolve)
        return self._remember(result)

    def record_failed_attempt(self, failure_id: str, reason: str) -> None:
        self.connection.write(lambda g: deadletter.record_attempt(g, failure_id, reason, iso(utcnow())))

    def update_tags(
        self, updates: dict[str, dict[str, Any]], audit: list[dict[str, str]], settled: Iterable[str] = ()
    ) -> None:
        """Column tag properties, the audit entries that explain them, and the pending marks of the
        columns ``settled`` by this propagation, in one transaction."""

        def update(g: GraphTraversalSource, changes: ChangeSet) -> None:
            con = self.connection.sqlite
            rows = None if con is None else embedded_rows.RowBatch(con)  # embedded: in bulk
            tagstore.update_columns(g, updates, changes, rows)
            tagstore.append_audit(g, audit, con)
            self.pending.clear(g, settled)

        self.logged_write(update)

    def purge_expired(self, at: datetime | None = None) -> int:
        """Remove the ``derives`` edges whose expiry has passed (lineage of ad-hoc queries) and mark
        their targets for tag propagation, in one transaction; how many."""
        moment = (at or utcnow()).timestamp()
        index = self._read()
        with index.lock:
            table = index.tables[schema.DERIVES]
            expired = np.flatnonzero(table.alive.view & table.expired(moment)).tolist()
            gone = [index.edge_record(schema.DERIVES, e) for e in expired]
            ends = [(index.keys[e.out_id], index.keys[e.in_id]) for e in gone]
        removals = [
            Removal(str(e.props[schema.KEY]), schema.DERIVES, source, target)
            for e, (source, target) in zip(gone, ends, strict=True)
        ]

        def purge(g: GraphTraversalSource, changes: ChangeSet) -> None:
            _drop_edges(g, changes, removals)
            self.pending.mark(g, sorted({t for _, t in ends}))

        self.logged_write(purge)
        return len(gone)

    def purge_closed(self, before: datetime) -> int:
        """Remove what lineage no longer current kept from before ``before`` (the retention of
        closed lineage): edges whose every span ended before it, and older spans of the others, in
        one transaction; how many edges were removed. No tag follows closed lineage, so nothing
        is marked for propagation."""
        aged = lifetimes.aged_spans(self._read(), iso(before))
        gone = [Removal(a.key, a.ends.label, a.ends.out_key, a.ends.in_key) for a in aged if not a.kept]
        trimmed = [a for a in aged if a.kept]
        if not aged:
            return 0

        def purge(g: GraphTraversalSource, changes: ChangeSet) -> None:
            _drop_edges(g, changes, gone)
            lifetimes.trim_spans(g, self.connection.sqlite, trimmed, changes)

        self.logged_write(purge)
        return len(gone)

    # ---- lineage reads, from the index -------------------------------------------------------------
    def find(self, keys: Iterable[str]) -> dict[str, VertexRecord]:
        return self._read().find(keys)

    def find_folded(self, key: str) -> VertexRecord | None:
        """By exact key, else with the names folded to lower case (SQL names are case-insensitive,
        so `Orders.ID` finds `orders.id`). The namespace is kept as sent: its authority is a host or
        an account (`snowflake://ACME-XY12345`), which no engine folds. A dataset's alias (a
        warehouse path) finds the dataset, and a column under an alias the dataset's column."""
        index = self._read()
        kind, *parts = key_parts(key)
        folded = key_of(kind, parts[0], *(p.lower() for p in parts[1:])) if parts else key
        for asked in dict.fromkeys([key, folded]):
            wanted = dataset_moves.through_aliases(index, asked)
            found = index.find([wanted]).get(wanted)
            if found is not None:
                return found
        return None

    def vertices(self, ids: Iterable[VertexId]) -> dict[VertexId, VertexRecord]:
        return self._read().vertices(ids)

    def hops(
        self, ids: Iterable[VertexId], direction: Direction, labels: Sequence[str], as_of: datetime | None = None
    ) -> list[Hop]:
        """Edges with the given labels at the vertices, with their far ends: current ones, or those
        the data took ``as_of`` a moment; edges whose expiry has passed are not served (they wait
        for ``purge_expired`` to remove them)."""
        now, moment = _moments(as_of)
        return self._read().hops(ids, direction, labels, now, moment)

    def lineage(
        self,
        start: Iterable[VertexId],
        direction: Direction,
        depth: int,
        max_nodes: int | None = None,
        direct_only: bool = False,
        as_of: datetime | None = None,
    ) -> Expansion:
        starts = [i for i in start if isinstance(i, int)]
        now, moment = _moments(as_of)
        return self._read().expansion(starts, direction, depth, max_nodes, direct_only, now, moment)

    def lineage_graph(
        self,
        start: Sequence[VertexRecord],
        directions: Sequence[Direction],
        depth: int,
        max_nodes: int,
        direct_only: bool = False,
        as_of: datetime | None = None,
    ) -> Expansion:
        """Column lineage from ``start`` one direction after the other, with at most ``max_nodes``
        columns in all, the start columns included (those beyond the cap are left out, by key);
        current, or as it was ``as_of``."""
        ordered = sorted(start, key=lambda r: r.key)
        result = Expansion(truncated=len(ordered) > max_nodes)
        ordered = ordered[:max_nodes]
        result.vertices.update((r.id, r) for r in ordered)
        ids = [r.id for r in ordered]
        for direction in directions:
            room = max_nodes - len(result.vertices)
            if room > 0:
                result.merge(self.lineage(ids, direction, depth, room, direct_only, as_of))
            elif self.hops(ids, direction, [schema.DERIVES], as_of):
                result.truncated = True
        return result

    def edge_ends(
        self,
        ids: Iterable[VertexId],
        direction: Direction,
        label: str,
        prop: str,
        on: Literal["edge", "far"] = "edge",
    ) -> list[tuple[VertexId, VertexId, str]]:
        """``(vertex id, far end id, property or "")`` for every ``label`` edge at the vertices;
        ``prop`` is read from the edge, or from the far end."""
        index = self._read()
        with index.lock:
            table = index.tables[label]
            edges = table.at([i for i in ids if isinstance(i, int)], direction, time.time())
            near = table.near(edges, direction).tolist()
            far = table.far(edges, direction)
            if on == "far" and prop == schema.KEY:
                values = [index.keys[f] for f in far.tolist()]
            else:
                props, owners = (index.props, far) if on == "far" else (table.props, edges)
                values = props.values_of(prop, owners)
        return list(zip(near, far.tolist(), values, strict=True))

    def lineage_changes(
        self, start: datetime, end: datetime, namespace: str | None = None, dataset: str | None = None
    ) -> tuple[list[EdgeRecord], list[EdgeRecord], dict[VertexId, VertexRecord]]:
        """Column lineage edges added and removed between two moments (event time), in key order
        (source, target, edge), with the columns at their ends; only those touching ``namespace``
        (and ``dataset``) when given."""
        index = self._read()
        (_, since), (_, until) = _moments(start), _moments(end)
        assert since is not None and until is not None
        added, removed = index.changed_edges(since, until, namespace, dataset)
        with index.lock:
            records = [[index.edge_record(schema.DERIVES, e) for e in found] for found in (added, removed)]
            ends = {v for found in records for e in found for v in (e.out_id, e.in_id)}
            columns = index.vertices(ends)
        keys = index.keys

        def order(edges: list[EdgeRecord]) -> list[EdgeRecord]:
            return sorted(edges, key=lambda e: (keys[e.out_id], keys[e.in_id], str(e.props[schema.KEY])))

        return order(records[0]), order(records[1]), columns

    def latest_edge_value(self, label: str, prop: str, end: Direction) -> dict[VertexId, Any]:
        """Per vertex, the greatest ``prop`` of its ``label`` edges (leaving it for ``out``,
        entering it for ``in``): "when did lineage last flow out of each column", for the whole
        warehouse at once."""
        found: dict[VertexId, Any] = dict(self._read().latest(label, prop, end))
        return found

    def unfed_columns(self) -> list[tuple[VertexRecord, str]]:
        """Columns whose every incoming lineage edge was closed (their producers stopped making
        them), with when the last one closed, by key."""
        index = self._read()
        found = index.unfed()
        records = index.vertices(found)
        return sorted(((records[v], at) for v, at in found.items()), key=lambda item: item[0].key)

    def output_fingerprints(self) -> dict[str, dict[VertexId, int]]:
        """Per job, each output column it makes (by id) with a fingerprint of the column's current
        lineage from that job: equal fingerprints, same sources by the same transformations (see
        graph/index/fingerprints.py). Comparable within one answer only."""
        found = output_fingerprints(self._read())
        by_job: dict[str, dict[VertexId, int]] = {}
        for job, column, fingerprint in zip(
            found.jobs, found.columns.tolist(), found.fingerprints.tolist(), strict=True
        ):
            by_job.setdefault(job, {})[column] = fingerprint
        return by_job

    def keys_of(self, ids: Iterable[VertexId]) -> list[str]:
        index = self._read()
        return [index.keys[i] for i in ids if isinstance(i, int)]

    def search(
        self, query: str, kinds: Sequence[str], namespace: str | None = None, offset: int = 0, limit: int = 20
    ) -> tuple[list[VertexRecord], int]:
        """Datasets, jobs and columns (``kinds``: labels) whose name (a column's field) matches
        ``query`` by substring or word prefix, exact and prefix matches first; one page of them,
        and how many match in all. A query holding a control character (NUL, a line break) names
        nothing and is refused, rather than matching everything."""
        control = next((c for c in query if unicodedata.category(c) == "Cc"), None)
        if control is not None:
            raise InvalidInput(
                f"the search query holds the control character U+{ord(control):04X} "
                f"at position {query.index(control)}: search for printable text"
            )
        index = self._read()
        page = index.search(query, kinds, namespace, offset, limit)
        found = index.vertices(page.vertices)
        # A hit under a dataset's alias (a warehouse path) is the dataset (or its column) itself.
        hits: dict[str, VertexRecord] = {}
        for record in (found[v] for v in page.vertices):
            wanted = dataset_moves.through_aliases(index, record.key)
            hits.setdefault(wanted, index.find([wanted]).get(wanted, record) if wanted != record.key else record)
        return list(hits.values()), page.total

    def namespaces(self) -> list[str]:
        """The namespaces of every dataset and job, sorted."""
        index = self._read()
        return sorted(str(v) for v in index.distinct("namespace", (schema.DATASET, schema.JOB)))

    def in_namespace(self, label: str, namespace: str) -> list[VertexRecord]:
        """The datasets or jobs (``label``) of a namespace, by name."""
        index = self._read()
        return sorted(
            index.vertices(index.having(label, "namespace", namespace)).values(),
            key=lambda r: str(r.props.get("name", "")),
        )

    def columns_where(self, prop: str, accept: Callable[[Any], bool]) -> list[VertexRecord]:
        """Columns whose property ``prop`` has a value ``accept`` takes (tested once per distinct
        value), by key."""
        index = self._read()
        return sorted(index.vertices(index.where(schema.COLUMN, prop, accept)).values(), key=lambda r: r.key)

    def table_lineage(
        self,
        start: VertexRecord,
        directions: Sequence[Direction],
        depth: int,
        max_nodes: int,
        as_of: datetime | None = None,
    ) -> tuple[list[VertexRecord], list[tuple[str, str]], bool]:
        """Datasets and jobs around a dataset or job (see graph/index/table_lineage.py): the nodes in
        the order met, the start first; edges as (from key, to key); whether ``max_nodes`` cut it."""
        index = self._read()
        now, moment = _moments(as_of)
        graph = table_lineage(index, int(start.id), directions, depth, max_nodes, now, moment)
        found = index.vertices(graph.nodes)
        keys = index.keys
        edges = sorted((keys[a], keys[b]) for a, b in graph.edges)
        return [found[v] for v in graph.nodes], edges, graph.truncated

    def datasets(self) -> list[VertexRecord]:
        index = self._read()
        return list(index.vertices(index.with_label(schema.DATASET)).values())

    def declared_sources(self) -> list[VertexRecord]:
        index = self._read()
        found = index.vertices(index.having(schema.DATASET, schema.DECLARED_SOURCE, True)).values()
        return sorted(found, key=lambda r: r.key)

    def derives_edges(
        self, wanted: Iterable[tuple[str, str, str]], as_of: datetime | None = None
    ) -> dict[str, EdgeRecord]:
        """`derives` edges by (edge key, source column key, target column key): current ones, or
        those the data took ``as_of`` a moment."""
        index = self._read()
        moment = None if as_of is None else _moments(as_of)[1]
        found: dict[str, EdgeRecord] = {}
        for key, _, target in wanted:
            vertex = index.ids.get(target)
            if vertex is None:
                continue
            for hop in index.hops([vertex], "in", [schema.DERIVES], None, moment):
                if hop.edge.props[schema.KEY] == key:
                    found[key] = hop.edge
        return found

    def job_edges(self, job_key: str) -> list[JobEdge]:
        """The `derives` edges job ``job_key`` currently reports, by key (what its next definition replaces)."""
        return current_job_edges(self._read(), job_key)

    def column_props(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {k: r.props for k, r in self.find(keys).items() if r.label == schema.COLUMN}

    def column_lineage(self, keys: Iterable[str]) -> dict[str, tuple[dict[str, Any], list[InEdge], list[str]]]:
        """For each known column: its properties, the `derives` edges into it and the columns it
        feeds (expired ad-hoc edges included until purged, as tag propagation counts them)."""
        index = self._read()
        found = {}
        with index.lock:
            table = index.tables[schema.DERIVES]
            for key in keys:
                vertex = index.ids.get(key)
                if vertex is None or index.label_of(vertex) != schema.COLUMN:
                    continue
                outputs = sorted({index.keys[table.dst[e]] for e in table.at_few([vertex], "out")})
                found[key] = (index.record(vertex).props, index.in_edges(vertex), outputs)
        return found

    def column_keys(self, having: str | None = None) -> list[str]:
        """Keys of every column, or of those with property ``having`` set."""
        index = self._read()
        with index.lock:
            match = index.labels.view == schema.VERTEX_LABELS.index(schema.COLUMN)
            if having is not None:
                codes = index.props.codes(having)
                if codes is None:
                    return []
                match &= codes != -1
            return [index.keys[v] for v in np.flatnonzero(match).tolist()]

    def near_properties(self, keys: Iterable[str], props: Sequence[str]) -> set[str]:
        """The columns among ``keys`` that have one of ``props``, or a `derives` source that has one:
        a vectorised pass, for sifting a million pending columns down to those tags can reach."""
        index = self._read()
        with index.lock:
            ids = np.asarray([v for k in keys if (v := index.ids.get(k)) is not None], dtype=np.int64)
            marked = np.zeros(len(index.keys), dtype=np.bool_)
            for name in props:
                codes = index.props.codes(name)
                if codes is not None:
                    marked[: len(codes)] |= codes != -1
            table = index.tables[schema.DERIVES]
            edges = table.at(ids, "in")
            near = np.unique(table.dst.view[edges[marked[table.src.view[edges]]]])
            found = np.union1d(ids[marked[ids]], near)
            return {index.keys[v] for v in found.tolist()}

    def pending_columns(self) -> list[str]:
        """Keys of the columns whose incoming lineage changed since propagation last looked."""
        return self.pending.keys()

    def datasets_with_readers(self) -> set[str]:
        index = self._read()
        with index.lock:
            table = index.tables[schema.READS]
            live = table.alive.view & table.in_time(np.arange(table.size), None)
            return {index.keys[d] for d in table.dst.view[live].tolist()}

    def counts(self) -> dict[str, int]:
        index = self._read()
        return {label: index.count(label) for label in (*schema.VERTEX_LABELS, *schema.EDGE_LABELS)}

    # ---- what is not lineage, from the store ---------------------------------------------------------
    def events(self, offset: int = 0, limit: int | None = None, status: str | None = None) -> list[LoggedEvent]:
        """Logged events in the order received (optionally of one status), a page at a time."""
        found = [e for e in eventlog.list_events(self.g, self.labels_indexed) if status is None or e.status == status]
        return found[offset : None if limit is None else offset + limit]

    def event_payloads(self, event_ids: Iterable[str]) -> dict[str, str]:
        """The text of logged events, by id."""
        keys = {eventlog.event_key(i): i for i in event_ids}
        return {keys[k]: text for k, text in self.payloads.get(self.g, keys).items()}

    def runs_of(self, job_key: str, first: int) -> list[Run]:
        """A job's runs, the latest first (runs are not lineage: read from the store)."""
        return runs.runs_of(self.g, job_key, first)

    def run(self, run_id: str) -> Run | None:
        return runs.run_by_id(self.g, run_id)

    def failures(self) -> list[StoredFailure]:
        return deadletter.list_failures(self.g, self.labels_indexed)

    def audit(self, equal: dict[str, str], since: str | None = None, until: str | None = None) -> list[dict[str, str]]:
        return tagstore.audit_entries(self.g, equal, self.labels_indexed, since, until, self.connection.sqlite)

    def ping(self) -> None:
        """A cheap read that fails if the store is unreachable."""
        self.g.V().has(schema.KEY, "meta|store").count().next()

    def close(self, snapshot_after: int = SNAPSHOT_AFTER) -> None:
        """Close the store, first writing the index snapshot if it applied at least
        ``snapshot_after`` log entries since it was loaded or last saved."""
        if self._index is not None and self._applied >= max(snapshot_after, 1):
            self.save_snapshot()
        self.connection.close()


def lock_conflicts() -> LockConflicts:
    """How many write transactions this process ran again after a lock conflict on JanusGraph,
    and how many gave up on one (the embedded store never meets one)."""
    return _lock_conflicts()


def _moments(as_of: datetime | None) -> tuple[float, float | None]:
    """The moment expiry is judged at and the moment lifetimes are (None: current edges): now, or
    both ``as_of``."""
    if as_of is None:
        return time.time(), None
    moment = parse_iso(iso(as_of)).timestamp()  # a moment without a zone is UTC, as stored times are
    return moment, moment


def _drop_edges(g: GraphTraversalSource, changes: ChangeSet, removals: Sequence[Removal]) -> None:
    """Remove edges by key, and log each removal for every process's lineage index."""
    for part in chunks([r.key for r in removals]):
        g.E().has(schema.KEY, P.within(list(part))).drop().iterate()
    for edge in removals:
        changes.removed(edge.key, edge.label, edge.out_key, edge.in_key)
