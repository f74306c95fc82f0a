"""``POST /api/v1/sql``: queries as engine hooks report them when they finish.

The body is one query-log line (``{"sql", "dialect", "namespace", "job" or "user", "ts",
"query_id"}``, as in a query-log file) or an array of them. Each statement is traced in the SQL
worker process, under the per-statement time budget a server thread cannot enforce itself
(``api/services/sql_worker.py``); what fails goes to the dead letter and the rest lands. 201 says
what was recorded and what failed (``partial``: of those, statements whose tables landed but
whose columns did not all trace), and the change-log position a read can wait for
(``X-Tagline-Position``, see api/http/read_your_writes.py); queries that would write more column
edges than ``TAGLINE_MAX_SQL_EDGES`` are refused whole (413) before anything is written; a body
that is not such lines is refused whole (400/422), with a problem document (``api/problems.py``)
saying why.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tagline.api.auth import INGEST, requires
from tagline.api.http.app_state import store_thread
from tagline.api.problems import problem
from tagline.api.services.querylog import write_queries
from tagline.api.services.sql_worker import LazySqlWorker
from tagline.api.services.store_thread import POSITION_HEADER
from tagline.api.settings import Settings
from tagline.errors import InvalidInput
from tagline.graph.timefmt import utcnow
from tagline.ingest.querylog import LoggedQuery, QueryLogEntry, QueryLogOptions
from tagline.ingest.sql.extract import ExtractOptions

SQL_PATH = "/api/v1/sql"
SOURCE = "http:sql"


def sql_routes(settings: Settings, worker: LazySqlWorker) -> list[Route]:
    async def post_sql(request: Request) -> JSONResponse:
        try:
            raw = orjson.loads(await request.body())
        except orjson.JSONDecodeError as exc:
            return problem(400, "MALFORMED_JSON", f"malformed JSON: {exc}")
        items = raw if isinstance(raw, list) else [raw]
        if not items or len(items) > settings.max_sql_queries:
            limit = settings.max_sql_queries
            return problem(422, InvalidInput.code, f"send 1 to {limit:,} queries per request (TAGLINE_MAX_SQL_QUERIES)")
        queries, problems = _read(items)
        if problems:
            where = "; ".join(f"query {p['query']} {p['field']}: {p['error']}" for p in problems)
            return problem(422, InvalidInput.code, f"not query-log lines: {where}", problems=problems)
        extract = ExtractOptions(statement_timeout=settings.sql_statement_timeout_seconds)
        options = QueryLogOptions(read_at=utcnow(), extract=extract)
        loop = asyncio.get_running_loop()
        batches = await loop.run_in_executor(None, worker.get().query_batches, queries, options, SOURCE)
        edges = [len(batch.edges) for batch in batches]
        if sum(edges) > settings.max_sql_edges:
            return JSONResponse(
                {"error": _too_many_edges(edges, settings.max_sql_edges), "code": "TOO_MANY_EDGES"}, 413
            )
        thread = store_thread(request.app)
        report, position = await thread.write(write_queries, thread.store, batches)
        failures = [{"location": f.location, "reason": f.reason, "partial": f.partial} for f in report.failures]
        return JSONResponse(
            {
                "queries": report.queries,
                "statements": report.statements,
                "edges": report.edges,
                "reads": report.reads,
                "new_edges": report.edges_created,
                "failed": len(failures),
                "partial": report.partial,
                "failures": failures,
                "position": position,
            },
            status_code=201,
            headers={POSITION_HEADER: position},
        )

    return [Route(SQL_PATH, requires(INGEST)(post_sql), methods=["POST"])]


def _too_many_edges(edges: list[int], limit: int) -> str:
    """Which queries make a request too large to write, the largest first."""
    largest = sorted(range(len(edges)), key=lambda n: -edges[n])[:3]
    named = ", ".join(f"query {n + 1}: {edges[n]:,}" for n in largest)
    return (
        f"the queries would write {sum(edges):,} column edges ({named}), over the limit of {limit:,} "
        "(TAGLINE_MAX_SQL_EDGES): send fewer queries per request; nothing was written"
    )


def _read(items: list[Any]) -> tuple[list[LoggedQuery], list[dict[str, str]]]:
    """The queries, numbered from 1 in the order sent, or what is wrong with each bad one."""
    queries: list[LoggedQuery] = []
    problems: list[dict[str, str]] = []
    for number, item in enumerate(items, start=1):
        try:
            entry = QueryLogEntry.model_validate(item)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(p) for p in error["loc"]) or "(query)"
                problems.append({"query": str(number), "field": field, "error": error["msg"]})
            continue
        if not entry.sql.strip():
            problems.append({"query": str(number), "field": "sql", "error": "must not be empty"})
        queries.append(LoggedQuery(number, entry, text=entry.sql))
    return queries, problems
