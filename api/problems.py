"""Refusals as RFC 9457 problem documents (``application/problem+json``), the one shape of every
REST error: ``type``, ``title``, ``status``, ``detail`` and ``code`` (the same codes GraphQL puts
in ``extensions.code`` and the CLI prints). ``type`` is ``urn:tagline:problem:<CODE>``, so the code
can be read from it on every route, Marquez's included (where ``code`` stays the number Marquez's
clients parse). A refusal of ``/graphql`` also carries ``errors`` in GraphQL's shape, which every
GraphQL client shows.

On the ground floor of ``api/``: the guards (keys, request limits, the same-origin check) and the
routes all answer with it.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import Scope

PROBLEM_JSON = "application/problem+json"
GRAPHQL_PATH = "/graphql"


def problem_body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The members of a problem document; ``extra`` adds members of the route's own (``errors``
    of an event, ``problems`` of a body)."""
    return {
        "type": f"urn:tagline:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }


def problem(status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A refusal of a REST route, as ``application/problem+json``."""
    return JSONResponse(problem_body(status, code, detail, **extra), status, headers=headers, media_type=PROBLEM_JSON)


def refusal(scope: Scope, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A refusal by a guard around every route: a problem document, with GraphQL's ``errors``
    as well when the route is ``/graphql``."""
    extra: dict[str, Any] = {}
    if scope.get("path") == GRAPHQL_PATH:
        extra["errors"] = [{"message": detail, "extensions": {"code": code}}]
    return problem(status, code, detail, headers, **extra)
