"""Every request reads a lineage index that holds the writes committed before it began.

- On the embedded store each request first compares the change log's head with the index's place
  in it (one indexed read) and applies what other processes wrote meanwhile (``StoreThread.catch_up``).
- A request sent with ``X-Tagline-After: <position>`` (the ``X-Tagline-Position`` a write answered,
  or what ``tagline ingest`` printed) waits until the index has passed that position, at most
  ``TAGLINE_READ_AFTER_TIMEOUT_SECONDS``; else 503 ``INDEX_BEHIND``. A value that is no position
  of this store's kind is refused with ``BAD_POSITION``. On a Gremlin Server, whose log has no
  cheap head, this is how a client reads its own writes.

Liveness, readiness and metrics are exempt: they must answer whatever the store is doing.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tagline.api.http.app_state import store_thread
from tagline.api.http.errors import tagline_error
from tagline.errors import InvalidInput, TaglineError, Unavailable

AFTER_HEADER = "x-tagline-after"
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


class IndexBehind(Unavailable):
    code = "INDEX_BEHIND"


class BadPosition(InvalidInput):
    code = "BAD_POSITION"


class ReadYourWrites:
    def __init__(self, app: ASGIApp, wait_s: float) -> None:
        self.app = app
        self.wait_s = wait_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in EXEMPT:
            try:
                await self._reach(scope)
            except TaglineError as exc:
                await (await tagline_error(Request(scope), exc))(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _reach(self, scope: Scope) -> None:
        thread = store_thread(scope["app"])
        written = Headers(scope=scope).get(AFTER_HEADER, "").strip()
        try:
            await thread.catch_up()
            reached = await thread.reached(written, self.wait_s) if written else True
        except ValueError as exc:
            raise BadPosition(f"X-Tagline-After: {exc}") from exc
        except TaglineError:
            raise
        except Exception as exc:  # sqlite3's or the Gremlin driver's own errors: the store is away
            raise Unavailable(f"the store's change log could not be read: {exc}") from exc
        if not reached:
            raise IndexBehind(
                f"the lineage index has not reached position {written} within {self.wait_s:g} s "
                "(TAGLINE_READ_AFTER_TIMEOUT_SECONDS); retry, or check the position came from this store"
            )
