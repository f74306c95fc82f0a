"""Persisted reads over HTTP GET, cacheable: an ``ETag`` tied to the lineage index's position.

``GET /graphql?extensions={"persistedQuery":{...}}&variables=...`` runs a persisted query (never
a mutation: GET carries queries only). Its answer carries ``Cache-Control: private, no-cache``
(a browser or a private cache keeps it, and asks again before each use) and an ``ETag`` made of
the store's id, the index's position in the change log and a digest of what was asked (document,
variables, operation, caller). Every change to lineage or tags moves the position, so a request
sent with ``If-None-Match`` of the latest ETag is answered ``304 Not Modified`` without running
the query while nothing has changed, and in full once something has.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tagline.api.auth import Identity
from tagline.graph.store import GraphStore

CACHE_CONTROL = "private, no-cache"
NOT_MODIFIED = 304


def is_persisted(extensions: dict[str, Any] | None) -> bool:
    return isinstance((extensions or {}).get("persistedQuery"), dict)


def etag_of(
    store: GraphStore, query: str, variables: dict[str, Any] | None, operation: str | None, caller: Identity
) -> str:
    """The answer's entity tag: where the index stands in the change log, and what was asked."""
    asked = json.dumps([query, variables, operation, caller.name, caller.role], sort_keys=True, default=str)
    digest = hashlib.sha256(asked.encode()).hexdigest()[:24]
    index = store.index
    return f'"{index.store_id}-{index.position}-{digest}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``); weak tags compare too."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags
