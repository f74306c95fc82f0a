"""Marquez's read API, so Marquez's clients (its web UI, marquez-python, marquez-java) can read
from Tagline: namespaces, datasets, jobs with their latest run, table and column lineage, search.

Shapes are in ``api/marquez_json.py``. Paging as Marquez pages: ``limit`` and ``offset`` in,
``totalCount`` out. Errors as Marquez answers them, ``{"code": 404, "message": ...}`` (the fields
marquez-java and marquez-python read), in a problem document (``api/problems.py``) whose ``type``
carries Tagline's code. Namespace,
dataset and job names in paths are URL-encoded (``hive%3A%2F%2Fwarehouse``); they are split on
the raw path, so an encoded ``/`` stays inside its name. Reads need the READ role.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tagline.api.auth import READ, requires
from tagline.api.http.app_state import store_thread
from tagline.api.http.errors import status_of
from tagline.api.http.marquez_json import (
    column_node_data,
    dataset_json,
    graph_node,
    input_field_json,
    job_json,
    namespace_json,
    search_result_json,
    updated_at,
)
from tagline.api.problems import PROBLEM_JSON, problem_body
from tagline.api.services.node_ids import FIELD, JOB, BadNodeId, NodeId, node_id, parse_node_id
from tagline.api.settings import Settings
from tagline.errors import InvalidInput, NotFound, TaglineError
from tagline.graph import schema
from tagline.graph.model import dataset_key, job_key
from tagline.graph.records import Direction, EdgeRecord, Expansion, VertexRecord
from tagline.graph.store import GraphStore

PREFIX = "/api/v1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
SEARCH_LIMIT = 10
# Search results sorted by name or time are sorted from at most this many matches.
MAX_SORTED = 10_000
SEARCH_SORTS = ("name", "updated_at", "relevance")
# Tagline's codes of the statuses these routes answer themselves.
CODES = {400: InvalidInput.code, 404: NotFound.code}


class Problem(Exception):
    """An answer other than 200, in Marquez's error shape: a problem document whose ``code`` is
    the status, as Marquez's clients read it, with ``message`` beside ``detail``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "ERROR")

    @classmethod
    def of(cls, error: TaglineError) -> Problem:
        """A query parameter the store refused is a 400, as Marquez answers bad parameters."""
        return cls(400 if isinstance(error, InvalidInput) else status_of(error), str(error), error.code)

    def response(self) -> JSONResponse:
        body = {**problem_body(self.status, self.code, self.message), "code": self.status, "message": self.message}
        return JSONResponse(body, self.status, media_type=PROBLEM_JSON)


def _number(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
        raise Problem(400, f"{name} must be a whole number from {low} to {high} (got {text!r})")
    return int(text)


def _flag(params: Mapping[str, str], name: str) -> bool:
    text = params.get(name, "false").lower()
    if text not in ("true", "false"):
        raise Problem(400, f"{name} must be true or false (got {params[name]!r})")
    return text == "true"


def _paged(items: list[Any], params: Mapping[str, str]) -> tuple[list[Any], int]:
    limit = _number(params, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = _number(params, "offset", 0, 0, 2**31)
    return items[offset : offset + limit], len(items)


def _find(store: GraphStore, key: str, what: str) -> VertexRecord:
    record = store.find([key]).get(key)
    if record is None:
        raise Problem(404, f"{what} not found")
    return record


def _node(store: GraphStore, params: Mapping[str, str]) -> tuple[NodeId, VertexRecord]:
    value = params.get("nodeId", "")
    if not value:
        raise Problem(400, "query parameter nodeId is required, e.g. nodeId=dataset:<namespace>:<name>")
    try:
        parsed = parse_node_id(value, lambda key: bool(store.find([key])))
    except BadNodeId as exc:
        raise Problem(400, str(exc)) from exc
    return parsed, _find(store, parsed.key, f"node {value!r}")


# ---- namespaces, datasets, jobs -------------------------------------------------------------------
def _namespaces(store: GraphStore) -> list[dict[str, Any]]:
    found = []
    for name in store.namespaces():
        seen = [
            str(r.props["first_seen"]) for r in store.in_namespace(schema.DATASET, name) if r.props.get("first_seen")
        ]
        found.append(namespace_json(name, min(seen) if seen else None))
    return found


def _under_namespace(store: GraphStore, parts: list[str], params: Mapping[str, str]) -> dict[str, Any]:
    """``/namespaces/{ns}``, ``/{ns}/datasets[/{name}]``, ``/{ns}/jobs[/{name}]``."""
    namespace, rest = parts[0], parts[1:]
    if namespace not in store.namespaces():
        raise Problem(404, f"namespace {namespace!r} not found")
    if not rest:
        return next(n for n in _namespaces(store) if n["name"] == namespace)
    kinds: dict[str, tuple[str, Callable[[str, str], str], Callable[[GraphStore, VertexRecord], dict[str, Any]]]] = {
        "datasets": (schema.DATASET, dataset_key, dataset_json),
        "jobs": (schema.JOB, job_key, job_json),
    }
    if rest[0] not in kinds or len(rest) > 2:
        raise Problem(404, "not found")
    label, key_of, shape = kinds[rest[0]]
    if len(rest) == 2:
        return shape(store, _find(store, key_of(namespace, rest[1]), f"{label} {rest[1]!r} in namespace {namespace!r}"))
    page, total = _paged(store.in_namespace(label, namespace), params)
    return {rest[0]: [shape(store, r) for r in page], "totalCount": total}


# ---- lineage -----------------------------------------------------------------------------------------
def _table_lineage(store: GraphStore, settings: Settings, params: Mapping[str, str]) -> dict[str, Any]:
    depth = _number(params, "depth", settings.max_lineage_depth, 1, settings.max_lineage_depth)
    parsed, start = _node(store, params)
    if parsed.kind == FIELD:
        raise Problem(400, "a datasetField node has column lineage: ask /api/v1/column-lineage")
    nodes, edges, truncated = store.table_lineage(start, ("in", "out"), depth, settings.max_lineage_nodes)
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
    return {"graph": sorted(graph, key=lambda n: n["id"]), "truncated": truncated}


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


def _column_lineage(store: GraphStore, settings: Settings, params: Mapping[str, str]) -> dict[str, Any]:
    depth = _number(params, "depth", settings.max_lineage_depth, 1, settings.max_lineage_depth)
    downstream = _flag(params, "withDownstream")
    parsed, start = _node(store, params)
    directions: tuple[Direction, ...] = ("in", "out") if downstream else ("in",)
    found = store.lineage_graph(_column_starts(store, parsed, start), directions, depth, settings.max_lineage_nodes)
    return {"graph": _column_graph(store, found), "truncated": found.truncated}


# ---- search ------------------------------------------------------------------------------------------
def _search(store: GraphStore, params: Mapping[str, str]) -> dict[str, Any]:
    # Marquez matches `%q%` with SQL wildcards; a substring search is the same without them.
    query = params.get("q", "").replace("%", "").strip()
    if not query:
        raise Problem(400, "query parameter q is required")
    wanted = params.get("filter", "").lower()
    if wanted not in ("", "dataset", "job"):
        raise Problem(400, f"filter must be dataset or job (got {params['filter']!r})")
    sort = params.get("sort", "name").lower()
    if sort not in SEARCH_SORTS:
        raise Problem(400, f"sort must be one of {', '.join(SEARCH_SORTS)} (got {params['sort']!r})")
    for unsupported in ("before", "after"):
        if params.get(unsupported):
            raise Problem(400, f"{unsupported} (a date filter) is not supported by Tagline's search")
    limit = _number(params, "limit", SEARCH_LIMIT, 0, MAX_LIMIT)
    labels = [schema.DATASET, schema.JOB] if not wanted else [wanted]
    namespace = params.get("namespace") or None
    if sort == "relevance":
        found, total = store.search(query, labels, namespace, 0, limit)
    else:
        found, total = store.search(query, labels, namespace, 0, MAX_SORTED)
        if sort == "name":
            found.sort(key=lambda r: (str(r.props["name"]), r.label, str(r.props["namespace"])))
        else:
            stamped = sorted(((updated_at(store, r), r) for r in found), key=lambda p: p[0], reverse=True)
            found = [r for _, r in stamped]
        found = found[:limit]
    return {"totalCount": total, "results": [search_result_json(store, r) for r in found]}


def marquez_routes(settings: Settings) -> list[Route]:
    """Read routes answered from the lineage index on the event loop, like GraphQL reads."""

    async def built(
        request: Request, build: Callable[[GraphStore, Mapping[str, str]], dict[str, Any]], reads_runs: bool
    ) -> JSONResponse:
        thread, params = store_thread(request.app), request.query_params
        try:
            # Jobs carry their latest runs, which the store (not the index) holds: those answers
            # are built on the store's thread.
            found = await thread.run(build, thread.store, params) if reads_runs else build(thread.store, params)
            return JSONResponse(found)
        except Problem as refused:
            return refused.response()
        except TaglineError as error:
            return Problem.of(error).response()

    def answer(
        build: Callable[[GraphStore, Mapping[str, str]], dict[str, Any]], reads_runs: bool = False
    ) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> JSONResponse:
            return await built(request, build, reads_runs)

        return requires(READ)(endpoint)

    async def under_namespace(request: Request) -> JSONResponse:
        # Split the raw path: the decoded one has lost which slashes were %2F inside a name.
        raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?")[0]
        parts = [unquote(p) for p in raw[len(f"{PREFIX}/namespaces/") :].split("/")]
        if not parts or not parts[0] or any(p == "" for p in parts):
            return Problem(404, "not found").response()
        return await built(request, lambda store, params: _under_namespace(store, parts, params), True)

    return [
        Route(
            f"{PREFIX}/namespaces", answer(lambda s, p: {"namespaces": _paged(_namespaces(s), p)[0]}), methods=["GET"]
        ),
        Route(f"{PREFIX}/namespaces/{{rest:path}}", requires(READ)(under_namespace), methods=["GET"]),
        Route(f"{PREFIX}/lineage", answer(lambda s, p: _table_lineage(s, settings, p), True), methods=["GET"]),
        Route(f"{PREFIX}/column-lineage", answer(lambda s, p: _column_lineage(s, settings, p)), methods=["GET"]),
        Route(f"{PREFIX}/search", answer(_search), methods=["GET"]),
    ]
