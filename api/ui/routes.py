"""Serves the lineage explorer at /ui and GraphiQL, from the bundle built into ``static/``.

The pages hold no data and are served without a key: they call /graphql like any client, so the
API keys and the same-origin guard apply to every answer, and with keys on the page asks for one.
The explorer's paths (/ui/column, /ui/dataset...) all answer with the same page, which routes in the
browser, so a link to a view can be shared and reloaded. Asset names carry a hash of their content:
they are cached for a year; the pages are revalidated on every load.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from tagline.api.auth import READ, requires
from tagline.api.problems import problem

STATIC = Path(__file__).parent / "static"
VIEWS = ("/ui", "/ui/column", "/ui/dataset", "/ui/job", "/ui/security")
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"


def page(name: str) -> Response:
    """A page of the bundle, or a 503 saying how to build it when the bundle is missing."""
    path = STATIC / name
    if not path.is_file():
        return problem(503, "UNAVAILABLE", f"the explorer's bundle is missing ({path}): run `make ui`")
    return FileResponse(path, media_type="text/html", headers={"Cache-Control": PAGE_CACHE})


def graphiql_page() -> Response:
    """GraphiQL with its scripts served by Tagline (no CDN); it asks for an API key when one is needed."""
    return page("graphiql.html")


class HashedAssets(StaticFiles):
    """Static files whose names change with their content, so browsers may keep them for good."""

    def file_response(
        self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = ASSET_CACHE
        return response


async def explorer(request: Request) -> Response:
    return page("index.html")


async def graphiql(request: Request) -> Response:
    return graphiql_page()


def ui_routes(schema_sdl: str) -> list[Route | Mount]:
    """The explorer's routes; ``schema_sdl`` is the GraphQL schema GraphiQL reads (with a key that may read)."""

    async def schema(request: Request) -> Response:
        return PlainTextResponse(schema_sdl, headers={"Cache-Control": PAGE_CACHE})

    return [
        *(Route(path, explorer, methods=["GET"]) for path in VIEWS),
        Route("/ui/graphiql", graphiql, methods=["GET"]),
        Route("/ui/schema.graphql", requires(READ)(schema), methods=["GET"]),
        Mount("/ui/assets", app=HashedAssets(directory=STATIC / "assets", check_dir=False), name="ui-assets"),
    ]
