"""``POST /api/v1/lineage``: OpenLineage events, answered the way Marquez answers them.

Emitters (the Spark listener, the Airflow provider, dbt-ol, the openlineage-python client's HTTP
transport) post one event per request, optionally gzip-compressed. ``201`` when the event is logged
and applied (or, if it could not be applied, logged and kept in the dead letter: the emitter did
nothing wrong and must not retry), with the change-log position a read can wait for
(``X-Tagline-Position``, see api/http/read_your_writes.py); ``400`` for a body that is not JSON,
saying where it broke; ``422`` for JSON that is not an OpenLineage event, naming each invalid
field's path (an ``eventTime`` without its offset, or further ahead than
``TAGLINE_EVENT_TIME_SKEW_SECONDS``, included); ``413`` for a body over the size limit; ``503``
only when the store is unavailable or busy, which a retry may get past. Anything else is a bug,
answered 500 with an error id that the server's log holds with its stack (``api/http/errors.py``):
retrying it would fail the same way. Every refusal is a problem document (``api/problems.py``).
"""

from __future__ import annotations

import json
import zlib

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tagline.api.auth import INGEST, requires
from tagline.api.http.app_state import store_thread
from tagline.api.problems import problem
from tagline.api.services.lineage_events import accept_event, event_width, latest_event_time
from tagline.api.services.store_thread import POSITION_HEADER
from tagline.api.settings import Settings
from tagline.errors import InvalidInput
from tagline.graph.store import is_unavailable
from tagline.ingest.openlineage_events import EventError, parse_event

LINEAGE_PATH = "/api/v1/lineage"
MAX_BODY_BYTES = 16 * 1024 * 1024
SOURCE = f"POST {LINEAGE_PATH}"


class BodyTooLarge(InvalidInput):
    pass


def _inflate(body: bytes, wbits: int) -> bytes:
    """Decompress at most MAX_BODY_BYTES, so a small compressed body cannot expand without bound."""
    inflater = zlib.decompressobj(wbits)
    data = inflater.decompress(body, MAX_BODY_BYTES + 1)
    if len(data) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise BodyTooLarge
    if not inflater.eof:
        raise zlib.error("the compressed body ends early")
    return data


def _decode(body: bytes, encoding: str) -> str:
    coding = encoding.strip().lower()
    if coding in ("gzip", "x-gzip"):
        body = _inflate(body, 16 + zlib.MAX_WBITS)
    elif coding == "deflate":
        body = _inflate(body, zlib.MAX_WBITS)
    return body.decode("utf-8")


def openlineage_routes(settings: Settings) -> list[Route]:
    async def post_lineage(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return problem(413, "BODY_TOO_LARGE", f"the event is larger than {MAX_BODY_BYTES} bytes")
        try:
            text = _decode(body, request.headers.get("content-encoding", ""))
        except BodyTooLarge:
            return problem(413, "BODY_TOO_LARGE", f"the decompressed event is larger than {MAX_BODY_BYTES} bytes")
        except (zlib.error, UnicodeDecodeError) as exc:
            return problem(400, "UNDECODABLE_BODY", f"the body could not be decoded (gzip/deflate, then UTF-8): {exc}")
        try:
            raw = orjson.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno}, column {exc.colno}"
            return problem(
                400,
                "MALFORMED_JSON",
                f"malformed JSON at {where}: {exc.msg}",
                line=exc.lineno,
                column=exc.colno,
                position=exc.pos,
            )
        try:
            event = parse_event(raw, latest_event_time(settings.event_time_skew_seconds))
        except EventError as exc:
            errors = [{"path": path, "message": message} for path, message in exc.problems]
            return problem(422, exc.code, f"not a valid OpenLineage event: {exc}", errors=errors)
        width = event_width(event)
        if width > settings.max_event_columns:
            return problem(
                413,
                "EVENT_TOO_WIDE",
                f"the event would write {width:,} datasets, columns and column-lineage edges, over the limit of "
                f"{settings.max_event_columns:,} (TAGLINE_MAX_EVENT_COLUMNS): send one event per output dataset",
            )
        thread = store_thread(request.app)
        try:
            outcome, position = await thread.write(accept_event, thread.store, raw, event, SOURCE)
        except Exception as exc:
            if not is_unavailable(exc):
                raise  # a bug: 500 with an error id (api/http/errors.py), not "retry later"
            return problem(503, "UNAVAILABLE", f"the store could not take the event; retry later: {exc}")
        failure = outcome.failure
        return JSONResponse(
            {
                "event": outcome.event_id,
                "status": "dead_letter" if failure else "applied",
                "duplicate": outcome.times_received > 1,
                **({"reason": failure.reason} if failure else {}),
                **({"rejected_tags": outcome.governed.rejected} if outcome.governed.rejected else {}),
                "position": position,
            },
            status_code=201,
            headers={POSITION_HEADER: position},
        )

    return [Route(LINEAGE_PATH, requires(INGEST)(post_lineage), methods=["POST"])]
