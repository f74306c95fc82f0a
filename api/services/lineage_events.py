"""The application service for OpenLineage events: log, then apply.

Every accepted event is first appended to the event log (committed on its own), then turned into a
batch and written together with its mark in the log. An event that cannot be applied goes to the
dead letter with the reason; an event that is not OpenLineage at all (from a file) goes there too.
The HTTP route and ``tagline ingest openlineage`` both come through here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson

from tagline.api.services import domain_metrics, marquez_declarations
from tagline.api.services.canonical_json import canonical_json
from tagline.api.services.ingestion import IngestReport, govern_written
from tagline.governance.service import Outcome
from tagline.graph.model import Failure, LineageBatch
from tagline.graph.records import RECEIVED, LoggedEvent, WriteResult
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow
from tagline.ingest.openlineage import event_batch
from tagline.ingest.openlineage_events import (
    BaseEvent,
    DatasetEvent,
    EventError,
    InputField,
    JobEvent,
    RunEvent,
    parse_event,
)

KIND = "openlineage"

log = logging.getLogger("tagline.events")


@dataclass(frozen=True)
class Accepted:
    """What became of one accepted event: its place in the log, its lineage, its tags."""

    event_id: str
    times_received: int
    batch: LineageBatch
    result: WriteResult
    governed: Outcome

    @property
    def failure(self) -> Failure | None:
        return self.batch.failures[0] if self.batch.failures else None


def describe(event: BaseEvent) -> str:
    """Where an event came from, for failure reports: its job, run and state."""
    if isinstance(event, RunEvent):
        return f"job {event.job.namespace}/{event.job.name} run {event.run.runId} {event.eventType.value if event.eventType else ''}".rstrip()
    if isinstance(event, JobEvent):
        return f"job event {event.job.namespace}/{event.job.name}"
    return f"dataset event {event.dataset.namespace}/{event.dataset.name}"  # type: ignore[attr-defined]


def batch_of(event: BaseEvent, payload: str, source: str, location: str | None = None) -> LineageBatch:
    """The event's lineage, or a batch holding only its failure: one bad event never stops the rest."""
    try:
        return event_batch(event)
    except Exception as exc:
        reason = f"could not apply the event: {type(exc).__name__}: {exc}"
        failure = Failure(source=source, location=location or describe(event), reason=reason, payload=payload)
        return LineageBatch(failures=[failure])


def batch_from_payload(payload: str, source: str, location: str) -> LineageBatch:
    """Decode, validate and map a kept event text (from the event log or the dead letter)."""
    try:
        event = parse_event(orjson.loads(payload))
    except json.JSONDecodeError as exc:
        return LineageBatch(
            failures=[Failure(source=source, location=location, reason=json_reason(exc), payload=payload)]
        )
    except EventError as exc:
        return LineageBatch(
            failures=[Failure(source=source, location=location, reason=spec_reason(exc), payload=payload)]
        )
    return batch_of(event, payload, source, location)


def event_width(event: BaseEvent) -> int:
    """What applying an event writes, counted before it is written: one per dataset (with facets or
    without: each is a vertex and a read or write), per column of a ``schema``, per output column
    and per edge of ``columnLineage`` — the dataset-level ``dataset`` list counted as the edges it
    becomes, one from each of its inputs to every output column."""
    if isinstance(event, DatasetEvent):
        datasets = [event.dataset]
    elif isinstance(event, (RunEvent, JobEvent)):
        datasets = [*(event.inputs or ()), *(event.outputs or ())]
    else:
        datasets = []
    width = len(datasets)
    for dataset in datasets:
        facets = dataset.facets
        if facets is None:
            continue
        schema = [f.name for f in (facets.schema_.fields or ())] if facets.schema_ else []
        width += len(schema)
        lineage = facets.columnLineage
        if lineage is None:
            continue
        for field in lineage.fields.values():
            width += 1 + sum(_edges_of(source) for source in field.inputFields)
        outputs = len(set(schema).union(lineage.fields))
        width += sum(1 + outputs * _edges_of(source) for source in lineage.dataset or ())
    return width


def _edges_of(source: InputField) -> int:
    """The edges one input of column lineage becomes: one per transformation, at least one."""
    return max(1, len(source.transformations or ()))


def json_reason(exc: json.JSONDecodeError) -> str:
    return f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"


def spec_reason(exc: EventError) -> str:
    return f"not an OpenLineage event: {exc}"


def accept_event(store: GraphStore, raw: Any, event: BaseEvent, source: str, location: str | None = None) -> Accepted:
    """Log a validated event, then apply it."""
    payload = canonical_json(raw)
    logged = store.log_event(KIND, payload)
    domain_metrics.EVENTS_ACCEPTED.inc()
    return apply_logged(store, logged, payload, event, source, location)


def apply_logged(
    store: GraphStore, logged: LoggedEvent, payload: str, event: BaseEvent, source: str, location: str | None = None
) -> Accepted:
    """Apply an event that is in the log: just logged, or logged before a stop left it unapplied."""
    batch = batch_of(event, payload, source, location)
    result = store.apply_event(logged.id, batch, KIND)
    domain_metrics.count_event(applied=not batch.failures)
    if batch.failures:
        log.warning("event %s (%s) kept in the dead letter: %s", logged.id, describe(event), batch.failures[0].reason)
    else:
        log.info(
            "event %s (%s) applied: %d new column edges, %d seen again",
            logged.id,
            describe(event),
            result.edges_created,
            result.edges_refreshed,
        )
    governed = govern_written(store, result, actor=f"ingest:{KIND}")
    return Accepted(logged.id, logged.times_received, batch, result, governed)


# ---- files of events --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    """One event read from a file, or why it could not be read."""

    location: str
    text: str
    raw: Any = None
    error: str | None = None


def read_event_file(text: str) -> Iterator[FileEntry]:
    """Events from a JSON array, a single JSON object, or JSON lines (one event per line)."""
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        try:
            whole = orjson.loads(stripped)
        except json.JSONDecodeError as exc:
            if stripped.startswith("["):
                yield FileEntry(location="file", text=text, error=json_reason(exc))
                return
        else:
            items = whole if isinstance(whole, list) else [whole]
            for number, item in enumerate(items, 1):
                yield FileEntry(location=f"event {number}", text=canonical_json(item), raw=item)
            return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield FileEntry(location=f"line {number}", text=line, raw=orjson.loads(line))
        except json.JSONDecodeError as exc:
            yield FileEntry(location=f"line {number}", text=line, error=json_reason(exc).replace("line 1, ", ""))


def latest_event_time(skew_seconds: float) -> datetime:
    """The latest ``eventTime`` believed now: this clock plus the skew allowed (TAGLINE_EVENT_TIME_SKEW_SECONDS)."""
    return utcnow() + timedelta(seconds=skew_seconds)


def ingest_event_file(
    store: GraphStore,
    source: str,
    text: str,
    skew_seconds: float,
    on_done: Callable[[FileEntry], None] = lambda entry: None,
) -> IngestReport:
    """Ingest every event of a file, each on its own; unreadable ones (and those dated more than
    ``skew_seconds`` ahead) go to the dead letter."""
    report = IngestReport()
    for entry in read_event_file(text):
        reason = entry.error
        if reason is None:
            try:
                event = parse_event(entry.raw, latest_event_time(skew_seconds))
            except EventError as exc:
                reason = spec_reason(exc)
        if reason is not None:
            batch = LineageBatch(
                failures=[Failure(source=source, location=entry.location, reason=reason, payload=entry.text)]
            )
            result = store.write(batch, kind=KIND)
            domain_metrics.EVENTS_DEAD_LETTERED.inc()
        else:
            accepted = accept_event(store, entry.raw, event, source, entry.location)
            batch, result = accepted.batch, accepted.result
            report.add_tags(accepted.governed)
        batch.statements = 1
        report.add(batch, result.vertices_created, result.edges_created, result.edges_refreshed)
        on_done(entry)
    return report


# Events replayed per read of their texts.
REPLAY_PAGE = 200


def replay_event_log(store: GraphStore, only_unapplied: bool = False) -> tuple[int, list[Failure]]:
    """Apply logged events again, in the order received (e.g. those a stop left ``received``)."""
    applied, failures = 0, []
    logged_events = store.events(status=RECEIVED if only_unapplied else None)
    for start in range(0, len(logged_events), REPLAY_PAGE):
        page = logged_events[start : start + REPLAY_PAGE]
        texts = store.event_payloads(e.id for e in page)
        for logged in page:
            done, failed = _replay_one(store, logged, texts.get(logged.id, ""))
            applied += done
            failures.extend(failed)
    return applied, failures


def _replay_one(store: GraphStore, logged: LoggedEvent, payload: str) -> tuple[int, list[Failure]]:
    """Apply one logged event again; (1 if it applied, else 0) and its failures."""
    if logged.kind == marquez_declarations.KIND:
        batch = marquez_declarations.declaration_batch(payload, f"event {logged.id}")
    else:
        batch = batch_from_payload(payload, "event log", f"event {logged.id}")
    result = store.apply_event(logged.id, batch, logged.kind)
    govern_written(store, result, actor=f"replay:{logged.kind}")
    return int(not batch.failures), list(batch.failures)
