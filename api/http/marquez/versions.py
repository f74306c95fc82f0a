"""Versions of datasets and jobs as Marquez shows them, drawn from what was already kept.

A dataset's version changes when an event brings it a different schema or different column
lineage (the ``schema`` and ``columnLineage`` facets); a dataset no event spoke of (one traced from
SQL or dbt) has a version each time its column lineage's lifetime changed: edges opened or closed
at one moment (``graph/intervals.py``). A job's version changes when an event brings a different
definition: its ``sql`` or ``sourceCode``/``sourceCodeLocation`` facets, its job type, or its
inputs and outputs. Version ids are UUIDs derived from the subject, the content and the event that
first brought it, so they stay the same across restarts and processes.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tagline.api.http.marquez.history import Said, Snapshot, merged_facets
from tagline.api.services.canonical_json import canonical_json
from tagline.graph.intervals import VALID_FROM, VALID_TO
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import iso

VERSIONS = uuid.UUID("5b0f6a52-3c8e-4f57-8d2e-0c1f7a9e4b61")
# The job facets that make a job's definition (the rest describe a run of it).
DEFINING_FACETS = ("sql", "sourceCode", "sourceCodeLocation", "jobType")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def version_id(*parts: str) -> str:
    return str(uuid.uuid5(VERSIONS, "\x1f".join(parts)))


def _fingerprint(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


@dataclass(frozen=True)
class DatasetVersion:
    namespace: str
    name: str
    version: str
    at: str
    run_id: str | None  # the run whose event brought it
    fields: list[dict[str, Any]]  # name, type, description (None: the current columns)
    facets: dict[str, Any]
    lifecycle: str | None


@dataclass(frozen=True)
class JobVersion:
    namespace: str
    name: str
    version: str
    at: str
    inputs: list[dict[str, str]]
    outputs: list[dict[str, str]]
    facets: dict[str, Any]
    run_ids: list[str]  # the runs that ran this definition, in event order


def _schema_fields(dataset: dict[str, Any]) -> list[dict[str, Any]] | None:
    facets = dataset.get("facets") or {}
    schema = facets.get("schema") if isinstance(facets, dict) else None
    found = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(found, list):
        return None
    return [
        {"name": f.get("name"), "type": f.get("type"), "description": f.get("description")}
        for f in found
        if isinstance(f, dict)
    ]


def _lifecycle(facets: dict[str, Any]) -> str | None:
    change = facets.get("lifecycleStateChange")
    return (
        str(change["lifecycleStateChange"]) if isinstance(change, dict) and change.get("lifecycleStateChange") else None
    )


def dataset_versions(snapshot: Snapshot, store: GraphStore, namespace: str, name: str) -> list[DatasetVersion]:
    """The dataset's versions, oldest first."""
    mentions = snapshot.by_dataset.get((namespace, name), [])
    return said_versions(mentions, namespace, name) if mentions else _lifetime_versions(store, namespace, name)


def said_versions(mentions: list[tuple[Said, dict[str, Any]]], namespace: str, name: str) -> list[DatasetVersion]:
    """The versions events brought a dataset (each event with the dataset as it named it), oldest first."""
    found: list[DatasetVersion] = []
    facets: dict[str, Any] = {}
    fields: list[dict[str, Any]] = []
    last = None
    for said, dataset in mentions:
        said_facets = dataset.get("facets") if isinstance(dataset.get("facets"), dict) else {}
        facets = merged_facets([facets, said_facets or {}])
        fields = _schema_fields(dataset) or fields
        lineage = (
            facets.get("columnLineage", {}).get("fields") if isinstance(facets.get("columnLineage"), dict) else None
        )
        print_ = _fingerprint([fields, lineage])
        if print_ == last:
            continue
        last = print_
        found.append(
            DatasetVersion(
                namespace,
                name,
                version_id(namespace, name, print_, said.event_id),
                iso(said.at),
                said.run_id,
                fields,
                facets,
                _lifecycle(facets),
            )
        )
    return found


def _lifetime_versions(store: GraphStore, namespace: str, name: str) -> list[DatasetVersion]:
    """Versions of a dataset no event spoke of: each moment its columns' lineage began or ended."""
    added, removed, columns = store.lineage_changes(EPOCH, datetime.now(UTC), namespace, name)

    def into_it(target: Any) -> bool:
        props = columns[target].props if target in columns else {}
        return (props.get("namespace"), props.get("dataset")) == (namespace, name)

    moments = sorted(
        {
            str(e.props[when])
            for e in (*added, *removed)
            for when in (VALID_FROM, VALID_TO)
            if e.props.get(when) and into_it(e.in_id)
        }
    )
    return [DatasetVersion(namespace, name, version_id(namespace, name, at), at, None, [], {}, None) for at in moments]


def _ref(dataset: dict[str, Any]) -> dict[str, str]:
    return {"namespace": str(dataset["namespace"]), "name": str(dataset["name"])}


def job_versions(snapshot: Snapshot, namespace: str, name: str) -> list[JobVersion]:
    """The job's versions, oldest first: one per definition its events brought."""
    found: list[JobVersion] = []
    last = None
    inputs: list[dict[str, str]] = []
    outputs: list[dict[str, str]] = []
    facets: dict[str, Any] = {}
    for said in snapshot.by_job.get((namespace, name), []):
        facets = merged_facets([facets, said.facets("job")])
        # A run's later events (RUNNING, COMPLETE) often omit the datasets its START named.
        inputs = sorted(map(_ref, said.datasets("inputs")), key=_order) or inputs
        outputs = sorted(map(_ref, said.datasets("outputs")), key=_order) or outputs
        print_ = _fingerprint([{k: _definition(facets.get(k)) for k in DEFINING_FACETS}, inputs, outputs])
        runs = [said.run_id] if said.run_id else []
        if print_ == last and found:
            previous = found[-1]
            known = previous.run_ids + [r for r in runs if r not in previous.run_ids]
            found[-1] = JobVersion(namespace, name, previous.version, previous.at, inputs, outputs, facets, known)
            continue
        last = print_
        version = version_id(namespace, name, print_, said.event_id)
        found.append(JobVersion(namespace, name, version, iso(said.at), inputs, outputs, facets, runs))
    return found


def _definition(facet: Any) -> Any:
    """A facet without who produced it: a new emitter version is not a new definition."""
    return {k: v for k, v in facet.items() if not k.startswith("_")} if isinstance(facet, dict) else facet


def _order(ref: dict[str, str]) -> tuple[str, str]:
    return ref["namespace"], ref["name"]


def version_at_run(versions: list[JobVersion], run_id: str) -> JobVersion | None:
    return next((v for v in reversed(versions) if run_id in v.run_ids), None)


def dataset_version_at(versions: list[DatasetVersion], at: str | None) -> DatasetVersion | None:
    """The version current at a moment (the latest when ``at`` is None)."""
    current = [v for v in versions if at is None or v.at <= at]
    return current[-1] if current else None
