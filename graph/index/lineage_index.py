"""The lineage index: the lineage part of the store, held in memory as arrays, answering every
multi-hop question without a store round trip.

The store stays the source of truth; the index is derived from it. It is filled by applying the
change log (see ``graph/changelog/changes.py``) — from the beginning, from a snapshot plus the log's tail, or
from entries made by reading the graph itself (``graph/index/build.py``) — and kept current by
applying each new transaction of the log. Vertex ids here are positions in the index, valid only
in this process; keys are what crosses processes.

Threads: one lock guards every read and every apply. Applies take it in short slices, so a large
ingest never stalls readers for long.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from tagline.graph import deadline, intervals, schema
from tagline.graph.changelog import changes
from tagline.graph.index.columns import ABSENT, GrowableArray, PropertyTable
from tagline.graph.index.edge_table import EdgeTable, IntArray
from tagline.graph.index.name_index import NameIndex, Page
from tagline.graph.model import LineageType
from tagline.graph.records import Direction, EdgeRecord, Expansion, Hop, InEdge, VertexRecord

LABELS: tuple[str, ...] = schema.VERTEX_LABELS
EDGE_LABELS: tuple[str, ...] = schema.EDGE_LABELS
NO_LABEL = 255
# Edge ids handed out in records: the label's position times this, plus the edge's row.
EDGE_ID_STRIDE = 1 << 40
APPLY_SLICE = 2_000
# Levels of a walk with more edges than this are walked with arrays rather than in plain Python.
BIG_LEVEL = 4_096


def epoch_of(text: str | None) -> float | None:
    """Seconds since the epoch of an ISO-8601 time as the store keeps it, or None."""
    return None if not text else datetime.fromisoformat(str(text)).timestamp()


class LineageIndex:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self.ids: dict[str, int] = {}
        self.labels = GrowableArray(np.uint8, NO_LABEL)
        self.props = PropertyTable()
        self.tables: dict[str, EdgeTable] = {label: EdgeTable() for label in EDGE_LABELS}
        self.lock = threading.RLock()
        # Derived from `props` as it grows, on the first search after a change (graph/index/name_index.py).
        self.names = NameIndex()
        # Where the index stands in the change log, and which store's log it is.
        self.position: object = 0
        self.store_id = ""

    # ---- applying the change log -------------------------------------------------------------
    def apply_bodies(self, bodies: Iterable[bytes | str], position: object) -> int:
        """Apply logged transactions in order, then remember ``position``; how many entries."""
        count = 0
        for body in bodies:
            entries = list(changes.decode(body))
            for start in range(0, len(entries), APPLY_SLICE):
                with self.lock:
                    for entry in entries[start : start + APPLY_SLICE]:
                        self._apply(entry)
            count += len(entries)
        with self.lock:
            self.position = position
            self._fold_if_needed()
        return count

    def apply_entries(self, entries: Iterable[changes.Entry]) -> None:
        with self.lock:
            for entry in entries:
                self._apply(entry)
            self._fold_if_needed()

    def _apply(self, entry: changes.Entry) -> None:
        kind = entry[0]
        if kind == changes.RENAMED:
            _, old, new = entry
            vertex = self.ids.pop(old, None)
            if vertex is not None:
                self.keys[vertex] = new
                self.ids[new] = vertex
            return
        if kind == changes.VERTEX:
            _, key, label, props = entry
            if key not in self.ids and all(v is None for v in props.values()):
                return  # a property dropped from a vertex the store does not hold: nothing to do
            vertex = self._vertex(key, label)
            for name, value in props.items():
                self.props.set(vertex, name, value)
            return
        _, key, label, out_key, in_key, *rest = entry
        table = self.tables[label]
        src = self._vertex(out_key, None)
        dst = self._vertex(in_key, None)
        edge = self._find_edge(label, src, dst, key)
        if kind == changes.REMOVED:
            if edge is not None:
                table.remove(edge)
            return
        if edge is None:
            edge = table.add(src, dst)
        for name, value in rest[0].items():
            table.props.set(edge, name, value)
            if name == "expires_at":
                table.set_expiry(edge, epoch_of(value))
            elif name == intervals.VALID_TO:
                table.set_current(edge, value is None)

    def _vertex(self, key: str, label: str | None) -> int:
        vertex = self.ids.get(key)
        if vertex is None:
            vertex = len(self.keys)
            self.keys.append(key)
            self.labels.ensure(vertex + 1)
            self.props.ensure(vertex + 1)
            self.ids[key] = vertex
        if label is not None:
            self.labels[vertex] = LABELS.index(label)
        return vertex

    def _fold_if_needed(self) -> None:
        for table in self.tables.values():
            if table.needs_fold():
                table.fold(len(self.keys))

    def _find_edge(self, label: str, src: int, dst: int, key: str) -> int | None:
        table = self.tables[label]
        # From the end with fewer edges: a dataset may hold thousands of columns, a column one dataset.
        out_edges, in_edges = table.by["out"].edges_at(src), table.by["in"].edges_at(dst)
        for edge in out_edges if len(out_edges) <= len(in_edges) else in_edges:
            if (
                table.src[edge] == src
                and table.dst[edge] == dst
                and table.alive[edge]
                and self._edge_key(label, edge) == key
            ):
                return int(edge)
        return None

    def _edge_key(self, label: str, edge: int) -> str:
        table = self.tables[label]
        props = table.props.row(edge) if label == schema.DERIVES else {}
        return schema.edge_key(label, self.keys[table.src[edge]], self.keys[table.dst[edge]], props)

    # ---- records -------------------------------------------------------------------------------
    def label_of(self, vertex: int) -> str | None:
        code = int(self.labels[vertex])
        return None if code == NO_LABEL else LABELS[code]

    def record(self, vertex: int) -> VertexRecord:
        props = self.props.row(vertex)
        props[schema.KEY] = self.keys[vertex]
        return VertexRecord(id=vertex, label=self.label_of(vertex) or "", props=props)

    def edge_record(self, label: str, edge: int) -> EdgeRecord:
        table = self.tables[label]
        src, dst = int(table.src[edge]), int(table.dst[edge])
        props = table.props.row(edge)
        props[schema.KEY] = schema.edge_key(label, self.keys[src], self.keys[dst], props)
        return EdgeRecord(
            id=EDGE_LABELS.index(label) * EDGE_ID_STRIDE + edge, label=label, out_id=src, in_id=dst, props=props
        )

    # ---- look-ups ------------------------------------------------------------------------------
    def find(self, keys: Iterable[str]) -> dict[str, VertexRecord]:
        with self.lock:
            found = {}
            for key in keys:
                vertex = self.ids.get(key)
                if vertex is not None and self.labels[vertex] != NO_LABEL:
                    found[key] = self.record(vertex)
            return found

    def vertices(self, ids: Iterable[Any]) -> dict[Any, VertexRecord]:
        with self.lock:
            return {i: self.record(i) for i in dict.fromkeys(ids) if isinstance(i, int) and 0 <= i < len(self.keys)}

    def with_label(self, label: str) -> list[int]:
        with self.lock:
            return np.flatnonzero(self.labels.view == LABELS.index(label)).tolist()

    def having(self, label: str, name: str, value: Any) -> list[int]:
        """Vertices of ``label`` whose property ``name`` equals ``value`` (a vectorised scan)."""
        with self.lock:
            codes = self.props.codes(name)
            code = self.props.code_of(name, value)
            if codes is None or code == ABSENT:
                return []
            match = (codes == code) & (self.labels.view[: len(codes)] == LABELS.index(label))
            return np.flatnonzero(match).tolist()

    def search(self, query: str, kinds: Sequence[str], namespace: str | None, offset: int, limit: int) -> Page:
        """Vertices of the labels ``kinds`` whose name matches ``query`` (see graph/index/name_index.py)."""
        with self.lock:
            codes = {label: LABELS.index(label) for label in LABELS}
            namespace_code = None if namespace is None else self.props.code_of("namespace", namespace)
            ordered = [k for k in LABELS if k in kinds]
            return self.names.search(self.props, self.labels.view, codes, query, ordered, namespace_code, offset, limit)

    def distinct(self, name: str, labels: Sequence[str]) -> list[Any]:
        """The distinct values of property ``name`` among the vertices of ``labels``."""
        with self.lock:
            codes = self.props.codes(name)
            if codes is None:
                return []
            wanted = np.isin(self.labels.view[: len(codes)], [LABELS.index(label) for label in labels])
            held = np.unique(codes[wanted & (codes != ABSENT)])
            values = self.props.interned[name].values
            return [values[c] for c in held.tolist()]

    def where(self, label: str, name: str, accept: Callable[[Any], bool]) -> list[int]:
        """Vertices of ``label`` whose property ``name`` has a value ``accept(value)`` is true of:
        the test runs once per distinct value, the match over the vertices is vectorised."""
        with self.lock:
            codes = self.props.codes(name)
            interned = self.props.interned.get(name)
            if codes is None or interned is None:
                return []
            good = np.fromiter((bool(accept(v)) for v in interned.values), dtype=np.bool_, count=len(interned.values))
            good = np.append(good, False)  # ABSENT (-1) lands on this slot
            match = good[codes] & (self.labels.view[: len(codes)] == LABELS.index(label))
            return np.flatnonzero(match).tolist()

    def count(self, label: str) -> int:
        with self.lock:
            if label in self.tables:
                return self.tables[label].live
            return int(np.count_nonzero(self.labels.view == LABELS.index(label)))

    # ---- hops and walks ------------------------------------------------------------------------
    def edge_ids(
        self,
        label: str,
        vertices: Sequence[int] | IntArray,
        direction: Direction,
        now: float | None = None,
        as_of: float | None = None,
    ) -> IntArray:
        with self.lock:
            return self.tables[label].at(vertices, direction, now, as_of)

    def hops(
        self,
        ids: Iterable[Any],
        direction: Direction,
        labels: Sequence[str],
        now: float | None,
        as_of: float | None = None,
    ) -> list[Hop]:
        """Edges of ``labels`` at the vertices with their far ends, current (or ``as_of`` a moment),
        expired ones left out."""
        wanted = [i for i in dict.fromkeys(ids) if isinstance(i, int)]
        found: list[Hop] = []
        with self.lock:
            for label in labels:
                table = self.tables[label]
                edges = table.at(wanted, direction, now, as_of)
                for edge, far in zip(edges.tolist(), table.far(edges, direction).tolist(), strict=True):
                    found.append(Hop(edge=self.edge_record(label, edge), neighbour=self.record(far)))
        return found

    def in_edges(self, vertex: int, now: float | None = None) -> list[InEdge]:
        """The `derives` edges into a column as propagation sees them."""
        table = self.tables[schema.DERIVES]
        found = []
        for edge in table.at_few([vertex], "in", now):
            props = table.props.row(edge)
            source = self.keys[table.src[edge]]
            found.append(
                InEdge(
                    edge=schema.edge_key(schema.DERIVES, source, self.keys[vertex], props),
                    source=source,
                    type=str(props.get("type", "")),
                    subtype=str(props.get("subtype", "")),
                    masking=bool(props.get("masking", False)),
                )
            )
        return found

    def walk(
        self,
        start: Iterable[int],
        direction: Direction,
        depth: int,
        max_nodes: int | None = None,
        direct_only: bool = False,
        now: float | None = None,
        as_of: float | None = None,
    ) -> tuple[IntArray, list[int], bool]:
        """Breadth-first over `derives` edges from ``start`` up to ``depth`` hops: the edges met
        (each once), the vertices reached beyond the start in the order met, and whether
        ``max_nodes`` (the vertices beyond the start) cut the walk; edges to vertices it left out
        are dropped. Current edges only, or those the data took ``as_of`` a moment.

        A level of a few thousand edges is walked in plain Python (a nested answer asks for many
        one-hop walks); a larger one with arrays, marking what was seen in a vector."""
        table = self.tables[schema.DERIVES]
        with self.lock:
            seen: set[int] = set(start)
            mask: npt.NDArray[np.bool_] | None = None
            frontier = sorted(seen)
            direct = table.props.code_of("type", LineageType.DIRECT.value)
            kept: list[IntArray] = []
            reached: list[int] = []
            truncated = False
            for _ in range(depth):
                if not frontier:
                    break
                deadline.check()
                edges = table.at(frontier, direction, now, as_of)
                if direct_only:
                    types = table.props.codes("type")
                    edges = edges[types[edges] == direct] if types is not None else edges[:0]
                room = None if max_nodes is None else max(max_nodes - len(reached), 0)
                if mask is None and len(edges) <= BIG_LEVEL:
                    level, fresh, cut = _level_in_python(edges, table.far(edges, direction).tolist(), seen, room)
                else:
                    if mask is None:
                        mask = np.zeros(len(self.keys), dtype=np.bool_)
                        mask[list(seen)] = True
                    level, fresh, cut = _level_in_arrays(
                        edges, table.far(edges, direction).astype(np.int64), mask, room
                    )
                truncated = truncated or cut
                reached.extend(fresh)
                kept.append(level)
                frontier = fresh
            found = np.unique(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)
            return found, reached, truncated

    def walk_in_key_order(
        self,
        vertex: int,
        direction: Direction,
        depth: int,
        direct_only: bool,
        now: float | None,
        as_of: float | None = None,
    ) -> list[int]:
        """The `derives` edges of a walk from one vertex, ordered by source key, target key and,
        for parallel edges (another job or kind between the same columns), edge key: the order in
        which lineage answers list them."""
        edges, _, _ = self.walk([vertex], direction, depth, None, direct_only, now, as_of)
        table = self.tables[schema.DERIVES]
        with self.lock:
            keys, src, dst = self.keys, table.src.view, table.dst.view
            rows = sorted((keys[src[e]], keys[dst[e]], e) for e in edges.tolist())
            ordered: list[int] = []
            start = 0
            for n in range(1, len(rows) + 1):
                if n == len(rows) or rows[n][:2] != rows[start][:2]:
                    group = [row[2] for row in rows[start:n]]
                    if len(group) > 1:
                        group.sort(key=lambda e: self._edge_key(schema.DERIVES, e))
                    ordered.extend(group)
                    start = n
            return ordered

    def changed_edges(
        self, start: float, end: float, namespace: str | None = None, dataset: str | None = None
    ) -> tuple[list[int], list[int]]:
        """The `derives` edges the data took at ``end`` but not at ``start`` (added), and those it
        took at ``start`` but not at ``end`` (removed), both in epoch seconds; only edges with an
        end in ``namespace`` (and ``dataset``) when given. One vectorised pass over every edge."""
        table = self.tables[schema.DERIVES]
        with self.lock:
            edges = np.flatnonzero(table.alive.view).astype(np.int64)
            edges = edges[self._touching(table, edges, namespace, dataset)]
            before = table.in_time(edges, start)
            after = table.in_time(edges, end)
            if table.expires is not None:
                table.expires.ensure(table.size)
                before &= table.expires.view[edges] > start
                after &= table.expires.view[edges] > end
            return edges[after & ~before].tolist(), edges[before & ~after].tolist()

    def _touching(
        self, table: EdgeTable, edges: IntArray, namespace: str | None, dataset: str | None
    ) -> npt.NDArray[np.bool_]:
        """Per edge, whether its source or target column lies in ``namespace`` (and ``dataset``)."""
        keep = np.ones(len(edges), dtype=np.bool_)
        for name, value in (("namespace", namespace), ("dataset", dataset)):
            if value is None:
                continue
            codes = self.props.codes(name)
            code = self.props.code_of(name, value)
            if codes is None or code == ABSENT:
                return np.zeros(len(edges), dtype=np.bool_)
            ends = (table.src.view[edges], table.dst.view[edges])
            keep &= np.logical_or(*(codes[e] == code for e in ends))
        return keep

    def unfed(self) -> dict[int, str]:
        """Columns that had lineage flowing in and have none current (every `derives` edge into
        them closed), with when the last one closed."""
        table = self.tables[schema.DERIVES]
        with self.lock:
            edges = np.flatnonzero(table.alive.view).astype(np.int64)
            current = table.in_time(edges, None)
            fed = np.zeros(len(self.keys), dtype=np.bool_)
            fed[table.dst.view[edges[current]]] = True
            closed = edges[~current]
            found: dict[int, str] = {}
            for edge, target in zip(closed.tolist(), table.dst.view[closed].tolist(), strict=True):
                if not fed[target]:
                    ended = str(table.props.get(edge, intervals.VALID_TO) or "")
                    found[target] = max(found.get(target, ""), ended)
            return found

    def vertex_prop(self, vertex: int, name: str) -> Any:
        return self.props.get(vertex, name)

    def edge_prop(self, label: str, edge: int, name: str) -> Any:
        return self.tables[label].props.get(edge, name)

    def edge_end(self, label: str, edge: int, end: Direction) -> int:
        """The vertex an edge leaves (``out``) or enters (``in``)."""
        table = self.tables[label]
        return int((table.src if end == "out" else table.dst)[edge])

    def expansion(
        self,
        start: Iterable[int],
        direction: Direction,
        depth: int,
        max_nodes: int | None = None,
        direct_only: bool = False,
        now: float | None = None,
        as_of: float | None = None,
    ) -> Expansion:
        """:meth:`walk` with every edge as a record, and the vertex at the far end of each."""
        edges, _, truncated = self.walk(start, direction, depth, max_nodes, direct_only, now, as_of)
        result = Expansion(truncated=truncated)
        with self.lock:
            for edge in edges.tolist():
                record = self.edge_record(schema.DERIVES, edge)
                result.edges[record.id] = record
                far = record.in_id if direction == "out" else record.out_id
                if far not in result.vertices:
                    result.vertices[far] = self.record(far)
        return result

    def latest(self, label: str, prop: str, end: Direction) -> dict[int, Any]:
        """Per vertex, the greatest value of edge property ``prop`` over its current ``label`` edges
        (leaving it for ``out``, entering for ``in``), in one vectorised pass; times stored as
        ISO-8601 text compare as text."""
        with self.lock:
            table = self.tables[label]
            codes = table.props.codes(prop)
            if codes is None:
                return {}
            values = table.props.interned[prop].values
            order = sorted(range(len(values)), key=lambda c: values[c])
            rank = np.empty(len(values) + 1, dtype=np.int64)
            rank[order] = np.arange(len(values))
            rank[-1] = -1  # ABSENT indexes the last slot
            owners = (table.src if end == "out" else table.dst).view
            live = table.alive.view & table.in_time(np.arange(table.size), None)
            best = np.full(len(self.keys), -1, dtype=np.int64)
            np.maximum.at(best, owners[live], rank[codes[live]])
            found = np.flatnonzero(best >= 0)
            return {int(v): values[order[r]] for v, r in zip(found.tolist(), best[found].tolist(), strict=True)}

    def memory_bytes(self) -> int:
        """What the arrays hold (the key strings and interned values aside)."""
        arrays: list[npt.NDArray[Any]] = [self.labels.view]
        arrays.extend(c.view for c in self.props.columns.values())
        for table in self.tables.values():
            arrays.extend([table.src.view, table.dst.view, table.alive.view, table.current.view])
            if table.expires is not None:
                arrays.append(table.expires.view)
            arrays.extend(c.view for c in table.props.columns.values())
            arrays.extend([table.by["out"].order, table.by["out"].indptr, table.by["in"].order, table.by["in"].indptr])
        return sum(a.nbytes for a in arrays)


def _level_in_python(
    edges: IntArray, far: list[int], seen: set[int], room: int | None
) -> tuple[IntArray, list[int], bool]:
    """One level of a walk: the edges kept, the vertices met for the first time (in edge order),
    and whether ``room`` (vertices still allowed) cut it. Updates ``seen``."""
    kept: list[int] = []
    fresh: list[int] = []
    cut = False
    for edge, vertex in zip(edges.tolist(), far, strict=True):
        if vertex not in seen:
            if room is not None and len(fresh) >= room:
                cut = True
                continue
            seen.add(vertex)
            fresh.append(vertex)
        kept.append(edge)
    return np.asarray(kept, dtype=np.int64), fresh, cut


def _level_in_arrays(
    edges: IntArray, far: IntArray, seen: npt.NDArray[np.bool_], room: int | None
) -> tuple[IntArray, list[int], bool]:
    """:func:`_level_in_python` with a vector of what was seen, for large levels."""
    fresh, first = np.unique(far[~seen[far]], return_index=True)
    fresh = fresh[np.argsort(first, kind="stable")]
    cut = room is not None and len(fresh) > room
    if cut:
        fresh = fresh[:room]
        allowed = seen.copy()
        allowed[fresh] = True
        edges = edges[allowed[far]]
    seen[fresh] = True
    return edges, fresh.tolist(), cut
