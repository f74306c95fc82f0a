"""Tagline's records in the JSON shapes of Marquez's read API (its openapi.yml: Namespace, Dataset,
Job, Run, LineageGraph, SearchResult), so Marquez's clients and web UI read Tagline unchanged.

Marquez's fields keep Marquez's meaning; what Tagline knows and Marquez does not (a column's
sensitivity, how a column was derived, masking, the job that derived it, a job's schedule) is
added beside them under new names, never by changing theirs. What events told beyond lineage
(facets, versions, a dataset's type, a job's location) comes in a :class:`Told`; what nothing
told is given as Marquez gives an absent value: null, [] or {}.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tagline.api.services.node_ids import node_id
from tagline.governance.state import sensitivity_of, tag_views_of
from tagline.governance.usage import last_produced
from tagline.graph import schema
from tagline.graph.model import LineageType
from tagline.graph.records import EdgeRecord, Run, VertexRecord
from tagline.graph.store import GraphStore

# Marquez needs a time where Tagline may have none (a job only ever seen in SQL has no run).
EPOCH = "1970-01-01T00:00:00Z"
# OpenLineage event types (as Tagline keeps a job's last run) -> Marquez run states.
RUN_STATES = {
    "START": "RUNNING",
    "RUNNING": "RUNNING",
    "COMPLETE": "COMPLETED",
    "FAIL": "FAILED",
    "ABORT": "ABORTED",
    "OTHER": "NEW",
}
ENDED = frozenset({"COMPLETE", "FAIL", "ABORT"})
# How many runs a job's latestRuns lists.
LATEST_RUNS = 10
# A stable run id for a job's last run when no run event told its id (a job seen only in SQL).
RUN_NAMESPACE = uuid.UUID("6f1c1d0e-8f3b-4b7e-9a55-2b1f9e2c7d10")


@dataclass(frozen=True)
class Told:
    """What the event log told of a dataset or job beyond its lineage (``history.py``)."""

    facets: dict[str, Any] = field(default_factory=dict)
    current_version: str | None = None
    kind: str | None = None  # a dataset's Marquez type (DB_TABLE, STREAM), a job's (BATCH, STREAM, ...)
    lifecycle: str | None = None
    location: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunTold:
    """What the event log told of a run beyond its state: its facets and the versions it ran on."""

    facets: dict[str, Any] = field(default_factory=dict)
    job_version: dict[str, str] | None = None
    inputs: list[dict[str, str]] = field(default_factory=list)  # DatasetVersionIds
    outputs: list[dict[str, str]] = field(default_factory=list)


def _text(props: dict[str, Any], name: str) -> str | None:
    value = props.get(name)
    return None if value in (None, "") else str(value)


def ref_json(record: VertexRecord) -> dict[str, str]:
    """Marquez's DatasetId / JobId."""
    return {"namespace": record.props["namespace"], "name": record.props["name"]}


def namespace_json(name: str, created_at: str | None) -> dict[str, Any]:
    at = created_at or EPOCH
    # Marquez gives namespaces created by OpenLineage events the owner "anonymous".
    return {
        "name": name,
        "createdAt": at,
        "updatedAt": at,
        "ownerName": "anonymous",
        "description": None,
        "isHidden": False,
    }


def field_json(column: VertexRecord) -> dict[str, Any]:
    p = column.props
    return {
        "name": p["field"],
        "type": _text(p, "data_type"),
        "tags": sorted(tag_views_of(p)),
        "description": _text(p, "description"),
        "sensitivity": sensitivity_of(p),
    }


def dataset_times(store: GraphStore, record: VertexRecord) -> tuple[str, str, str | None]:
    """(createdAt, updatedAt, lastModifiedAt): first seen, last change, latest completed write."""
    writes = store.hops([record.id], "in", [schema.WRITES])
    produced = last_produced((h.edge.props.get("last_at"), h.neighbour.props.get("last_run_state")) for h in writes)
    created = _text(record.props, "first_seen") or produced or EPOCH
    return created, max(created, produced or created), produced


def columns_of(store: GraphStore, record: VertexRecord) -> list[VertexRecord]:
    return sorted((h.neighbour for h in store.hops([record.id], "out", [schema.HAS_COLUMN])), key=lambda r: r.key)


def dataset_tags(columns: list[VertexRecord]) -> list[str]:
    """A dataset's tags in Marquez's sense: those declared on every one of its columns (tagging a
    dataset through Marquez's route declares the tag on each of them)."""
    declared = [{name for name, view in tag_views_of(c.props).items() if view.declared} for c in columns]
    return sorted(set.intersection(*declared)) if declared else []


def dataset_json(store: GraphStore, record: VertexRecord, told: Told | None = None) -> dict[str, Any]:
    p = record.props
    told = told or Told()
    columns = columns_of(store, record)
    created, updated, produced = dataset_times(store, record)
    return {
        "id": ref_json(record),
        "type": told.kind or "DB_TABLE",
        "name": p["name"],
        "physicalName": p["name"],
        "createdAt": created,
        "updatedAt": updated,
        "namespace": p["namespace"],
        "sourceName": p["namespace"],
        "fields": [field_json(c) for c in columns],
        "tags": sorted({*dataset_tags(columns), *told.tags}),
        "lastModifiedAt": produced,
        "lastLifecycleState": told.lifecycle,
        "description": _text(p, "description"),
        "facets": told.facets,
        "currentVersion": told.current_version,
        "columnLineage": None,
        "deleted": False,
        # Tagline's own:
        "nodeId": node_id(record),
        "kind": _text(p, "kind"),
        "declaredSource": bool(p.get(schema.DECLARED_SOURCE)),
    }


def run_json(run: Run, told: RunTold | None = None) -> dict[str, Any]:
    """A run the store merged from run events, as Marquez's Run."""
    told = told or RunTold()
    shape = _run_shape(run.run_id, run.state, run.started_at, run.ended_at, run.duration_ms)
    return {
        **shape,
        "jobVersion": told.job_version,
        "inputDatasetVersions": [{"datasetVersionId": v, "facets": {}} for v in told.inputs],
        "outputDatasetVersions": [{"datasetVersionId": v, "facets": {}} for v in told.outputs],
        "facets": told.facets,
    }


def runs_json(
    job: VertexRecord, runs: list[Run], told: Callable[[Run], RunTold] = lambda run: RunTold()
) -> list[dict[str, Any]]:
    """The job's runs as Marquez's Runs, the latest first: those the store merged from run events
    (with the emitter's run ids), else the last run Tagline keeps on the job (its time and state,
    under an id derived from them)."""
    if runs:
        return [run_json(r, told(r)) for r in runs]
    p = job.props
    at, state = _text(p, "last_run_at"), _text(p, "last_run_state")
    if at is None or state is None:
        return []
    ended = state in ENDED
    derived = str(uuid.uuid5(RUN_NAMESPACE, f"{job.key}|{at}"))
    return [_run_shape(derived, state, None if ended else at, at if ended else None, None)]


def _run_shape(
    run_id: str, state: str, started: str | None, ended: str | None, duration_ms: int | None
) -> dict[str, Any]:
    return {
        "id": run_id,
        "createdAt": started or ended,
        "updatedAt": ended or started,
        "nominalStartTime": None,
        "nominalEndTime": None,
        "state": RUN_STATES.get(state, "NEW"),
        "startedAt": started,
        "endedAt": ended,
        "durationMs": duration_ms,
        "args": {},
        "jobVersion": None,
        "inputDatasetVersions": [],
        "outputDatasetVersions": [],
        "context": {},
        "facets": {},
    }


def job_times(store: GraphStore, record: VertexRecord) -> tuple[str, str]:
    """(createdAt, updatedAt): the first and last time Tagline saw the job run, read or write."""
    hops = store.hops([record.id], "out", [schema.READS, schema.WRITES])
    seen = sorted(str(t) for t in [*(h.edge.props.get("last_at") for h in hops), record.props.get("last_run_at")] if t)
    return (seen[0], seen[-1]) if seen else (EPOCH, EPOCH)


def job_json(
    store: GraphStore,
    record: VertexRecord,
    told: Told | None = None,
    run_told: Callable[[Run], RunTold] = lambda run: RunTold(),
) -> dict[str, Any]:
    """A job as Marquez shows it. Reads its runs from the store: call on the store's thread."""
    p = record.props
    told = told or Told()

    def refs(label: str) -> list[dict[str, str]]:
        found = (ref_json(h.neighbour) for h in store.hops([record.id], "out", [label]))
        return sorted(found, key=lambda r: (r["namespace"], r["name"]))

    created, updated = job_times(store, record)
    runs = runs_json(record, store.runs_of(record.key, LATEST_RUNS), run_told)
    return {
        "id": ref_json(record),
        "type": told.kind or "BATCH",
        "name": p["name"],
        "simpleName": p["name"],
        "parentJobName": None,
        "parentJobUuid": None,
        "createdAt": created,
        "updatedAt": updated,
        "namespace": p["namespace"],
        "inputs": refs(schema.READS),
        "outputs": refs(schema.WRITES),
        "location": told.location,
        "context": {},
        "description": _text(p, "description"),
        "latestRun": runs[0] if runs else None,
        "latestRuns": runs,
        "facets": told.facets,
        "currentVersion": told.current_version,
        "labels": [],
        "tags": told.tags,
        # Tagline's own:
        "nodeId": node_id(record),
        "schedule": _text(p, "schedule"),
    }


def graph_node(
    node: str,
    kind: str,
    data: dict[str, Any] | None,
    in_edges: Iterable[tuple[str, str]],
    out_edges: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """Marquez's GraphNode; edges as (origin, destination), sorted as Marquez sorts them."""
    return {
        "id": node,
        "type": kind,
        "data": data,
        "inEdges": [{"origin": o, "destination": d} for o, d in sorted(set(in_edges))],
        "outEdges": [{"origin": o, "destination": d} for o, d in sorted(set(out_edges))],
    }


def transformation_json(edge: EdgeRecord, job_ids: dict[str, str]) -> dict[str, Any]:
    """One derivation in the OpenLineage column-lineage vocabulary (columnLineage facet 1-2-0),
    with the node id of the job that made it and its SQL expression where known."""
    p = edge.props
    return {
        "type": _text(p, "type"),
        "subtype": _text(p, "subtype"),
        "description": _text(p, "description"),
        "masking": bool(p.get("masking", False)),
        "job": job_ids.get(str(p.get("job"))),
        "expression": _text(p, "expression"),
    }


def input_field_json(source: VertexRecord, edges: list[EdgeRecord], job_ids: dict[str, str]) -> dict[str, Any]:
    """Marquez's ColumnLineageInputField, with every derivation from this source kept beside it;
    ``job_ids``: job key -> node id."""
    p = source.props
    first = edges[0].props
    return {
        "namespace": p["namespace"],
        "dataset": p["dataset"],
        "datasetVersion": None,
        "field": p["field"],
        "transformationDescription": _text(first, "description") or _text(first, "expression"),
        "transformationType": _text(first, "subtype") or _text(first, "type"),
        # Tagline's own:
        "transformations": [transformation_json(e, job_ids) for e in edges],
        "masking": any(bool(e.props.get("masking", False)) for e in edges),
    }


def column_node_data(column: VertexRecord, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """Marquez's ColumnLineageNodeData."""
    p = column.props
    # Marquez gives one input's transformation here; one that carries the value says most.
    first = next(
        (i for i in inputs if any(t["type"] == LineageType.DIRECT for t in i["transformations"])),
        inputs[0] if inputs else {},
    )
    return {
        "type": "DATASET_FIELD",
        "namespace": p["namespace"],
        "dataset": p["dataset"],
        "datasetVersion": None,
        "field": p["field"],
        "fieldType": _text(p, "data_type"),
        "transformationDescription": first.get("transformationDescription"),
        "transformationType": first.get("transformationType"),
        "inputFields": inputs,
        # Tagline's own:
        "tags": sorted(tag_views_of(p)),
        "sensitivity": sensitivity_of(p),
    }


def updated_at(store: GraphStore, record: VertexRecord) -> str:
    return job_times(store, record)[1] if record.label == schema.JOB else dataset_times(store, record)[1]


def search_result_json(store: GraphStore, record: VertexRecord) -> dict[str, Any]:
    return {
        "type": "JOB" if record.label == schema.JOB else "DATASET",
        "name": record.props["name"],
        "updatedAt": updated_at(store, record),
        "namespace": record.props["namespace"],
        "nodeId": node_id(record),
    }
