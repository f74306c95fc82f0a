"""Lineage lifetimes: what a job reports replaces what it reported before, in event time.

A :class:`JobDefinition` says "this is job J's whole lineage into these outputs as of T". Each
(job, output) pair — and, for table-level definitions, the job's reads and writes — is a *scope*
whose definitions form a sequence in event time, kept on the job vertex
(``schema.JOB_DEFINITIONS``: scope -> the times of its definitions, oldest first). A definition at T holds until the next one after T
(``T_next``, open if none), so applying it is exact whatever order definitions arrive in:

- every edge it reports gets ``[T, T_next)`` added to its spans;
- every other edge of the scope gets ``[T, T_next)`` taken out of its spans.

For a definition newer than all before it this closes what it lacks at T and opens (or reopens,
as a new span) what it reports; for a late one it changes only the time up to the newer
definition, so an older run never closes what a newer one established nor reopens what it closed.
An edge reported outside any definition (a job's lineage without one, ad-hoc lineage) and closed
is reopened from when it was seen again, if that is after it closed.

Nothing is deleted: spans are edge properties (``graph/intervals.py``), written and logged as any
other property, so every process's lineage index follows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import intervals, schema
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.index.columns import ABSENT
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.intervals import Span
from tagline.graph.model import ColumnEdge, DatasetAccess, JobDefinition, LineageBatch, key_parts
from tagline.graph.reader import edges_by_keys, find_by_keys
from tagline.graph.records import EdgeRecord, RetiredEdge
from tagline.graph.timefmt import iso
from tagline.graph.writers import embedded_rows

# Times kept per scope: a report older than the oldest kept is taken to hold until that one.
KEPT_TIMES = 64
TABLES_SCOPE = "tables"


@dataclass(frozen=True)
class Ends:
    label: str
    out_key: str
    in_key: str


# The edges of a scope the store held before the write, with their properties as the index holds
# them: the spans before the write (the writer may since have moved `first_seen`).
Held = dict[str, tuple[Ends, dict[str, Any]]]


@dataclass
class Outcome:
    """Edges whose being current changed: closed ones, and targets of reopened column edges."""

    retired: list[RetiredEdge] = field(default_factory=list)
    reopened_targets: set[str] = field(default_factory=set)


def _dataset_of_column(column_key: str) -> str:
    _, namespace, dataset, _ = key_parts(column_key)
    return schema.dataset_key(namespace, dataset)


def _edge_at(edge: ColumnEdge | DatasetAccess) -> str | None:
    moment = edge.seen_at if isinstance(edge, ColumnEdge) else edge.at
    return iso(moment) if moment else None


def _members(batch: LineageBatch, definition: JobDefinition, scope: str, at: str) -> dict[str, Ends]:
    """The batch's edges a definition reports in a scope: those of its job (and, when the batch
    holds several runs of the job, those seen at its time or with no time of their own)."""
    job = definition.job.key
    found: dict[str, Ends] = {}
    if scope == TABLES_SCOPE:
        for label, accesses in ((schema.READS, batch.reads), (schema.WRITES, batch.writes)):
            for access in accesses:
                if access.job.key == job and _edge_at(access) in (None, at):
                    key = schema.access_key(label, job, access.dataset.key)
                    found[key] = Ends(label, job, access.dataset.key)
        return found
    for edge in batch.edges:
        if (
            edge.job is not None
            and edge.job.key == job
            and _dataset_of_column(edge.target.key) == scope
            and _edge_at(edge) in (None, at)
        ):
            found[edge.key] = Ends(schema.DERIVES, edge.source.key, edge.target.key)
    return found


def _stored_members(index: LineageIndex, job: str, scope: str) -> Held:
    """The edges of a scope the store held before this write, current or closed, from the index."""
    found: Held = {}
    with index.lock:
        if scope == TABLES_SCOPE:
            vertex = index.ids.get(job)
            if vertex is None:
                return found
            for label in (schema.READS, schema.WRITES):
                table = index.tables[label]
                for edge in table.by["out"].edges_at(vertex):
                    if table.alive[edge]:
                        dataset = index.keys[table.dst[edge]]
                        found[schema.access_key(label, job, dataset)] = (
                            Ends(label, job, dataset),
                            table.props.row(edge),
                        )
            return found
        dataset = index.ids.get(scope)
        if dataset is None:
            return found
        has_column = index.tables[schema.HAS_COLUMN]
        columns = [int(has_column.dst[e]) for e in has_column.by["out"].edges_at(dataset) if has_column.alive[e]]
        derives = index.tables[schema.DERIVES]
        jobs = derives.props.codes("job")
        code = derives.props.code_of("job", job)
        if jobs is None or code < 0:
            return found
        edges = derives.by["in"].edges_of(np.asarray(columns, dtype=np.int64))
        for edge in edges[derives.alive.view[edges] & (jobs[edges] == code)].tolist():
            record = index.edge_record(schema.DERIVES, edge)
            ends = Ends(schema.DERIVES, index.keys[record.out_id], index.keys[record.in_id])
            found[str(record.props[schema.KEY])] = (ends, record.props)
    return found


def _closed_in_index(index: LineageIndex, batch: LineageBatch) -> Held:
    """Edges of the batch that the store holds closed: reported again, they may reopen."""
    found: Held = {}
    with index.lock:
        derives = index.tables[schema.DERIVES]
        if derives.props.codes(intervals.VALID_TO) is None:
            return found
        derives.current.ensure(derives.size)
        alive, current = derives.alive, derives.current
        for edge in batch.edges:
            target = index.ids.get(edge.target.key)
            if target is None:
                continue
            for e in derives.by["in"].edges_at(target):
                if not alive[e] or current[e]:
                    continue
                record = index.edge_record(schema.DERIVES, e)
                if record.props[schema.KEY] == edge.key:
                    found[edge.key] = (Ends(schema.DERIVES, edge.source.key, edge.target.key), record.props)
    return found


class Spans:
    """The spans of the edges a write touches, changed in memory: they start from what the store
    held before the write (none for an edge it creates)."""

    def __init__(self, held: Held, records: dict[str, EdgeRecord]) -> None:
        self.held = held
        self.records = records
        self.spans: dict[str, list[Span]] = {}
        self.before: dict[str, bool] = {}

    def of(self, key: str) -> list[Span]:
        if key not in self.spans:
            props = self.held[key][1] if key in self.held else None
            self.spans[key] = intervals.spans_of(props) if props is not None else []
            self.before[key] = intervals.is_current(self.spans[key])
        return self.spans[key]

    def set(self, key: str, spans: list[Span]) -> None:
        self.of(key)
        self.spans[key] = spans


def apply_definitions(
    g: GraphTraversalSource,
    rows: sqlite3.Connection | None,
    index: LineageIndex,
    batch: LineageBatch,
    changes: ChangeSet,
) -> Outcome:
    """After ``batch``'s edges are written (in the same transaction): set the spans of every edge
    its definitions and its reports touch, and say which edges stopped or started being current."""
    definitions = sorted(batch.definitions, key=lambda d: (d.job.key, d.at))
    scopes: list[tuple[JobDefinition, str, str]] = []
    for definition in definitions:
        at = iso(definition.at)
        scopes.extend((definition, o.key, at) for o in definition.outputs)
        if definition.tables:
            scopes.append((definition, TABLES_SCOPE, at))
    members = {(d.job.key, scope, at): _members(batch, d, scope, at) for d, scope, at in scopes}
    stored = {(d.job.key, scope): _stored_members(index, d.job.key, scope) for d, scope, _ in scopes}
    reopenable = _closed_in_index(index, batch)
    held: Held = {**reopenable}
    for found in stored.values():
        held.update(found)
    ends = {key: found[0] for key, found in held.items()}
    for reported in members.values():
        ends.update(reported)
    if not ends and not scopes:
        return Outcome()
    spans = Spans(held, edges_by_keys(g, ends) if ends else {})
    covered: set[str] = set()

    # Kept even for a definition that reports nothing: a later-arriving older report must know it.
    times = _definition_times(g, {d.job.key for d, _, _ in scopes})
    for definition, scope, at in scopes:
        job = definition.job.key
        kept = times.setdefault(job, {}).setdefault(scope, [])
        later = [t for t in kept if t > at]
        until = min(later) if later else intervals.OPEN
        if at not in kept:
            kept.append(at)
            kept.sort()
            del kept[:-KEPT_TIMES]
        reported = members[(job, scope, at)]
        for key in reported:
            spans.set(key, intervals.cover(spans.of(key), at, until))
            covered.add(key)
        for key in stored[(job, scope)].keys() - reported.keys():
            spans.set(key, intervals.cut(spans.of(key), at, until))
    for key in reopenable.keys() - covered:
        current = spans.of(key)
        seen = str(spans.records[key].props.get("last_seen", "")) if key in spans.records else ""
        if current and seen >= current[-1][1]:
            spans.set(key, intervals.cover(current, seen, intervals.OPEN))

    _store_definition_times(g, times)
    return _write_spans(g, rows, spans, ends, changes)


@dataclass(frozen=True)
class Aged:
    """A closed edge with spans that ended before the retention cutoff: its spans left after
    them (none: the edge goes)."""

    key: str
    ends: Ends
    kept: list[Span]


def aged_spans(index: LineageIndex, cutoff: str) -> list[Aged]:
    """Lineage edges with spans that ended before ``cutoff`` (closed ones, and current ones with
    earlier spans), from the index."""
    found = []
    with index.lock:
        for label in (schema.DERIVES, schema.READS, schema.WRITES):
            table = index.tables[label]
            ended = np.zeros(table.size, dtype=np.bool_)
            for name in (intervals.VALID_TO, intervals.VALID_PAST):
                codes = table.props.codes(name)
                if codes is not None:
                    ended |= codes != ABSENT
            for edge in np.flatnonzero(ended & table.alive.view).tolist():
                record = index.edge_record(label, edge)
                spans = intervals.spans_of(record.props)
                kept = [s for s in spans if s[1] > cutoff]
                if len(kept) < len(spans):
                    ends = Ends(label, index.keys[record.out_id], index.keys[record.in_id])
                    found.append(Aged(str(record.props[schema.KEY]), ends, kept))
    return found


def trim_spans(g: GraphTraversalSource, rows: sqlite3.Connection | None, aged: list[Aged], changes: ChangeSet) -> None:
    """Drop the spans past retention from edges that keep a later one (in the transaction)."""
    records = edges_by_keys(g, [a.key for a in aged])
    batch = _row_batch(rows)
    for item in aged:
        record = records.get(item.key)
        if record is None:
            continue
        news = intervals.changed(record.props, item.kept, item.kept[-1][0])
        if news:
            _set_edge_properties(g, batch, record, news)
            changes.edge(item.key, item.ends.label, item.ends.out_key, item.ends.in_key, news)
    if batch is not None:
        batch.flush()


def _definition_times(g: GraphTraversalSource, jobs: Iterable[str]) -> dict[str, dict[str, list[str]]]:
    found = find_by_keys(g, jobs)
    return {key: json.loads(str(record.props.get(schema.JOB_DEFINITIONS) or "{}")) for key, record in found.items()}


def _store_definition_times(g: GraphTraversalSource, times: dict[str, dict[str, list[str]]]) -> None:
    found = find_by_keys(g, times)
    for key, scopes in times.items():
        if key in found:
            g.V(found[key].id).property(schema.JOB_DEFINITIONS, json.dumps(scopes, separators=(",", ":"))).iterate()


def _write_spans(
    g: GraphTraversalSource, rows: sqlite3.Connection | None, spans: Spans, ends: dict[str, Ends], changes: ChangeSet
) -> Outcome:
    outcome = Outcome()
    batch = _row_batch(rows)
    for key, new in sorted(spans.spans.items()):
        record = spans.records.get(key)
        if record is None:
            continue  # an edge another process removed meanwhile (a purge): nothing to keep
        at = new[-1][0] if new else str(record.props.get("last_seen", ""))
        news = intervals.changed(record.props, new, at)
        if not news:
            continue
        _set_edge_properties(g, batch, record, news)
        edge = ends[key]
        changes.edge(key, edge.label, edge.out_key, edge.in_key, news)
        now_current = intervals.is_current(new)
        if spans.before[key] and not now_current:
            outcome.retired.append(
                RetiredEdge(
                    key=key,
                    label=edge.label,
                    source=edge.out_key,
                    target=edge.in_key,
                    job=str(record.props.get("job") or (edge.out_key if edge.label != schema.DERIVES else "")),
                    at=new[-1][1] if new else at,
                )
            )
        elif now_current and not spans.before[key] and edge.label == schema.DERIVES:
            outcome.reopened_targets.add(edge.in_key)
    if batch is not None:
        batch.flush()
    return outcome


def _row_batch(rows: sqlite3.Connection | None) -> embedded_rows.RowBatch | None:
    """On the embedded store, the rows of every edge a write changes, flushed once at its end
    (property changes take no element id, so Gremlin writes between them and the flush are safe)."""
    return embedded_rows.RowBatch(rows) if rows is not None else None


def _set_edge_properties(
    g: GraphTraversalSource, batch: embedded_rows.RowBatch | None, record: EdgeRecord, news: dict[str, Any]
) -> None:
    if batch is not None:
        batch.set_edge_properties(record.id, record.props, news)  # type: ignore[arg-type]
        return
    step = g.E(record.id)
    for name, value in news.items():
        if value is not None:
            step = step.property(name, value)
    step.iterate()
    gone = [name for name, value in news.items() if value is None]
    if gone:
        g.E(record.id).properties(*gone).drop().iterate()
