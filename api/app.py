"""The Starlette application: GraphQL (with GraphiQL on GET), health and metrics."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from tagline import __version__
from tagline.api.auth import LOCAL, READ, AuthMiddleware, KeyRing, RequireIdentity, identity_of, requires
from tagline.api.gql.context import Context
from tagline.api.gql.contract import SDL_URL, sdl_of
from tagline.api.gql.persisted import PersistedQueries, PersistedQueryError, load_allowed
from tagline.api.gql.persisted_http import CACHE_CONTROL, NOT_MODIFIED, etag_of, is_persisted, matches
from tagline.api.gql.schema import build_schema
from tagline.api.http.app_state import store_thread
from tagline.api.http.dependencies_routes import dependency_routes
from tagline.api.http.errors import http_error, server_error, tagline_error
from tagline.api.http.marquez import marquez_routes
from tagline.api.http.metrics import Metrics, MetricsMiddleware
from tagline.api.http.openlineage_routes import openlineage_routes
from tagline.api.http.read_your_writes import ReadYourWrites
from tagline.api.http.request_id import RequestIdMiddleware
from tagline.api.http.request_limits import RequestLimits
from tagline.api.http.same_origin import LOOPBACK_NAMES, SameOriginGuard, host_name
from tagline.api.http.sql_routes import sql_routes
from tagline.api.http.tracing import TracingMiddleware
from tagline.api.mcp.http import MCP_PATH, McpEndpoint
from tagline.api.notify.runner import notifying
from tagline.api.services.change_feed import ChangeFeed
from tagline.api.services.log_format import configure_logging
from tagline.api.services.sql_worker import LazySqlWorker
from tagline.api.services.store_thread import StoreThread
from tagline.api.services.tracing import configure_tracing
from tagline.api.settings import Settings, load_policy
from tagline.api.ui.routes import graphiql_page, ui_routes
from tagline.errors import InvalidInput, TaglineError
from tagline.graph import deadline
from tagline.graph.store import is_remote

TIMEOUT = "TIMEOUT"
"""The code of a request whose time budget ran out (as api/http/request_limits.py answers it)."""


class TaglineGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings, ring: KeyRing | None = None) -> None:
        self.persisted = persisted_queries(settings)
        self.operations = build_schema(settings, self.persisted)
        # Subscriptions speak graphql-transport-ws only; a page of another origin may open a
        # WebSocket only from TAGLINE_CORS_ORIGINS.
        super().__init__(
            self.operations,
            graphql_ide="graphiql",
            allowed_origins=settings.cors_origin_list,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.settings = settings
        self.policy = load_policy(settings)
        self.ring = ring

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        # Authenticated like a request: the key comes in connection_init's payload
        # ({"Authorization": "Bearer <key>"}), as browsers cannot set a WebSocket's headers.
        if self.ring is None:
            return UNSET
        sent = (context.connection_params or {}).get("Authorization")
        scheme, _, key = str(sent or "").partition(" ")
        identity = self.ring.identify(key.strip()) if scheme.lower() == "bearer" else None
        if identity is None:
            raise ConnectionRejectionError({"message": 'send a configured key: {"Authorization": "Bearer <key>"}'})
        context.identity = identity
        return UNSET

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A persisted read by GET names no query; it is no request for GraphiQL's page.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Automatic persisted queries (api/gql/persisted.py): the hash names the document.
        try:
            request_data.query = self.persisted.resolve(request_data.query, request_data.extensions)
        except PersistedQueryError as exc:
            sub_response.status_code = exc.status
            return ExecutionResult(data=None, errors=[exc.error()])
        if request_adapter.method == "GET" and request_data.query and is_persisted(request_data.extensions):
            # Cacheable (api/gql/persisted_http.py): unchanged since the client's copy, 304.
            etag = etag_of(
                context.store, request_data.query, request_data.variables, request_data.operation_name, context.identity
            )
            sub_response.headers.update({"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Authorization"})
            if matches(request.headers.get("if-none-match"), etag):
                sub_response.status_code = NOT_MODIFIED
                return ExecutionResult(data=None, errors=None)
        return await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)

    def create_response(self, response_data: object, sub_response: Response) -> Response:
        if sub_response.status_code == NOT_MODIFIED:
            return Response(status_code=NOT_MODIFIED, headers=dict(sub_response.headers))
        return super().create_response(response_data, sub_response)  # type: ignore[arg-type]

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
            feed=request.app.state.feed if isinstance(request, WebSocket) else None,
        )


def persisted_queries(settings: Settings) -> PersistedQueries:
    """What clients may register by hash, or the fixed allow-list of TAGLINE_PERSISTED_ONLY."""
    if not settings.persisted_only:
        return PersistedQueries(settings.max_persisted_queries)
    if not settings.persisted_queries:
        raise InvalidInput("TAGLINE_PERSISTED_ONLY needs TAGLINE_PERSISTED_QUERIES: the documents it allows")
    allowed = load_allowed(settings.persisted_queries)
    return PersistedQueries(len(allowed), allowed)


def create_app_from_environment() -> Starlette:
    """The app of one of several server processes (``tagline serve --workers N``): settings from
    the environment, as ``tagline serve`` left them; its log lines as the settings say."""
    settings = Settings()
    configure_logging(settings.log_format)
    return create_app(settings)


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
        stop_tracing = configure_tracing(settings.otel_endpoint)
        thread = app.state.thread = StoreThread(settings.store, on_call=metrics.store_calls.inc)
        # The index and everything loaded with it live as long as the process: moved out of the
        # collector's generations, full collections no longer walk them during requests.
        gc.collect()
        gc.freeze()
        following = asyncio.create_task(thread.follow(settings.index_refresh_seconds))
        feed = app.state.feed = ChangeFeed(
            thread, settings.subscription_poll_seconds, settings.max_subscriptions_per_key
        )
        try:
            async with mcp.running(), notifying(settings, thread):
                yield
        finally:
            await feed.close()
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following
            del app.state.thread
            thread.close()
            sql_worker.close()
            graphql.operations.close()
            stop_tracing()

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

    ring = KeyRing.configured(settings.api_keys, settings.api_keys_file)
    graphql = TaglineGraphQL(settings, ring)
    sdl = sdl_of(graphql.operations)

    async def schema_sdl(request: Request) -> Response:
        """The schema as committed (api/gql/contract.py): what codegen and contract checks read."""
        return Response(sdl, media_type="application/graphql; charset=utf-8")

    routes = [
        Route("/graphql", RequireIdentity(graphql), methods=["GET", "POST"]),
        # Subscriptions: the key comes in connection_init (TaglineGraphQL.on_ws_connect).
        WebSocketRoute("/graphql", graphql),
        Route(SDL_URL, requires(READ)(schema_sdl), methods=["GET"]),
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
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={TaglineError: tagline_error, StarletteHTTPException: http_error, 500: server_error},
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(TracingMiddleware, known_paths=known),
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
