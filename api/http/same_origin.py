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
  ``TAGLINE_CORS_ORIGINS``, else 403. An origin is scheme, host *and port*: a page of
  http://localhost:3000 is another origin than a server on http://localhost:8000;
- a GraphQL operation sent by GET (``/graphql?query=...``, which any page can make a browser send
  with a link or an image, no preflight asked) must come from the server itself as well: from
  another origin (``Origin``, or the browser's ``Sec-Fetch-Site: cross-site`` or ``same-site``) it
  is refused, 403. The one exception is the kind of GET a cache may answer: a persisted query
  named by its hash alone (``?extensions={"persistedQuery": ...}``, no ``query``; see
  api/gql/persisted.py), which runs only a document the server already holds, and never a
  mutation (GraphQL by GET runs queries only). GraphiQL's page (GET without ``query``) and
  programs that send neither header are served.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from tagline.api.problems import GRAPHQL_PATH, refusal

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
# What a browser says of a request another site's page made it send (Fetch Metadata).
FOREIGN_SITES = frozenset({"cross-site", "same-site"})

Origin = tuple[str, str, int]


def host_name(host: str) -> str:
    """``[::1]:8000`` -> ``::1``; ``Example.com:80`` -> ``example.com``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def origin_of(scheme: str, netloc: str) -> Origin | None:
    """(scheme, host, port) with the scheme's default port filled in; None when it is no origin
    (``null``, a port that is not a number)."""
    scheme = scheme.lower()
    try:
        parts = urlsplit(f"//{netloc.strip()}")
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return scheme, parts.hostname.lower(), port


class SameOriginGuard:
    def __init__(self, app: ASGIApp, hosts: frozenset[str], origins: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is not None:
            status, code, message = refused
            await refusal(scope, status, code, message)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = Headers(scope=scope)
        host = host_name(headers.get("host", ""))
        if host not in self.hosts:
            return (
                400,
                "FOREIGN_HOST",
                (
                    f"host {host!r} is not this server's: without API keys it answers only to "
                    f"{', '.join(sorted(self.hosts))} (add names with TAGLINE_ALLOWED_HOSTS)"
                ),
            )
        if scope["method"] not in CHANGING:
            if scope["path"] == GRAPHQL_PATH and "query" in parse_qs(scope.get("query_string", b"").decode("latin-1")):
                return self.foreign_get(scope, headers)
            return None
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            return (
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                ("send JSON with Content-Type: application/json (other types are refused without API keys)"),
            )
        origin = headers.get("origin")
        if origin is not None and not self.allowed(origin, scope, headers):
            return (
                403,
                "FOREIGN_ORIGIN",
                (
                    f"requests from {origin} are refused: without API keys only this server's own pages "
                    f"({self.own(scope, headers)}) may change it"
                ),
            )
        return None

    def foreign_get(self, scope: Scope, headers: Headers) -> tuple[int, str, str] | None:
        origin = headers.get("origin")
        foreign = (
            not self.allowed(origin, scope, headers)
            if origin is not None
            else headers.get("sec-fetch-site", "").lower() in FOREIGN_SITES
        )
        if not foreign:
            return None
        return (
            403,
            "FOREIGN_ORIGIN",
            (
                f"a GraphQL operation by GET from {origin or 'another site'} is refused: without API keys "
                f"only this server's own pages ({self.own(scope, headers)}) may send one; POST it as JSON, "
                "or send a persisted query's hash alone"
            ),
        )

    @staticmethod
    def own(scope: Scope, headers: Headers) -> str:
        return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"

    def allowed(self, origin: str, scope: Scope, headers: Headers) -> bool:
        """The server's own origin (scheme, host and port of the request itself) or a configured one."""
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        claimed = origin_of(parts.scheme, parts.netloc) if parts.scheme else None
        own = origin_of(str(scope.get("scheme", "http")), headers.get("host", ""))
        return claimed is not None and claimed == own
