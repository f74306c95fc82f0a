"""API keys mapped to roles, checked on every route but /healthz.

Keys come from ``TAGLINE_API_KEYS`` (``name1:key1:reader,name2:key2:steward``) or from the file
named by ``TAGLINE_API_KEYS_FILE`` (one ``name:key:role`` per line, ``#`` comments), and are sent
as ``Authorization: Bearer <key>``. Without keys the server is open, on loopback only.

Protecting a route: wrap its endpoint with ``requires(READ)`` (or INGEST, GOVERN, ADMIN); the
middleware has already identified the caller, the wrapper answers 401 (no valid key) or 403 (a
role without the permission). GraphQL checks per operation: queries need READ, mutations GOVERN.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tagline.api import problems
from tagline.errors import InvalidInput

READ, INGEST, GOVERN, ADMIN = "read", "ingest", "govern", "admin"
ROLES: dict[str, frozenset[str]] = {
    "reader": frozenset({READ}),
    "ingester": frozenset({INGEST}),
    "steward": frozenset({READ, GOVERN}),
    "admin": frozenset({READ, INGEST, GOVERN, ADMIN}),
}
SCOPE_KEY = "tagline.identity"


@dataclass(frozen=True)
class Identity:
    name: str
    role: str

    def can(self, permission: str) -> bool:
        return permission in ROLES[self.role]


# Who the caller is when no keys are configured (the server then listens on loopback only).
LOCAL = Identity(name="local", role="admin")


class KeyRing:
    def __init__(self, entries: dict[str, Identity]) -> None:
        self._entries = entries

    @classmethod
    def parse(cls, text: str, origin: str) -> KeyRing:
        entries: dict[str, Identity] = {}
        for n, raw in enumerate(text.replace(",", "\n").splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(":")
            # The key itself is never echoed: messages name the entry and what is wrong with it.
            if len(parts) != 3 or not all(parts):
                raise InvalidInput(f"{origin} entry {n}: expected name:key:role")
            name, key, role = parts
            if role not in ROLES:
                raise InvalidInput(f"{origin} entry {n} ({name}): unknown role {role!r}; use one of {', '.join(ROLES)}")
            if key in entries:
                raise InvalidInput(f"{origin} entry {n} ({name}): the same key is given twice")
            entries[key] = Identity(name=name, role=role)
        return cls(entries)

    @classmethod
    def configured(cls, keys: str | None, keys_file: str | None) -> KeyRing | None:
        """The key ring from the settings, or None when no keys are configured."""
        if keys_file:
            try:
                text = Path(keys_file).read_text()
            except OSError as exc:
                raise InvalidInput(f"cannot read TAGLINE_API_KEYS_FILE {keys_file}: {exc.strerror}") from exc
            ring = cls.parse(text, "TAGLINE_API_KEYS_FILE")
        elif keys:
            ring = cls.parse(keys, "TAGLINE_API_KEYS")
        else:
            return None
        if not ring._entries:
            raise InvalidInput("API keys are configured but empty")
        return ring

    def identify(self, key: str) -> Identity | None:
        found = None
        for known, identity in self._entries.items():
            if hmac.compare_digest(known.encode(), key.encode()):
                found = identity
        return found


def _error(status: int, message: str, scope: Scope | None = None) -> JSONResponse:
    """401 (with the scheme to answer) or 403, as a problem document (GraphQL-shaped too on /graphql)."""
    if status == 401:
        return problems.refusal(scope or {}, 401, "UNAUTHENTICATED", message, {"WWW-Authenticate": "Bearer"})
    return problems.refusal(scope or {}, status, "FORBIDDEN", message)


class AuthMiddleware:
    """Puts the caller's :class:`Identity` (or None) in the request scope; a key that is sent but
    unknown is refused at once."""

    def __init__(self, app: ASGIApp, ring: KeyRing | None) -> None:
        self.app = app
        self.ring = ring

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.ring is None:
            scope[SCOPE_KEY] = LOCAL
            await self.app(scope, receive, send)
            return
        header = Request(scope).headers.get("authorization")
        identity = None
        if header:
            scheme, _, key = header.partition(" ")
            identity = self.ring.identify(key.strip()) if scheme.lower() == "bearer" else None
            if identity is None:
                refused = _error(401, "invalid API key: send Authorization: Bearer <key> with a configured key", scope)
                await refused(scope, receive, send)
                return
        scope[SCOPE_KEY] = identity
        await self.app(scope, receive, send)


def identity_of(scope: Scope) -> Identity | None:
    return scope.get(SCOPE_KEY)


def refusal(identity: Identity | None, permission: str) -> Response | None:
    """The 401/403 answer for a caller lacking ``permission``, or None when allowed."""
    if identity is None:
        return _error(401, "authentication required: send Authorization: Bearer <key>")
    if not identity.can(permission):
        return _error(403, f"{identity.name} has role {identity.role}, which may not {permission}")
    return None


def requires(
    permission: str,
) -> Callable[[Callable[[Request], Awaitable[Response]]], Callable[[Request], Awaitable[Response]]]:
    """Decorator for Starlette endpoints: ``Route("/x", requires(READ)(endpoint))``."""

    def wrap(endpoint: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            return refusal(identity_of(request.scope), permission) or await endpoint(request)

        return guarded

    return wrap


class RequireIdentity:
    """ASGI guard for mounted apps (GraphQL): any authenticated caller passes; the app checks roles."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and identity_of(scope) is None:
            await _error(401, "authentication required: send Authorization: Bearer <key>", scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)
