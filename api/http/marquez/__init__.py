"""Marquez's API, so Marquez's clients (its web UI, marquez-python, marquez-java) and the tools
built on them work against Tagline: one module per resource (namespaces and sources, datasets,
jobs, runs, events, tags, lineage, search), each a list of :class:`Handler` s; this module routes
a request to its handler, checks its role, and answers in Marquez's shapes (``shapes.py``).

Reads need READ; tagging needs GOVERN (it declares or removes Tagline tags, with audit and
propagation); the other writes (PUTs, run state changes) need INGEST, as events do.
"""

from __future__ import annotations

from json import JSONDecodeError
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tagline.api.auth import identity_of, refusal
from tagline.api.http.app_state import store_thread
from tagline.api.http.marquez import datasets, events, jobs, lineage, namespaces, runs, search, tags
from tagline.api.http.marquez.common import PREFIX, Call, Handler, Problem, body_of, raw_parts
from tagline.api.http.marquez.history import EventHistory
from tagline.api.services.store_thread import POSITION_HEADER
from tagline.api.settings import Settings, load_policy
from tagline.errors import TaglineError

HANDLERS: list[Handler] = [
    *namespaces.HANDLERS,
    *datasets.HANDLERS,
    *jobs.HANDLERS,
    *runs.HANDLERS,
    *events.HANDLERS,
    *tags.HANDLERS,
    *lineage.HANDLERS,
    *search.HANDLERS,
]


def _chosen(request: Request) -> tuple[Handler, dict[str, str]]:
    parts = raw_parts(request)
    matching = [(h, found) for h in HANDLERS if (found := h.match(parts)) is not None]
    if not matching:
        raise Problem(404, "not found")
    for handler, found in matching:
        if handler.method == request.method:
            return handler, found
    allowed = ", ".join(sorted({h.method for h, _ in matching}))
    raise Problem(405, f"{request.method} is not allowed here (allowed: {allowed})")


def marquez_routes(settings: Settings) -> list[Route]:
    """One Starlette route per first part of Marquez's paths, each dispatching on the rest."""
    history = EventHistory()
    policy = load_policy(settings)

    async def endpoint(request: Request) -> Response:
        try:
            handler, path = _chosen(request)
            refused = refusal(identity_of(request.scope), handler.permission)
            if refused is not None:
                return refused
            return await _answer(request, handler, path)
        except Problem as problem:
            return problem.response()
        except TaglineError as error:
            return Problem.of(error).response()

    async def _answer(request: Request, handler: Handler, path: dict[str, str]) -> Response:
        body: dict[str, Any] = {}
        if request.method in ("PUT", "POST") and await request.body():
            try:
                body = body_of(await request.json(), f"{request.method} {request.url.path}")
            except (JSONDecodeError, UnicodeDecodeError) as exc:
                raise Problem(400, f"the body is not JSON: {exc}") from exc
        thread = store_thread(request.app)
        identity = identity_of(request.scope)
        call = Call(
            thread.store,
            request.query_params,
            path,
            body,
            identity.name if identity else "anonymous",
            settings,
            policy,
            lambda: history.read(thread.store),
        )
        if handler.on_loop:
            return JSONResponse(handler.answer(call), handler.status)
        if handler.writes:
            found, position = await thread.write(handler.answer, call)
            return JSONResponse(found, handler.status, headers={POSITION_HEADER: position})
        return JSONResponse(await thread.run(handler.answer, call), handler.status)

    firsts = sorted({h.pattern.split("/")[0] for h in HANDLERS})
    routes = []
    for first in firsts:
        methods = sorted({h.method for h in HANDLERS if h.pattern.split("/")[0] == first})
        routes.append(Route(f"{PREFIX}/{first}", endpoint, methods=methods))
        routes.append(Route(f"{PREFIX}/{first}/{{rest:path}}", endpoint, methods=methods))
    return routes
