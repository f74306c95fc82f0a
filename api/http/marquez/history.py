"""What the event log said, read the way Marquez reads its own tables: the OpenLineage events
received (``/events/lineage``), the facets of runs, jobs and datasets, and the declarations made
through Marquez's write routes (namespaces, sources, tags).

The log (``graph/eventlog.py``) is the only record: nothing here is stored twice. Each process
keeps the decoded events it has read and, on each use, reads the texts of those logged since, so
a request costs one scan of the log's entries plus the new texts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from tagline.api.services.marquez_declarations import KIND as DECLARED
from tagline.graph.records import LoggedEvent
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import parse_iso

OPENLINEAGE = "openlineage"
FAILED = "failed"
# Texts read from the store per request to it.
PAGE = 500


@dataclass(frozen=True)
class Said:
    """One logged OpenLineage event, decoded: when it says it happened and what it says."""

    event_id: str
    at: datetime
    raw: dict[str, Any]
    applied: bool

    @property
    def run_id(self) -> str | None:
        run = self.raw.get("run")
        return str(run["runId"]) if isinstance(run, dict) and run.get("runId") else None

    @property
    def job(self) -> tuple[str, str] | None:
        job = self.raw.get("job")
        if isinstance(job, dict) and job.get("namespace") and job.get("name"):
            return str(job["namespace"]), str(job["name"])
        return None

    def datasets(self, role: str) -> list[dict[str, Any]]:
        """The event's ``inputs`` or ``outputs`` (a dataset event's one dataset counts as an output)."""
        if role == "outputs" and isinstance(self.raw.get("dataset"), dict):
            return [self.raw["dataset"]]
        found = self.raw.get(role)
        return [d for d in found if isinstance(d, dict) and d.get("namespace") and d.get("name")] if found else []

    def facets(self, of: str) -> dict[str, Any]:
        """The ``run`` or ``job`` facets the event carries."""
        part = self.raw.get(of)
        facets = part.get("facets") if isinstance(part, dict) else None
        return facets if isinstance(facets, dict) else {}


@dataclass(frozen=True)
class Declaration:
    """What a Marquez write route declared: a namespace, a source or a tag, and its body."""

    what: str
    name: str
    body: dict[str, Any]
    at: str


@dataclass
class Snapshot:
    """The decoded log at one moment, with the lookups Marquez's routes need."""

    said: list[Said]  # by event time
    declarations: list[Declaration]  # in the order received
    by_run: dict[str, list[Said]] = field(default_factory=dict)
    by_job: dict[tuple[str, str], list[Said]] = field(default_factory=dict)
    by_dataset: dict[tuple[str, str], list[tuple[Said, dict[str, Any]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for said in self.said:
            if said.run_id:
                self.by_run.setdefault(said.run_id, []).append(said)
            if said.job:
                self.by_job.setdefault(said.job, []).append(said)
            if not said.applied:
                continue
            for role in ("inputs", "outputs"):
                for dataset in said.datasets(role):
                    key = (str(dataset["namespace"]), str(dataset["name"]))
                    self.by_dataset.setdefault(key, []).append((said, dataset))

    def declared(self, what: str) -> dict[str, Declaration]:
        """The latest declaration of each name of one kind."""
        return {d.name: d for d in self.declarations if d.what == what}

    def window(self, after: datetime | None, before: datetime | None, newest_first: bool) -> list[Said]:
        inside = [s for s in self.said if (after is None or s.at >= after) and (before is None or s.at <= before)]
        return inside[::-1] if newest_first else inside


def merged_facets(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Facets as Marquez keeps them: each facet as the latest event that carried it said it."""
    merged: dict[str, Any] = {}
    for facets in parts:
        merged.update({k: v for k, v in facets.items() if v is not None})
    return merged


class EventHistory:
    """The decoded log of one process, brought up to date on each :meth:`read` (on the store's
    thread, where the store is read)."""

    def __init__(self) -> None:
        self._said: dict[str, Said] = {}
        self._declarations: dict[str, Declaration] = {}
        self._unreadable: set[str] = set()
        self._status: dict[str, str] = {}
        self._snapshot = Snapshot([], [])

    def read(self, store: GraphStore) -> Snapshot:
        entries = [e for e in store.events() if e.kind in (OPENLINEAGE, DECLARED)]
        changed = [e for e in entries if self._status.get(e.id) != e.status]
        if not changed:
            return self._snapshot
        for e in changed:
            self._status[e.id] = e.status
        fresh = [e for e in changed if e.id not in self._said and e.id not in self._declarations]
        fresh = [e for e in fresh if e.id not in self._unreadable]
        for start in range(0, len(fresh), PAGE):
            page = fresh[start : start + PAGE]
            texts = store.event_payloads(e.id for e in page)
            for logged in page:
                self._decode(logged, texts.get(logged.id, ""))
        for e in changed:
            if e.id in self._said:
                old = self._said[e.id]
                self._said[e.id] = Said(old.event_id, old.at, old.raw, e.status != FAILED)
        said = sorted(self._said.values(), key=lambda s: (s.at, s.event_id))
        declared = sorted(self._declarations.values(), key=lambda d: d.at)
        self._snapshot = Snapshot(said, declared)
        return self._snapshot

    def _decode(self, logged: LoggedEvent, text: str) -> None:
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError:
            raw = None
        if not isinstance(raw, dict):
            self._unreadable.add(logged.id)
            return
        if logged.kind == DECLARED:
            body = raw.get("body")
            self._declarations[logged.id] = Declaration(
                str(raw.get("what")),
                str(raw.get("name")),
                body if isinstance(body, dict) else {},
                str(raw.get("at") or logged.received_at),
            )
            return
        try:
            at = parse_iso(str(raw.get("eventTime")).replace("Z", "+00:00"))
        except ValueError:
            self._unreadable.add(logged.id)
            return
        self._said[logged.id] = Said(logged.id, at, raw, logged.status != FAILED)
