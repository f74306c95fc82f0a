"""Tagline's errors as HTTP answers: one status per kind, as problem documents (``api/problems.py``).

Routes raise (or let through) a :class:`~tagline.errors.TaglineError`; :func:`tagline_error`,
registered once on the app, answers it. Anything else is a bug: :func:`server_error` answers 500
with an error id, and logs the id with the stack.
"""

from __future__ import annotations

import logging
import uuid

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from tagline.api.problems import refusal
from tagline.errors import Conflict, InvalidInput, NotFound, TaglineError, Unavailable

STATUS: dict[type[TaglineError], int] = {NotFound: 404, InvalidInput: 422, Conflict: 409, Unavailable: 503}
# The codes of Starlette's own refusals, by status.
HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
INTERNAL = "INTERNAL"

log = logging.getLogger("tagline.api")


def status_of(error: TaglineError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(error, kind)), 400)


async def tagline_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TaglineError)
    return refusal(request.scope, status_of(exc), exc.code, str(exc))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals: no such route, a method the route does not take."""
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
    return refusal(request.scope, exc.status_code, code, exc.detail, dict(exc.headers or {}))


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: 500 with an id the operator finds in the log beside the stack, never "retry later"."""
    error_id = uuid.uuid4().hex[:16]
    log.error("error %s answering %s %s", error_id, request.method, request.url.path, exc_info=exc)
    detail = f"an internal error (id {error_id}); the server's log has its details"
    return refusal(request.scope, 500, INTERNAL, detail, {"X-Tagline-Error-Id": error_id})
