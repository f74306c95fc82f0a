"""Runs (``/namespaces/{ns}/jobs/{job}/runs``, ``/jobs/runs/{id}[/facets]``), and marking a run
started, completed, failed or aborted (``POST /jobs/runs/{id}/start|complete|fail|abort?at=``).

Runs are the store's run vertices, merged from run events (``graph/writers/runs.py``), with the
facets and versions their events told. Marking a run is an OpenLineage run event of that type
for the run's job, logged and applied as an emitter's would be: the run's state, its job's last
run and the event log all change as if the emitter had sent it.
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import INGEST, READ
from tagline.api.http.marquez.common import PREFIX, Call, Handler, Problem, moment, paged
from tagline.api.http.marquez.jobs import the_job
from tagline.api.http.marquez.shapes import run_json, runs_json
from tagline.api.http.marquez.told import job_facets_of_run, run_told
from tagline.api.services.lineage_events import accept_event, latest_event_time
from tagline.graph.records import Run
from tagline.graph.timefmt import iso, utcnow
from tagline.ingest.openlineage_events import EventError, parse_event

# Every run of a job is listed from the store's run vertices; a job has fewer than this.
MAX_RUNS = 1_000_000
ACTIONS = {"start": "START", "complete": "COMPLETE", "fail": "FAIL", "abort": "ABORT"}
# Who the run events made for Marquez's run routes say produced them.
PRODUCER = "urn:tagline:marquez-api"
EVENT_SCHEMA = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"


def list_runs(call: Call) -> dict[str, Any]:
    record = the_job(call)
    runs = runs_json(record, call.store.runs_of(record.key, MAX_RUNS), run_told(call))
    page, total = paged(runs, call.params)
    return {"runs": page, "totalCount": total}


def the_run(call: Call) -> Run:
    found = call.store.run(call.path["id"])
    if found is None:
        raise Problem(404, f"run {call.path['id']!r} not found")
    return found


def get_run(call: Call) -> dict[str, Any]:
    run = the_run(call)
    return run_json(run, run_told(call)(run))


def run_facets(call: Call) -> dict[str, Any]:
    """``?type=run`` (the run's facets) or ``?type=job`` (its job's, as the run's events said)."""
    kind = call.params.get("type", "")
    if kind not in ("run", "job"):
        raise Problem(400, f"type must be run or job (got {kind!r})")
    run = the_run(call)
    facets = job_facets_of_run(call, run.run_id) if kind == "job" else run_told(call)(run).facets
    return {"runId": run.run_id, "facets": facets}


def mark_run(call: Call) -> dict[str, Any]:
    action = call.path["action"]
    if action not in ACTIONS:
        raise Problem(404, f"a run is marked start, complete, fail or abort (not {action!r})")
    run = the_run(call)
    job = call.store.find([run.job]).get(run.job)
    if job is None:
        raise Problem(404, f"the job of run {run.run_id!r} is not found")
    at = moment(call.params, "at")
    raw = {
        "eventType": ACTIONS[action],
        "eventTime": iso(at or utcnow()),
        "producer": PRODUCER,
        "schemaURL": EVENT_SCHEMA,
        "run": {"runId": run.run_id},
        "job": {"namespace": job.props["namespace"], "name": job.props["name"]},
        "inputs": [],
        "outputs": [],
    }
    try:
        event = parse_event(raw, latest_event_time(call.settings.event_time_skew_seconds))
    except EventError as exc:
        raise Problem(400, f"at: {exc}") from exc
    source = f"POST {PREFIX}/jobs/runs/{run.run_id}/{action}"
    accept_event(call.store, raw, event, source)
    return get_run(call)


HANDLERS = [
    Handler("GET", "namespaces/{namespace}/jobs/{job}/runs", READ, list_runs),
    Handler("GET", "jobs/runs/{id}", READ, get_run),
    Handler("GET", "jobs/runs/{id}/facets", READ, run_facets),
    Handler("POST", "jobs/runs/{id}/{action}", INGEST, mark_run, writes=True),
]
