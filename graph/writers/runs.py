"""Runs of jobs: one ``run`` vertex per run id, merged from its reports in whatever order they come.

OpenLineage emitters report a run several times (START, RUNNING, COMPLETE/FAIL/ABORT), possibly
out of order and more than once. The vertex keeps the earliest start, the end, the state (an end
outranks any start, a later end a former one), every input and output ever reported, the output
statistics and the parent run. Runs are not lineage: the lineage index leaves them to the store,
where ``runs_of`` finds a job's through its index (``byRunJob``).
"""

from __future__ import annotations

import json
from typing import Any

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import schema
from tagline.graph.model import RunReport, RunState
from tagline.graph.reader import find_by_keys
from tagline.graph.records import Run, vertex_from_map
from tagline.graph.timefmt import iso

ENDS = frozenset({RunState.COMPLETE.value, RunState.FAIL.value, RunState.ABORT.value})
STARTS = frozenset({RunState.START.value, RunState.RUNNING.value})


def run_key(run_id: str) -> str:
    return f"r|{run_id}"


def record_runs(g: GraphTraversalSource, reports: list[RunReport]) -> None:
    """Merge each report into its run's vertex (created on the first report)."""
    stored = find_by_keys(g, [run_key(r.run_id) for r in reports])
    known = {key: record.props for key, record in stored.items()}
    for report in reports:
        key = run_key(report.run_id)
        current = known.get(key)
        merged = _merged(current or {}, report)
        if current is None:
            step = g.add_v(schema.RUN).property(schema.VERTEX_LABEL_COPY, schema.RUN).property(schema.KEY, key)
        elif key in stored:
            step = g.V(stored[key].id)
        else:  # made by an earlier report of this batch, in this transaction: found by its key
            step = g.V().has(schema.KEY, key)
        for name, value in merged.items():
            if value is not None:
                step = step.property(name, value)
        step.iterate()
        # Later reports of the same run in this batch merge into what this one made.
        known[key] = {schema.KEY: key, **merged}


def _merged(current: dict[str, Any], report: RunReport) -> dict[str, Any]:
    at = iso(report.at)
    state, started, ended = current.get("state"), current.get("started_at"), current.get("ended_at")
    value = report.state.value
    if value in ENDS:
        if ended is None or at >= ended:
            state, ended = value, at
    elif value in STARTS:
        if state not in ENDS:
            state = value
        if value == RunState.START.value or started is None:
            started = min(filter(None, (started, at)))
    stats = json.loads(current.get("statistics") or "{}")
    stats.update({s.dataset.key: {"rows": s.rows, "bytes": s.bytes} for s in report.statistics})
    return {
        "run_job": report.job.key,
        "state": state or value,
        "started_at": started,
        "ended_at": ended,
        "parent_run": report.parent_run_id or current.get("parent_run"),
        "inputs": _union(current.get("inputs"), [d.key for d in report.inputs]),
        "outputs": _union(current.get("outputs"), [d.key for d in report.outputs]),
        "statistics": json.dumps(stats, sort_keys=True),
    }


def _union(stored: str | None, keys: list[str]) -> str:
    return json.dumps(sorted({*json.loads(stored or "[]"), *keys}))


def runs_of(g: GraphTraversalSource, job_key: str, first: int) -> list[Run]:
    """A job's runs, the latest start first."""
    rows = g.V().has("run_job", job_key).has_label(schema.RUN).element_map().to_list()
    runs = [Run.of(vertex_from_map(r)) for r in rows]
    return sorted(runs, key=lambda r: r.started_at or r.ended_at or "", reverse=True)[:first]


def run_by_id(g: GraphTraversalSource, run_id: str) -> Run | None:
    found = find_by_keys(g, [run_key(run_id)]).get(run_key(run_id))
    return Run.of(found) if found is not None else None
