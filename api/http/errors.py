"""Tagline's errors as HTTP answers: one status per kind, the message and the kind's code.

Routes raise (or let through) a :class:`~tagline.errors.TaglineError`; this handler, registered
once on the app, answers it. Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from tagline.errors import Conflict, InvalidInput, NotFound, TaglineError, Unavailable

STATUS: dict[type[TaglineError], int] = {NotFound: 404, InvalidInput: 422, Conflict: 409, Unavailable: 503}


def status_of(error: TaglineError) -> int:
    return next((status for kind, status in STATUS.items() if isinstance(error, kind)), 400)


async def tagline_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TaglineError)
    return JSONResponse({"error": str(exc), "code": exc.code}, status_of(exc))
