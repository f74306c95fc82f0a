"""Replaying dead letters: each kind of input knows how to turn a kept failure into a batch again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from tagline.api.services.datax_ingestion import read_job
from tagline.api.services.ingestion import govern_written
from tagline.api.services.lineage_events import batch_from_payload
from tagline.graph.model import Failure, JobRef, LineageBatch
from tagline.graph.records import StoredFailure
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import parse_iso
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql
from tagline.ingest.sql.summary import catalog_from_json
from tagline.ingest.text import UndecodableText, decode_utf8

Replayer = Callable[[Failure, "ReplayOverrides"], LineageBatch]


@dataclass(frozen=True)
class ReplayOverrides:
    """What the operator fixed since the failure, e.g. a catalog that now knows the missing column."""

    catalog: Catalog | None = None


_NAMESPACE_MAP = TypeAdapter(dict[str, str])


def replay_sql(failure: Failure, overrides: ReplayOverrides) -> LineageBatch:
    opts = failure.options
    if not opts.get("dialect"):
        # A query kept because its dialect was missing or unknown: only a sender can say which it is.
        reason = f"{failure.reason} (kept without a known dialect: send the query again with one)"
        return LineageBatch(failures=[failure.model_copy(update={"reason": reason})])
    job = opts.get("job")
    catalog = overrides.catalog or catalog_from_json(opts.get("catalog"))
    return extract_sql(
        failure.payload,
        dialect=str(opts["dialect"]),
        namespace=str(opts["namespace"]),
        source=failure.source,
        catalog=catalog,
        job=JobRef.model_validate(job) if job else None,
        namespace_map=_NAMESPACE_MAP.validate_python(opts.get("namespace_map") or {}),
        at=parse_iso(str(opts["at"])) if opts.get("at") else None,
    )


def replay_sql_file(failure: Failure, overrides: ReplayOverrides) -> LineageBatch:
    """A SQL file that was not UTF-8: read it again from where it was; once it decodes, its
    statements are extracted as an ingest would."""
    path = str(failure.options["path"])
    try:
        text = decode_utf8(Path(path).read_bytes(), path)
    except (OSError, UndecodableText) as exc:
        return LineageBatch(failures=[failure.model_copy(update={"reason": str(exc)})])
    return replay_sql(failure.model_copy(update={"payload": text}), overrides)


def replay_openlineage(failure: Failure, overrides: ReplayOverrides) -> LineageBatch:
    return batch_from_payload(failure.payload, failure.source, failure.location)


def replay_datax(failure: Failure, overrides: ReplayOverrides) -> LineageBatch:
    """A DataX job file read again from where it was (its kept copy has no credentials)."""
    opts = failure.options
    return read_job(
        Path(str(opts["path"])),
        JobRef.model_validate(opts["job"]),
        _NAMESPACE_MAP.validate_python(opts.get("namespace_map") or {}),
    )


# dbt models are kept as their compiled SQL wrapped in CREATE TABLE|VIEW, with the SQL options.
REPLAYERS: dict[str, Replayer] = {
    "sql": replay_sql,
    "sql-file": replay_sql_file,
    "openlineage": replay_openlineage,
    "dbt": replay_sql,
    "datax": replay_datax,
}


@dataclass
class ReplayReport:
    resolved: list[StoredFailure] = field(default_factory=list)
    still_failing: list[tuple[StoredFailure, str]] = field(default_factory=list)


def replay(store: GraphStore, ids: set[str] | None = None, overrides: ReplayOverrides | None = None) -> ReplayReport:
    """Try every kept failure (or those in ``ids``) again; a success replaces its dead letter."""
    report = ReplayReport()
    for stored in store.failures():
        if ids is not None and stored.id not in ids:
            continue
        replayer = REPLAYERS.get(stored.kind)
        if replayer is None:
            reason = f"no replayer for input kind {stored.kind!r}"
            store.record_failed_attempt(stored.id, reason)
            report.still_failing.append((stored, reason))
            continue
        batch = replayer(stored.failure, overrides or ReplayOverrides())
        if batch.failures:
            reason = "; ".join(f.reason for f in batch.failures)
            store.record_failed_attempt(stored.id, reason)
            report.still_failing.append((stored, reason))
        else:
            result = store.resolve_failure(stored.id, batch, stored.kind)
            govern_written(store, result, actor=f"replay:{stored.kind}")
            report.resolved.append(stored)
    return report
