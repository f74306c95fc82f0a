"""The edges of one label in the lineage index: end arrays, properties, and adjacency both ways.

Adjacency is compressed sparse rows (CSR: ``indptr`` per vertex into an ``order`` of edge ids,
as scipy keeps sparse matrices) built in one sort, plus a small overlay of the edges added since,
folded into the rows once it grows. Removed edges stay in the arrays, marked dead, until the next
fold drops them from the rows; edge ids are never reused within a process.

An edge the data no longer takes (closed: see ``graph/intervals.py``) stays in the rows with its
spans of time in its properties: every question is asked either of current edges (those without a
``valid_to``, the default) or ``as_of`` a moment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from tagline.graph import intervals
from tagline.graph.index.columns import ABSENT, GrowableArray, PropertyTable
from tagline.graph.records import Direction

IntArray = npt.NDArray[np.int64]
# Rows and edge ids fit 32 bits (two billion edges of one label is beyond one machine's index).
ROW = np.int32
NO_EXPIRY = math.inf
# The overlay is folded into the rows once it holds this many edges, or a tenth of the rows.
FOLD_AT = 50_000
# Up to this many vertices, adjacency is read in plain Python: numpy's fixed cost per call is higher.
SMALL = 16


class Adjacency:
    """Edge ids grouped by one end (sources for ``out``, targets for ``in``)."""

    def __init__(self) -> None:
        self.indptr: npt.NDArray[np.int32] = np.zeros(1, dtype=ROW)
        self.order: npt.NDArray[np.int32] = np.zeros(0, dtype=ROW)
        self.overlay: dict[int, list[int]] = {}
        self.overlay_size = 0
        self._overlay_keys: IntArray | None = None

    def rebuild(self, ends: npt.NDArray[Any], alive: npt.NDArray[np.bool_], vertices: int) -> None:
        live = np.flatnonzero(alive)
        by_end = ends[live]
        order = np.argsort(by_end, kind="stable")
        self.order = live[order].astype(ROW)
        counts = np.bincount(by_end, minlength=vertices)
        self.indptr = np.concatenate(([0], np.cumsum(counts))).astype(ROW)
        self.overlay = {}
        self.overlay_size = 0
        self._overlay_keys = None

    def add(self, end: int, edge: int) -> None:
        self.overlay.setdefault(end, []).append(edge)
        self.overlay_size += 1
        self._overlay_keys = None

    def edges_at(self, vertex: int) -> list[int]:
        """Edge ids (dead ones included) at one vertex: plain Python, cheaper than arrays for one."""
        found = (
            self.order[self.indptr[vertex] : self.indptr[vertex + 1]].tolist() if vertex < len(self.indptr) - 1 else []
        )
        extra = self.overlay.get(vertex)
        return found + extra if extra else found

    def edges_of(self, vertices: IntArray) -> IntArray:
        """Every edge id (dead ones included) at the given vertices, rows first, then the overlay."""
        rows = len(self.indptr) - 1
        in_rows = vertices[vertices < rows]
        starts = self.indptr[in_rows].astype(np.int64)
        lengths = self.indptr[in_rows + 1] - starts
        total = int(lengths.sum())
        if total:
            offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
            found = self.order[offsets].astype(np.int64)
        else:
            found = np.zeros(0, dtype=np.int64)
        if not self.overlay:
            return found
        if self._overlay_keys is None:
            self._overlay_keys = np.fromiter(self.overlay, dtype=np.int64, count=len(self.overlay))
        touched = vertices[np.isin(vertices, self._overlay_keys)]
        if not len(touched):
            return found
        extra = [e for v in touched.tolist() for e in self.overlay[v]]
        return np.concatenate((found, np.asarray(extra, dtype=np.int64)))


class EdgeTable:
    """All edges of one label: ``src``/``dst`` vertex ids, liveness, expiry, properties."""

    def __init__(self) -> None:
        self.src = GrowableArray(np.int32)
        self.dst = GrowableArray(np.int32)
        self.alive = GrowableArray(np.bool_, False)
        # Whether the data takes the edge now (no `valid_to`): kept beside the properties because
        # every walk asks it of every edge it meets.
        self.current = GrowableArray(np.bool_, True)
        # Only ad-hoc lineage expires: the array exists once an edge of the label has an expiry.
        self.expires: GrowableArray | None = None
        self.props = PropertyTable()
        self.by: dict[Direction, Adjacency] = {"out": Adjacency(), "in": Adjacency()}
        self.live = 0
        # Per time property: its interned values as epoch seconds, and how many were converted.
        self._epochs: dict[str, tuple[int, npt.NDArray[np.float64]]] = {}

    @property
    def size(self) -> int:
        return self.src.size

    def add(self, src: int, dst: int) -> int:
        edge = self.src.size
        for array in (self.src, self.dst, self.alive, self.current):
            array.ensure(edge + 1)
        self.props.ensure(edge + 1)
        self.src[edge] = src
        self.dst[edge] = dst
        self.alive[edge] = True
        self.live += 1
        self.by["out"].add(src, edge)
        self.by["in"].add(dst, edge)
        return edge

    def remove(self, edge: int) -> None:
        if self.alive[edge]:
            self.alive[edge] = False
            self.live -= 1

    def set_current(self, edge: int, current: bool) -> None:
        self.current.ensure(self.size)
        self.current[edge] = current

    def recount_current(self) -> None:
        """``current`` from the properties (a snapshot keeps only the properties)."""
        codes = self.props.codes(intervals.VALID_TO)
        self.current = GrowableArray(np.bool_, True, np.ones(self.size, dtype=np.bool_))
        if codes is not None:
            self.current.view[: len(codes)] = codes[: self.size] == ABSENT

    def set_expiry(self, edge: int, epoch: float | None) -> None:
        if self.expires is None:
            if epoch is None:
                return
            self.expires = GrowableArray(np.float64, NO_EXPIRY)
        self.expires.ensure(self.size)
        self.expires[edge] = NO_EXPIRY if epoch is None else epoch

    def expired(self, now: float) -> npt.NDArray[np.bool_]:
        """Per edge, whether its expiry has passed at ``now``."""
        if self.expires is None:
            return np.zeros(self.size, dtype=np.bool_)
        self.expires.ensure(self.size)
        return self.expires.view <= now

    def epochs(self, name: str, edges: IntArray, absent: float) -> npt.NDArray[np.float64]:
        """Time property ``name`` of each edge in epoch seconds, ``absent`` where it has none; each
        distinct value is converted once."""
        codes = self.props.codes(name)
        if codes is None:
            return np.full(len(edges), absent)
        values = self.props.interned[name].values
        done, converted = self._epochs.get(name, (0, np.zeros(0)))
        if done < len(values):
            fresh = [_epoch(v) for v in values[done:]]
            converted = np.concatenate((converted, np.asarray(fresh, dtype=np.float64)))
            self._epochs[name] = (len(values), converted)
        picked = codes[edges].astype(np.int64)
        return np.where(picked == ABSENT, absent, np.append(converted, absent)[picked])

    def in_time(self, edges: IntArray, as_of: float | None) -> npt.NDArray[np.bool_]:
        """Per edge, whether the data takes it now (``as_of`` None: no ``valid_to``) or took it at
        ``as_of`` (epoch seconds: within one of its spans)."""
        if as_of is None:
            self.current.ensure(self.size)
            return self.current.view[edges]
        start = self.epochs(intervals.VALID_FROM, edges, math.nan)
        start = np.where(np.isnan(start), self.epochs("first_seen", edges, -math.inf), start)
        keep = (start <= as_of) & (as_of < self.epochs(intervals.VALID_TO, edges, math.inf))
        past = self.props.codes(intervals.VALID_PAST)
        if past is not None:
            for n in np.flatnonzero(past[edges] != ABSENT).tolist():
                spans = intervals.spans_of(self.props.row(int(edges[n])))
                keep[n] = any(_epoch(a) <= as_of < _epoch(b) for a, b in spans)
        return keep

    def needs_fold(self) -> bool:
        pending = self.by["out"].overlay_size
        return pending >= FOLD_AT or (pending * 10 > max(len(self.by["out"].order), 1) and pending > 1000)

    def fold(self, vertices: int) -> None:
        """Rebuild the rows from the arrays: the overlay joins them and dead edges leave them."""
        self.by["out"].rebuild(self.src.view, self.alive.view, vertices)
        self.by["in"].rebuild(self.dst.view, self.alive.view, vertices)

    def at(
        self,
        vertices: Iterable[int] | IntArray,
        direction: Direction,
        now: float | None = None,
        as_of: float | None = None,
    ) -> IntArray:
        """Live edge ids at ``vertices`` (leaving them for ``out``, entering for ``in``), current
        (or taken ``as_of`` a moment), not expired at ``now`` (epoch seconds) when given, in edge
        id order."""
        if not isinstance(vertices, np.ndarray):
            vertices = list(vertices)
            if len(vertices) <= SMALL:
                return np.asarray(self.at_few(vertices, direction, now, as_of), dtype=np.int64)
        ids = np.asarray(vertices, dtype=np.int64)
        edges = self.by[direction].edges_of(ids)
        keep = self.alive.view[edges]
        if now is not None and self.expires is not None:
            self.expires.ensure(self.size)
            keep &= self.expires.view[edges] > now
        keep &= self.in_time(edges, as_of)
        return np.sort(edges[keep])

    def at_few(
        self, vertices: list[int], direction: Direction, now: float | None = None, as_of: float | None = None
    ) -> list[int]:
        """:meth:`at` for a handful of vertices, in plain Python."""
        adjacency = self.by[direction]
        alive, expires = self.alive, self.expires
        if expires is None:
            now = None
        else:
            expires.ensure(self.size)
        if as_of is None:
            current = self.current
            found = [
                e
                for v in vertices
                for e in adjacency.edges_at(v)
                if alive[e] and current[e] and (now is None or expires[e] > now)  # type: ignore[index]
            ]
        else:
            found = [
                e
                for v in vertices
                for e in adjacency.edges_at(v)
                if alive[e] and (now is None or expires[e] > now)  # type: ignore[index]
            ]
            if found:
                edges = np.asarray(found, dtype=np.int64)
                found = edges[self.in_time(edges, as_of)].tolist()
        return sorted(set(found)) if len(vertices) > 1 else sorted(found)

    def far(self, edges: IntArray, direction: Direction) -> npt.NDArray[np.int32]:
        return (self.dst if direction == "out" else self.src).view[edges]

    def near(self, edges: IntArray, direction: Direction) -> npt.NDArray[np.int32]:
        return (self.src if direction == "out" else self.dst).view[edges]


def _epoch(text: Any) -> float:
    """Seconds since the epoch of a time as the store keeps it (ISO-8601 text); an open end is
    later than any."""
    return math.inf if text == intervals.OPEN else datetime.fromisoformat(str(text)).timestamp()
