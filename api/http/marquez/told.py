"""What the event log told of a dataset, a job or a run, in the terms Marquez's shapes take
(``shapes.Told``, ``shapes.RunTold``): facets as the latest event carrying each said them, the
current version, a dataset's type (its ``datasetType`` facet), a job's type (``jobType``) and
location (``sourceCodeLocation``), and what was declared through Marquez's PUT routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tagline.api.http.marquez.common import Call
from tagline.api.http.marquez.history import merged_facets
from tagline.api.http.marquez.shapes import RunTold, Told
from tagline.api.http.marquez.versions import (
    dataset_version_at,
    dataset_versions,
    job_versions,
    version_at_run,
)
from tagline.api.services.marquez_declarations import subject_name
from tagline.graph.records import Run, VertexRecord

# OpenLineage ``datasetType`` values Marquez would call a stream.
STREAMS = frozenset({"STREAM", "TOPIC"})


def _facet(facets: dict[str, Any], name: str, field: str) -> str | None:
    facet = facets.get(name)
    value = facet.get(field) if isinstance(facet, dict) else None
    return str(value) if value else None


def dataset_told(call: Call, record: VertexRecord) -> Told:
    namespace, name = str(record.props["namespace"]), str(record.props["name"])
    snapshot = call.history
    versions = dataset_versions(snapshot, call.store, namespace, name)
    facets = merged_facets(
        d["facets"] for _, d in snapshot.by_dataset.get((namespace, name), []) if isinstance(d.get("facets"), dict)
    )
    declared = snapshot.declared("dataset").get(subject_name(namespace, name))
    said_type = (_facet(facets, "datasetType", "datasetType") or "").upper()
    kind = "STREAM" if said_type in STREAMS else declared.body.get("type") if declared else None
    return Told(
        facets=facets,
        current_version=versions[-1].version if versions else None,
        kind=str(kind) if kind else None,
        lifecycle=versions[-1].lifecycle if versions else None,
    )


def job_told(call: Call, record: VertexRecord) -> Told:
    namespace, name = str(record.props["namespace"]), str(record.props["name"])
    versions = job_versions(call.history, namespace, name)
    facets = versions[-1].facets if versions else {}
    declared = call.history.declared("job").get(subject_name(namespace, name))
    body = declared.body if declared else {}
    streaming = (_facet(facets, "jobType", "processingType") or "").upper() == "STREAMING"
    kind = "STREAM" if streaming else body.get("type")
    location = _facet(facets, "sourceCodeLocation", "url") or body.get("location")
    return Told(
        facets=facets,
        current_version=versions[-1].version if versions else None,
        kind=str(kind) if kind else None,
        location=str(location) if location else None,
    )


def run_told(call: Call) -> Callable[[Run], RunTold]:
    """How to tell each run of one answer (the log is read once for all of them)."""
    snapshot = call.history

    def told(run: Run) -> RunTold:
        said = snapshot.by_run.get(run.run_id, [])
        job = next((s.job for s in said if s.job), None)
        if job is None:
            return RunTold()
        version = version_at_run(job_versions(snapshot, *job), run.run_id)
        refs = call.store.find([*run.inputs, *run.outputs])
        at = run.ended_at or run.started_at

        def dataset_versions_of(keys: list[str]) -> list[dict[str, str]]:
            found = []
            for key in keys:
                record = refs.get(key)
                if record is None:
                    continue
                namespace, name = str(record.props["namespace"]), str(record.props["name"])
                current = dataset_version_at(dataset_versions(snapshot, call.store, namespace, name), at)
                if current is not None:
                    found.append({"namespace": namespace, "name": name, "version": current.version})
            return found

        return RunTold(
            facets=merged_facets(s.facets("run") for s in said),
            job_version={"namespace": job[0], "name": job[1], "version": version.version} if version else None,
            inputs=dataset_versions_of(run.inputs),
            outputs=dataset_versions_of(run.outputs),
        )

    return told


def job_facets_of_run(call: Call, run_id: str) -> dict[str, Any]:
    return merged_facets(s.facets("job") for s in call.history.by_run.get(run_id, []))
