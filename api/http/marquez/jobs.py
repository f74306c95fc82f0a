"""Jobs (``/jobs``, ``/namespaces/{ns}/jobs[/{name}[/versions[/{version}]]]``), read and declared.

A job is answered with its latest runs (the store's run vertices) and what its events told
(``told.py``); its versions are the definitions its events brought (``versions.py``), newest first,
each with its inputs, outputs and latest run. A ``PUT`` declares the job, its description and the
datasets it reads and writes (``api/services/marquez_declarations.py``).
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import INGEST, READ
from tagline.api.http.marquez.common import Call, Handler, Problem, find, paged, text_field
from tagline.api.http.marquez.datasets import known_namespace
from tagline.api.http.marquez.shapes import RUN_STATES, job_json, run_json
from tagline.api.http.marquez.told import job_told, run_told
from tagline.api.http.marquez.versions import JobVersion, job_versions
from tagline.api.services.marquez_declarations import declare, subject_name
from tagline.graph import schema
from tagline.graph.model import job_key
from tagline.graph.records import VertexRecord

JOB_TYPES = ("BATCH", "STREAM", "SERVICE")


def the_job(call: Call) -> VertexRecord:
    namespace, name = known_namespace(call), call.path["job"]
    return find(call.store, job_key(namespace, name), f"job {name!r} in namespace {namespace!r}")


def _shown(call: Call, records: list[VertexRecord]) -> dict[str, Any]:
    """A page of jobs, keeping only those whose latest run is in ``lastRunStates`` when given."""
    told = run_told(call)
    states = {s.strip().upper() for s in call.params.get("lastRunStates", "").split(",") if s.strip()}
    unknown = states - set(RUN_STATES.values())
    if unknown:
        raise Problem(400, f"lastRunStates must be among {', '.join(sorted(set(RUN_STATES.values())))}")
    if states:
        shown = [job_json(call.store, r, job_told(call, r), told) for r in records]
        kept = [j for j in shown if j["latestRun"] and j["latestRun"]["state"] in states]
        page, total = paged(kept, call.params)
        return {"jobs": page, "totalCount": total}
    page, total = paged(records, call.params)
    return {"jobs": [job_json(call.store, r, job_told(call, r), told) for r in page], "totalCount": total}


def list_jobs(call: Call) -> dict[str, Any]:
    return _shown(call, call.store.in_namespace(schema.JOB, known_namespace(call)))


def list_all_jobs(call: Call) -> dict[str, Any]:
    records = [r for n in call.store.namespaces() for r in call.store.in_namespace(schema.JOB, n)]
    return _shown(call, records)


def get_job(call: Call) -> dict[str, Any]:
    record = the_job(call)
    return job_json(call.store, record, job_told(call, record), run_told(call))


def put_job(call: Call) -> dict[str, Any]:
    kind = (text_field(call.body, "type") or "BATCH").upper()
    if kind not in JOB_TYPES:
        raise Problem(400, f"type must be one of {', '.join(JOB_TYPES)} (got {kind!r})")
    refs = {}
    for side in ("inputs", "outputs"):
        given = call.body.get(side) or []
        if not isinstance(given, list) or not all(
            isinstance(d, dict) and isinstance(d.get("namespace"), str) and isinstance(d.get("name"), str)
            for d in given
        ):
            raise Problem(400, f"{side} must be a list of {{namespace, name}} objects")
        refs[side] = [{"namespace": d["namespace"], "name": d["name"]} for d in given]
    body = {
        "type": kind,
        "location": text_field(call.body, "location"),
        "description": text_field(call.body, "description"),
        **refs,
    }
    declare(call.store, "job", subject_name(call.path["namespace"], call.path["job"]), body, call.actor)
    return get_job(call)


def version_json(call: Call, version: JobVersion) -> dict[str, Any]:
    """Marquez's JobVersion, with the latest run of that definition."""
    runs = [r for r in (call.store.run(i) for i in version.run_ids) if r is not None]
    latest = max(runs, key=lambda r: r.started_at or r.ended_at or "", default=None)
    location = version.facets.get("sourceCodeLocation")
    return {
        "id": {"namespace": version.namespace, "name": version.name, "version": version.version},
        "name": version.name,
        "version": version.version,
        "createdAt": version.at,
        "updatedAt": version.at,
        "namespace": version.namespace,
        "inputs": version.inputs,
        "outputs": version.outputs,
        "location": location.get("url") if isinstance(location, dict) else None,
        "context": {},
        "description": None,
        "latestRun": run_json(latest, run_told(call)(latest)) if latest else None,
        "facets": version.facets,
    }


def list_versions(call: Call) -> dict[str, Any]:
    the_job(call)
    newest = job_versions(call.history, call.path["namespace"], call.path["job"])[::-1]
    page, total = paged(newest, call.params)
    return {"versions": [version_json(call, v) for v in page], "totalCount": total}


def get_version(call: Call) -> dict[str, Any]:
    the_job(call)
    wanted = call.path["version"]
    found = next(
        (v for v in job_versions(call.history, call.path["namespace"], call.path["job"]) if v.version == wanted), None
    )
    if found is None:
        raise Problem(404, f"version {wanted!r} of job {call.path['job']!r} not found")
    return version_json(call, found)


HANDLERS = [
    Handler("GET", "jobs", READ, list_all_jobs),
    Handler("GET", "namespaces/{namespace}/jobs", READ, list_jobs),
    Handler("GET", "namespaces/{namespace}/jobs/{job}", READ, get_job),
    Handler("PUT", "namespaces/{namespace}/jobs/{job}", INGEST, put_job, writes=True),
    Handler("GET", "namespaces/{namespace}/jobs/{job}/versions", READ, list_versions),
    Handler("GET", "namespaces/{namespace}/jobs/{job}/versions/{version}", READ, get_version),
]
