"""Lineage graphs as Marquez draws them: ``/lineage`` (datasets and jobs), ``/column-lineage``
(columns), and ``/runlineage/upstream`` (the runs that produced what a run read, and so on up).

Nothing is cut silently: at most ``maxNodes`` nodes (a parameter Tagline adds, at most and by
default ``TAGLINE_MAX_LINEAGE_NODES``); when that limit cuts a graph, the answer says so beside
Marquez's fields — ``complete: false``, ``limit: "maxNodes"`` and ``next``, how to get the rest —
as GraphQL's ``datasetLineage`` does (``truncated`` is kept too). Marquez's clients ignore fields
they do not know.
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import READ
from tagline.api.http.marquez.common import Call, Handler, Problem, flag, node, number
from tagline.api.http.marquez.runs import MAX_RUNS
from tagline.api.http.marquez.shapes import (
    RUN_STATES,
    column_node_data,
    dataset_json,
    graph_node,
    input_field_json,
    job_json,
)
from tagline.api.http.marquez.told import run_told
from tagline.api.services.node_ids import FIELD, JOB, NodeId, node_id
from tagline.graph import schema
from tagline.graph.records import Direction, EdgeRecord, Expansion, Run, VertexRecord
from tagline.graph.store import GraphStore


def _limits(call: Call) -> tuple[int, int]:
    settings = call.settings
    depth = number(call.params, "depth", settings.max_lineage_depth, 1, settings.max_lineage_depth)
    most = number(call.params, "maxNodes", settings.max_lineage_nodes, 1, settings.max_lineage_nodes)
    return depth, most


def _cut(truncated: bool, call: Call) -> dict[str, Any]:
    """Whether a limit cut the graph, and how to get the rest."""
    return {
        "truncated": truncated,
        "complete": not truncated,
        "limit": "maxNodes" if truncated else None,
        "next": f"raise maxNodes (up to {call.settings.max_lineage_nodes}) or ask for less depth"
        if truncated
        else None,
    }


def table_lineage(call: Call) -> dict[str, Any]:
    depth, most = _limits(call)
    parsed, start = node(call.store, call.params)
    if parsed.kind == FIELD:
        raise Problem(400, "a datasetField node has column lineage: ask /api/v1/column-lineage")
    store = call.store
    nodes, edges, truncated = store.table_lineage(start, ("in", "out"), depth, most)
    ids = {r.key: node_id(r) for r in nodes}
    pairs = [(ids[a], ids[b]) for a, b in edges]
    graph = [
        graph_node(
            ids[r.key],
            "JOB" if r.label == schema.JOB else "DATASET",
            {"type": "JOB", **job_json(store, r)}
            if r.label == schema.JOB
            else {"type": "DATASET", **dataset_json(store, r)},
            [p for p in pairs if p[1] == ids[r.key]],
            [p for p in pairs if p[0] == ids[r.key]],
        )
        for r in nodes
    ]
    return {"graph": sorted(graph, key=lambda n: n["id"]), **_cut(truncated, call)}


def _column_starts(store: GraphStore, parsed: NodeId, start: VertexRecord) -> list[VertexRecord]:
    if parsed.kind == FIELD:
        return [start]
    datasets = [h.neighbour for h in store.hops([start.id], "out", [schema.WRITES])] if parsed.kind == JOB else [start]
    return [h.neighbour for h in store.hops([d.id for d in datasets], "out", [schema.HAS_COLUMN])]


def _column_graph(store: GraphStore, found: Expansion) -> list[dict[str, Any]]:
    """Marquez's column lineage graph: each column with its inputs; a node's inEdges run from it
    to its inputs and its outEdges from it to what it feeds, as Marquez draws them."""
    by_pair: dict[tuple[Any, Any], list[EdgeRecord]] = {}
    for edge in sorted(found.edges.values(), key=lambda e: str(e.props.get(schema.KEY))):
        by_pair.setdefault((edge.in_id, edge.out_id), []).append(edge)
    job_keys = {str(e.props["job"]) for e in found.edges.values() if e.props.get("job")}
    job_ids = {k: node_id(r) for k, r in store.find(job_keys).items()}
    ids = {v: node_id(r) for v, r in found.vertices.items()}
    graph = []
    for vertex, record in found.vertices.items():
        sources = sorted((s for t, s in by_pair if t == vertex), key=lambda s: ids[s])
        inputs = [input_field_json(found.vertices[s], by_pair[(vertex, s)], job_ids) for s in sources]
        feeds = [t for t, s in by_pair if s == vertex]
        graph.append(
            graph_node(
                ids[vertex],
                "DATASET_FIELD",
                column_node_data(record, inputs),
                [(ids[vertex], ids[s]) for s in sources],
                [(ids[vertex], ids[t]) for t in feeds],
            )
        )
    return sorted(graph, key=lambda n: n["id"])


def column_lineage(call: Call) -> dict[str, Any]:
    depth, most = _limits(call)
    downstream = flag(call.params, "withDownstream")
    parsed, start = node(call.store, call.params)
    directions: tuple[Direction, ...] = ("in", "out") if downstream else ("in",)
    found = call.store.lineage_graph(_column_starts(call.store, parsed, start), directions, depth, most)
    return {"graph": _column_graph(call.store, found), **_cut(found.truncated, call)}


def _producer(call: Call, dataset: VertexRecord, before: str) -> Run | None:
    """The latest run that wrote ``dataset`` and ended (or started) no later than ``before``."""
    writers = call.store.hops([dataset.id], "in", [schema.WRITES])
    candidates = [
        run
        for hop in writers
        for run in call.store.runs_of(hop.neighbour.key, MAX_RUNS)
        if dataset.key in run.outputs and (run.ended_at or run.started_at or "") <= before
    ]
    return max(candidates, key=lambda r: r.ended_at or r.started_at or "", default=None)


def upstream_runs(call: Call) -> dict[str, Any]:
    """Marquez's UpstreamRunLineage: the run, then the runs that produced its inputs, breadth first."""
    run_id = call.params.get("runId", "")
    if not run_id:
        raise Problem(400, "query parameter runId is required")
    depth = number(call.params, "depth", call.settings.max_lineage_depth, 1, call.settings.max_lineage_depth)
    first = call.store.run(run_id)
    if first is None:
        raise Problem(404, f"run {run_id!r} not found")
    told = run_told(call)
    answered: list[dict[str, Any]] = []
    seen, level = {run_id}, [first]
    for _ in range(depth):
        following: list[Run] = []
        for run in level:
            version = told(run).job_version
            job = call.store.find([run.job]).get(run.job)
            inputs: list[dict[str, Any]] = []
            for record in call.store.find(run.inputs).values():
                producer = _producer(call, record, run.started_at or run.ended_at or "")
                at = told(producer) if producer else None
                made = next((v for v in at.outputs if v["name"] == record.props["name"]), None) if at else None
                inputs.append(
                    {
                        "namespace": record.props["namespace"],
                        "name": record.props["name"],
                        "version": made["version"] if made else None,
                        "producedByRunId": producer.run_id if producer else None,
                    }
                )
                if producer is not None and producer.run_id not in seen:
                    seen.add(producer.run_id)
                    following.append(producer)
            answered.append(
                {
                    "job": {
                        "namespace": job.props["namespace"] if job else None,
                        "name": job.props["name"] if job else None,
                        "version": version["version"] if version else None,
                    },
                    "run": {
                        "id": run.run_id,
                        "start": run.started_at,
                        "end": run.ended_at,
                        "status": RUN_STATES.get(run.state, "NEW"),
                    },
                    "inputs": sorted(inputs, key=lambda i: (i["namespace"], i["name"])),
                }
            )
        level = following
        if not level:
            break
    return {"runs": answered}


HANDLERS = [
    Handler("GET", "lineage", READ, table_lineage),
    Handler("GET", "column-lineage", READ, column_lineage, on_loop=True),
    Handler("GET", "runlineage/upstream", READ, upstream_runs),
]
