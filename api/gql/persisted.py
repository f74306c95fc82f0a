"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list mode.

APQ, as Apollo's and urql's clients speak it: a client first sends only the SHA-256 of its document
(``extensions.persistedQuery = {"version": 1, "sha256Hash": ...}``). A server that knows the hash
runs the document; one that does not answers the error ``PersistedQueryNotFound`` (code
``PERSISTED_QUERY_NOT_FOUND``), and the client sends hash and document together, which registers
it. The store is bounded (least recently used first out), so made-up documents cannot grow it.

A persisted document is parsed and validated once, when first run, and kept with its hash
(:class:`PersistedParse`, :class:`PersistedValidation`): a frontend sending the same few documents
skips both steps. Persisted reads may be sent by GET, which a browser or a CDN can cache:
api/gql/persisted_http.py answers them with an ``ETag`` tied to the lineage index's position.

Allow-list mode (``TAGLINE_PERSISTED_ONLY=1``): the documents of ``TAGLINE_PERSISTED_QUERIES`` (a
directory of ``.graphql`` files, or a JSON file: Apollo's persisted-query manifest or a plain
``{hash: document}`` map) are the only ones run, by hash or by their text; any other is refused.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import ParserCache, ValidationCache

from tagline.errors import InvalidInput

NOT_FOUND = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
NOT_ALLOWED_CODE = "PERSISTED_QUERY_ONLY"
BAD_REQUEST = "BAD_REQUEST"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PersistedQueryError(Exception):
    """A persisted-query request that cannot run: its GraphQL error and HTTP status."""

    def __init__(self, message: str, code: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    def error(self) -> GraphQLError:
        return GraphQLError(str(self), extensions={"code": self.code})


@dataclass
class Persisted:
    """A document known by its hash, with what parsing and validating it gave once."""

    text: str
    document: DocumentNode | None = None
    validated: bool = False
    errors: list[GraphQLError] = field(default_factory=list)


class PersistedQueries:
    """The documents known by hash: registered by clients (bounded), or a fixed allow-list."""

    def __init__(self, capacity: int, allowed: dict[str, str] | None = None) -> None:
        self.capacity = capacity
        self.allow_list = allowed is not None
        self._entries: OrderedDict[str, Persisted] = OrderedDict(
            (h, Persisted(text)) for h, text in (allowed or {}).items()
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, digest: str) -> Persisted | None:
        with self._lock:
            found = self._entries.get(digest)
            if found is not None and not self.allow_list:
                self._entries.move_to_end(digest)
            return found

    def allows(self, query: str | None) -> bool:
        """Whether ``query`` may run: any, unless this is an allow-list that does not hold it."""
        return not self.allow_list or (query is not None and sha256(query) in self._entries)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document a request runs: the one its hash names (registering the query sent
        with it), or the query itself; PersistedQueryError when it may not run."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if not self.allows(query):
                raise not_allowed()
            return query
        digest = _hash_of(persisted)
        if query is None:
            found = self.get(digest)
            if found is None:
                raise PersistedQueryError(NOT_FOUND, NOT_FOUND_CODE, 200)
            return found.text
        if sha256(query) != digest:
            raise PersistedQueryError("provided sha does not match query", BAD_REQUEST, 400)
        self.register(digest, query)
        return query

    def register(self, digest: str, query: str) -> None:
        with self._lock:
            if digest in self._entries:
                self._entries.move_to_end(digest)
                return
            if self.allow_list:
                raise PersistedQueryError(
                    f"document {digest} is not one of this server's persisted documents "
                    "(TAGLINE_PERSISTED_ONLY): it cannot be registered",
                    NOT_ALLOWED_CODE,
                    400,
                )
            self._entries[digest] = Persisted(query)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)


def not_allowed() -> PersistedQueryError:
    return PersistedQueryError(
        "this server runs only its persisted documents (TAGLINE_PERSISTED_ONLY): send "
        "extensions.persistedQuery.sha256Hash of one of them",
        NOT_ALLOWED_CODE,
        400,
    )


def _hash_of(persisted: object) -> str:
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "extensions.persistedQuery must be {version: 1, sha256Hash: ...}: version 1 is the one supported",
            BAD_REQUEST,
            400,
        )
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or len(digest) != 64:
        raise PersistedQueryError(
            "extensions.persistedQuery.sha256Hash must be the 64 hex digits of the document's SHA-256",
            BAD_REQUEST,
            400,
        )
    return digest.lower()


def load_allowed(path: str) -> dict[str, str]:
    """The allow-list at ``path``: every ``*.graphql`` file of a directory, or a JSON file (Apollo's
    manifest ``{"operations": [{"id", "body"}]}`` or ``{hash: document}``), by SHA-256 of the text.
    A listed hash that is not its document's is refused, naming it."""
    where = Path(path)
    if where.is_dir():
        texts = [p.read_text() for p in sorted(where.rglob("*.graphql"))]
        return {sha256(t): t for t in texts}
    try:
        data = json.loads(where.read_text())
    except OSError as exc:
        raise InvalidInput(f"cannot read TAGLINE_PERSISTED_QUERIES {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise InvalidInput(f"TAGLINE_PERSISTED_QUERIES {path} is not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("operations"), list):
        pairs = [(str(o.get("id", "")), str(o.get("body", ""))) for o in data["operations"] if isinstance(o, dict)]
    elif isinstance(data, dict):
        pairs = [(str(k), str(v)) for k, v in data.items()]
    else:
        raise InvalidInput(f"TAGLINE_PERSISTED_QUERIES {path}: expected a manifest or a {{hash: document}} object")
    found: dict[str, str] = {}
    for digest, text in pairs:
        if sha256(text) != digest.lower():
            raise InvalidInput(
                f"TAGLINE_PERSISTED_QUERIES {path}: {digest!r} is not the SHA-256 of its document "
                f"(that is {sha256(text)})"
            )
        found[digest.lower()] = text
    if not found:
        raise InvalidInput(f"TAGLINE_PERSISTED_QUERIES {path} holds no documents")
    return found


def _persisted(operation_extensions: dict[str, Any] | None, store: PersistedQueries) -> Persisted | None:
    persisted = (operation_extensions or {}).get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return store.get(digest.lower()) if isinstance(digest, str) else None


class PersistedParse(ParserCache):
    """Parses a persisted document once, by hash; any other through the bounded LRU cache."""

    def __init__(self, store: PersistedQueries, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self.store = store

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        found = _persisted(execution.operation_extensions, self.store)
        if found is None or found.text != execution.query:
            yield from super().on_parse()
            return
        if found.document is None:
            found.document = parse(found.text, **execution.parse_options)
        execution.graphql_document = found.document
        yield


class PersistedValidation(ValidationCache):
    """Validates a persisted document once, by hash; any other through the bounded LRU cache. In
    allow-list mode, refuses what the list does not hold however it came (a subscription over a
    WebSocket too)."""

    def __init__(self, store: PersistedQueries, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self.store = store

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        if not self.store.allows(execution.query):
            execution.pre_execution_errors = [not_allowed().error()]
            yield
            return
        found = _persisted(execution.operation_extensions, self.store)
        if found is None or found.document is None or found.document is not execution.graphql_document:
            yield from super().on_validate()
            return
        if not found.validated:
            yield from super().on_validate()
            found.errors = list(execution.pre_execution_errors or [])
            found.validated = True
            return
        execution.pre_execution_errors = list(found.errors)
        yield
