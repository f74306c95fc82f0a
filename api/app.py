"""The Starlette application: GraphQL (with GraphiQL on GET), health and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from tagline import __version__
from tagline.api.auth import LOCAL, READ, AuthMiddleware, KeyRing, RequireIdentity, identity_of, requires
from tagline.api.gql.context import Context
from tagline.api.gql.schema import build_schema
from tagline.api.http.app_state import store_thread
from tagline.api.http.dependencies_routes import dependency_routes
from tagline.api.http.errors import http_error, server_error, tagline_error
from tagline.api.http.marquez_routes import marquez_routes
from tagline.api.http.metrics import Metrics, MetricsMiddleware
from tagline.api.http.openlineage_routes import openlineage_routes
from tagline.api.http.read_your_writes import ReadYourWrites
from tagline.api.http.request_limits import RequestLimits
from tagline.api.http.same_origin import LOOPBACK_NAMES, SameOriginGuard, host_name
from tagline.api.http.sql_routes import sql_routes
from tagline.api.mcp.http import MCP_PATH, McpEndpoint
from tagline.api.services.sql_worker import LazySqlWorker
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings, load_policy
from tagline.api.ui.routes import graphiql_page, ui_routes
from tagline.errors import TaglineError
from tagline.graph import deadline
from tagline.graph.store import is_remote

TIMEOUT = "TIMEOUT"
"""The code of a request whose time budget ran out (as api/http/request_limits.py answers it)."""


class TaglineGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        self.operations = build_schema(settings)
        super().__init__(self.operations, graphql_ide="graphiql")
        self.settings = settings
        self.policy = load_policy(settings)

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses nesting past 1,024 levels with a JSONDecodeError (400) where json.loads
        # would exhaust the stack (500); a body that is no object is the client's error too.
        decoded = orjson.loads(data)
        if not isinstance(decoded, dict | list):
            raise HTTPException(400, 'the body must be a JSON object such as {"query": "{ __typename }"}')
        return decoded

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # A field whose work ran out of the request's time budget fails the whole request, so the
        # client gets the 503 TIMEOUT the time limit answers (whichever notices first: the work
        # on its thread or the request's timer), not a 200 with a partial answer.
        for error in result.errors or ():
            if isinstance(error.original_error, deadline.OutOfTime):
                request.state.graphql_response.status_code = 503
                return {
                    "data": None,
                    "errors": [{"message": str(error.original_error), "extensions": {"code": TIMEOUT}}],
                }
        return await super().process_result(request, result)

    def encode_json(self, data: object) -> bytes:
        # A nested lineage answer is a few hundred KB of JSON: orjson writes it several times faster.
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Strawberry's page loads GraphiQL from a CDN; the explorer's bundle holds it.
        return graphiql_page()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        identity = identity_of(request.scope) or LOCAL
        if isinstance(response, Response):
            request.state.graphql_response = response
        return Context(
            thread=store_thread(request.app),
            settings=self.settings,
            identity=identity,
            response=response if isinstance(response, Response) else None,
            policy=self.policy,
        )


def create_app_from_environment() -> Starlette:
    """The app of one of several server processes (``tagline serve --workers N``): settings from
    the environment, as ``tagline serve`` left them."""
    return create_app(Settings())


def cors(settings: Settings) -> list[Middleware]:
    """Cross-origin access for the configured origins only. Outermost, so a browser's preflight
    (which carries no key) is answered before authentication."""
    origins = settings.cors_origin_list
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Content-Encoding"],
            max_age=600,
        )
    ]


def create_app(settings: Settings) -> Starlette:
    metrics = Metrics()
    # Asked only while the app made below runs, when its lifespan has opened the store's thread.
    mcp = McpEndpoint(settings, load_policy(settings), lambda: store_thread(app))
    sql_worker = LazySqlWorker()
    # The store's location may carry credentials, so health reports only its kind.
    store_kind = "gremlin-server" if is_remote(settings.store) else "embedded"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        thread = app.state.thread = StoreThread(settings.store, on_call=metrics.store_calls.inc)
        # The index and everything loaded with it live as long as the process: moved out of the
        # collector's generations, full collections no longer walk them during requests.
        gc.collect()
        gc.freeze()
        following = asyncio.create_task(thread.follow(settings.index_refresh_seconds))
        try:
            async with mcp.running():
                yield
        finally:
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following
            del app.state.thread
            thread.close()
            sql_worker.close()
            graphql.operations.close()

    async def healthz(request: Request) -> JSONResponse:
        """Liveness: the process answers. Never touches the store, so it never waits on it."""
        return JSONResponse({"status": "ok", "version": __version__, "store": store_kind})

    async def index_memory(thread: StoreThread) -> dict[str, float] | None:
        """The lineage index's memory, everything included, and per column edge (its target)."""
        found = await thread.run(thread.store.index_footprint)
        if found is None:
            return None
        return {
            "bytes": found.total,
            "column_edges": found.column_edges,
            "bytes_per_column_edge": found.per_column_edge,
        }

    async def readyz(request: Request) -> JSONResponse:
        """Readiness: the store answers within the budget, and how far the index lags its log."""
        thread = store_thread(request.app)
        try:
            lag = await asyncio.wait_for(thread.run(thread.store.index_lag), settings.ready_timeout_seconds)
        except TimeoutError:
            reason = f"the store did not answer within {settings.ready_timeout_seconds:g} s"
            return JSONResponse({"status": "unavailable", "store": store_kind, "error": reason}, 503)
        except Exception as exc:  # any store failure means not ready, whatever its type
            return JSONResponse({"status": "unavailable", "store": store_kind, "error": str(exc)}, 503)
        return JSONResponse(
            {"status": "ready", "store": store_kind, "index_lag": lag, "index": await index_memory(thread)}
        )

    graphql = TaglineGraphQL(settings)
    routes = [
        Route("/graphql", RequireIdentity(graphql), methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", requires(READ)(metrics.endpoint), methods=["GET"]),
        Route(MCP_PATH, mcp),
        *openlineage_routes(settings),
        *sql_routes(settings, sql_worker),
        *dependency_routes(settings),
        *marquez_routes(settings),
        *ui_routes(graphql.schema.as_str()),
    ]
    known = frozenset(r.path for r in routes)
    ring = KeyRing.configured(settings.api_keys, settings.api_keys_file)
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={TaglineError: tagline_error, StarletteHTTPException: http_error, 500: server_error},
        middleware=[
            *cors(settings),
            Middleware(MetricsMiddleware, metrics=metrics, known_paths=known),
            Middleware(
                RequestLimits,
                max_body_bytes=settings.max_body_bytes,
                body_timeout_s=settings.body_timeout_seconds,
                request_timeout_s=settings.request_timeout_seconds,
            ),
            *([] if ring is not None else [same_origin(settings)]),
            Middleware(AuthMiddleware, ring=ring),
            Middleware(ReadYourWrites, wait_s=settings.read_after_timeout_seconds),
        ],
    )
    return app


def same_origin(settings: Settings) -> Middleware:
    """The open mode's guard against web pages (see api/same_origin.py)."""
    hosts = frozenset({*LOOPBACK_NAMES, host_name(settings.host), *settings.allowed_host_list})
    return Middleware(SameOriginGuard, hosts=hosts, origins=frozenset(settings.cors_origin_list))
