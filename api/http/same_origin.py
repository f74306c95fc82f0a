"""Keeps web pages out of a server that runs without API keys.

Without keys, anyone who can reach the server may change it, which on loopback means any program
of the machine's user, but also any web page that user opens: a page may POST to
http://127.0.0.1:8000 as a "simple" cross-site request (``text/plain``, no preflight), and a page
on a domain that resolves to 127.0.0.1 (DNS rebinding) can read the answers as well. So, in the
open mode only (with keys, a request without one is refused anyway):

- a request whose ``Host`` is not the server's own (loopback names, the address it serves on,
  ``TAGLINE_ALLOWED_HOSTS``) is refused: 400;
- a request that changes something (POST, PUT, PATCH, DELETE) must say it sends JSON
  (``Content-Type: application/json``, which no page can send cross-site without a preflight the
  server does not grant), else 415;
- and if it says where it comes from (``Origin``), that must be the server itself or an origin of
  ``TAGLINE_CORS_ORIGINS``, else 403.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_name(host: str) -> str:
    """``[::1]:8000`` -> ``::1``; ``Example.com:80`` -> ``example.com``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SameOriginGuard:
    def __init__(self, app: ASGIApp, hosts: frozenset[str], origins: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            status, message = refusal
            await JSONResponse({"error": message}, status)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = Headers(scope=scope)
        host = host_name(headers.get("host", ""))
        if host not in self.hosts:
            return 400, (
                f"host {host!r} is not this server's: without API keys it answers only to "
                f"{', '.join(sorted(self.hosts))} (add names with TAGLINE_ALLOWED_HOSTS)"
            )
        if scope["method"] not in CHANGING:
            return None
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            return 415, "send JSON with Content-Type: application/json (other types are refused without API keys)"
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins and host_name(urlsplit(origin).netloc) not in self.hosts:
            return (
                403,
                f"requests from {origin} are refused: without API keys only this server's own pages may change it",
            )
        return None
