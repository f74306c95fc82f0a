"""The rules that turn the change log into notices for subscribers: tags a column gained or lost,
violations opened or closed, lineage added or retired, a dataset that lost its producer, a job
that failed, and changes of a job's upstream dependencies.

The change log records what each transaction set, not what was there before, so the rules keep
what they need of the past in a :class:`NoticeState` (a column's tag names, a lineage edge's
lifetime, who writes and reads a dataset, a job's latest run and upstream jobs, the violations
open). Whoever runs them stores that state together with its place in the log and the notices
derived, in one transaction: a crash then neither loses a notice nor derives one twice.

Violations depend on the whole warehouse (a sink is a dataset nobody reads), so they are compared
as a whole against the governance answer after each stretch of the log, not per transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tagline.governance.state import tag_views_of
from tagline.governance.violations import Violation
from tagline.graph import schema
from tagline.graph.change_feed import GONE, SET, Change
from tagline.graph.intervals import VALID_FROM, VALID_PAST, VALID_TO, is_current, spans_of
from tagline.graph.model import display_name, key_parts

TAG_GAINED = "tag.gained"
TAG_LOST = "tag.lost"
VIOLATION_OPENED = "violation.opened"
VIOLATION_CLOSED = "violation.closed"
LINEAGE_ADDED = "lineage.added"
LINEAGE_RETIRED = "lineage.retired"
PRODUCER_LOST = "dataset.producer_lost"
JOB_FAILED = "job.failed"
DEPENDENCIES_CHANGED = "job.dependencies_changed"
KINDS = (
    TAG_GAINED,
    TAG_LOST,
    VIOLATION_OPENED,
    VIOLATION_CLOSED,
    LINEAGE_ADDED,
    LINEAGE_RETIRED,
    PRODUCER_LOST,
    JOB_FAILED,
    DEPENDENCIES_CHANGED,
)

# What the rules remember, by kind of state.
TAGS, EDGES, PRODUCERS, READS, READERS, RUNS, UPSTREAM, VIOLATIONS = (
    "tags",
    "edge",
    "producers",
    "reads",
    "readers",
    "run",
    "upstream",
    "violation",
)
# The edge properties whose changes tell whether lineage is current, and what an event says of it.
EDGE_PROPS = frozenset({VALID_FROM, VALID_TO, VALID_PAST, "first_seen", "job", "type", "subtype", "masking"})
FAILED = "FAIL"


@dataclass(frozen=True)
class Notice:
    """One change as subscribers receive it: its kind, what it is about (a column, dataset or job,
    as people write it: ``ns/db.table.field``), and the details."""

    kind: str
    subject: str
    data: dict[str, Any] = field(default_factory=dict)


class NoticeState(Protocol):
    """Values (JSON text) by kind and key, kept by whoever runs the rules."""

    def get(self, kind: str, key: str) -> str | None: ...

    def put(self, kind: str, key: str, value: str | None) -> None:
        """Set a value; None forgets it."""

    def keys(self, kind: str) -> list[str]: ...


def _thing(key: str) -> dict[str, str]:
    """A key as the parts people know: a column's namespace, dataset and field; a dataset's or job's
    namespace and name."""
    kind, *parts = key_parts(key)
    if kind == "c" and len(parts) == 3:
        return {"namespace": parts[0], "dataset": parts[1], "field": parts[2]}
    if len(parts) == 2:
        return {"namespace": parts[0], "name": parts[1]}
    return {"key": key}


def _toggled(values: list[str], item: str, present: bool) -> set[str]:
    return set(values) | {item} if present else set(values) - {item}


class NoticeRules:
    """Derives notices from the change log's transactions, one after the other."""

    def __init__(self, state: NoticeState) -> None:
        self.state = state

    def _list(self, kind: str, key: str) -> list[str]:
        value = self.state.get(kind, key)
        return [] if value is None else list(json.loads(value))

    def _set_list(self, kind: str, key: str, values: Iterable[str]) -> None:
        found = sorted(set(values))
        self.state.put(kind, key, json.dumps(found) if found else None)

    def transaction(self, changes: list[Change]) -> list[Notice]:
        """The notices of one transaction, in the order of its changes, then dependency changes."""
        notices: list[Notice] = []
        jobs: set[str] = set()
        for change in changes:
            if change.is_edge and change.label == schema.DERIVES:
                notices += self._lineage(change)
            elif change.is_edge and change.label in (schema.READS, schema.WRITES):
                notices += self._access(change, jobs)
            elif change.what == SET and change.label == schema.COLUMN and schema.TAGS_EFFECTIVE in change.props:
                notices += self._tags(change)
            elif change.what == SET and change.label == schema.JOB:
                notices += self._run(change)
        for job in sorted(jobs):
            notices += self._dependencies(job)
        return notices

    def _tags(self, change: Change) -> list[Notice]:
        views = tag_views_of({schema.TAGS_EFFECTIVE: change.props[schema.TAGS_EFFECTIVE]})
        before = set(self._list(TAGS, change.key))
        self._set_list(TAGS, change.key, views)
        subject = display_name(change.key)
        level = change.props.get(schema.SENSITIVITY)
        notices = [
            Notice(
                TAG_GAINED,
                subject,
                {
                    "column": _thing(change.key),
                    "tag": name,
                    "origin": views[name].origin,
                    "masked": views[name].masked,
                    "sensitivity": level,
                },
            )
            for name in sorted(views.keys() - before)
        ]
        notices += [
            Notice(TAG_LOST, subject, {"column": _thing(change.key), "tag": name, "sensitivity": level})
            for name in sorted(before - views.keys())
        ]
        return notices

    def _edge(self, change: Change) -> tuple[bool, bool, dict[str, Any]]:
        """Whether the edge was current before the change and is after it, and its properties."""
        stored = self.state.get(EDGES, change.key)
        props: dict[str, Any] = {} if stored is None else json.loads(stored)
        was = bool(props) and is_current(spans_of(props))
        if change.what == GONE:
            self.state.put(EDGES, change.key, None)
            return was, False, props
        for name, value in change.props.items():
            if name in EDGE_PROPS:
                if value is None:
                    props.pop(name, None)
                else:
                    props[name] = value
        self.state.put(EDGES, change.key, json.dumps(props, sort_keys=True))
        return was, is_current(spans_of(props)), props

    def _lineage(self, change: Change) -> list[Notice]:
        was, now, props = self._edge(change)
        if was == now:
            return []
        data = {
            "source": _thing(change.out_key),
            "target": _thing(change.in_key),
            "job": _thing(str(props["job"])) if props.get("job") else None,
            "type": props.get("type"),
            "subtype": props.get("subtype"),
            "masking": bool(props.get("masking")),
        }
        if now:
            data["since"] = props.get(VALID_FROM) or props.get("first_seen")
        else:
            data["until"] = props.get(VALID_TO)
        return [Notice(LINEAGE_ADDED if now else LINEAGE_RETIRED, display_name(change.in_key), data)]

    def _access(self, change: Change, jobs: set[str]) -> list[Notice]:
        was, now, _ = self._edge(change)
        if was == now:
            return []
        job, dataset = change.out_key, change.in_key
        if change.label == schema.READS:
            self._set_list(READS, job, _toggled(self._list(READS, job), dataset, now))
            self._set_list(READERS, dataset, _toggled(self._list(READERS, dataset), job, now))
            jobs.add(job)
            return []
        had = bool(self._list(PRODUCERS, dataset))
        producers = _toggled(self._list(PRODUCERS, dataset), job, now)
        self._set_list(PRODUCERS, dataset, producers)
        jobs.update(self._list(READERS, dataset))
        if had and not producers:
            return [
                Notice(
                    PRODUCER_LOST,
                    display_name(dataset),
                    {"dataset": _thing(dataset), "lastProducer": display_name(job)},
                )
            ]
        return []

    def _dependencies(self, job: str) -> list[Notice]:
        upstream = {p for d in self._list(READS, job) for p in self._list(PRODUCERS, d)} - {job}
        before = set(self._list(UPSTREAM, job))
        self._set_list(UPSTREAM, job, upstream)
        if upstream == before:
            return []
        return [
            Notice(
                DEPENDENCIES_CHANGED,
                display_name(job),
                {
                    "job": _thing(job),
                    "added": sorted(display_name(j) for j in upstream - before),
                    "removed": sorted(display_name(j) for j in before - upstream),
                    "upstream": sorted(display_name(j) for j in upstream),
                },
            )
        ]

    def _run(self, change: Change) -> list[Notice]:
        names = ("last_run_state", "last_run_id", "last_run_at")
        if not any(n in change.props for n in names):
            return []
        stored = self.state.get(RUNS, change.key)
        run: dict[str, Any] = {} if stored is None else json.loads(stored)
        reported = run.get("reported")
        run.update({n: change.props[n] for n in names if n in change.props})
        failed = run.get("last_run_state") == FAILED and run.get("last_run_id") != reported
        if failed:
            run["reported"] = run.get("last_run_id")
        self.state.put(RUNS, change.key, json.dumps(run, sort_keys=True))
        if not failed:
            return []
        data = {"job": _thing(change.key), "runId": run.get("last_run_id"), "at": run.get("last_run_at")}
        return [Notice(JOB_FAILED, display_name(change.key), data)]

    def violations(self, found: Iterable[Violation]) -> list[Notice]:
        """Violations opened since the last call (those now found and not before) and closed."""
        current = {f"{v.kind}|{v.column}": v for v in found}
        before = set(self.state.keys(VIOLATIONS))
        notices = []
        for key in sorted(current.keys() - before):
            v = current[key]
            data = {
                "kind": v.kind,
                "column": _thing(v.column),
                "declaredLevel": v.declared_level,
                "inheritedLevel": v.inherited_level,
                "tags": list(v.tags),
                "message": v.message,
            }
            self.state.put(VIOLATIONS, key, json.dumps(data, sort_keys=True))
            notices.append(Notice(VIOLATION_OPENED, display_name(v.column), data))
        for key in sorted(before - current.keys()):
            stored = self.state.get(VIOLATIONS, key)
            data = json.loads(stored) if stored else {}
            self.state.put(VIOLATIONS, key, None)
            column = key.split("|", 1)[1]
            notices.append(Notice(VIOLATION_CLOSED, display_name(column), data))
        return notices
