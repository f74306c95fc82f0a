"""Namespaces and sources (``/namespaces``, ``/sources``), read and declared.

A namespace exists when a dataset or job is in it, or when it was declared (``PUT``); its owner and
description are the latest declared (Marquez calls the owner of a namespace an event made
``anonymous``). Sources are Marquez's for OpenLineage datasets: one per dataset namespace, named
after it, its type the URI scheme in capitals (``mysql://orders-db:3306`` is ``MYSQL``), and those
declared by ``PUT /sources/{name}``.
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import INGEST, READ
from tagline.api.http.marquez.common import Call, Handler, Problem, paged, text_field
from tagline.api.http.marquez.shapes import EPOCH, namespace_json
from tagline.api.services.marquez_declarations import declare
from tagline.graph import schema


def _created(call: Call, name: str) -> str | None:
    seen = [
        str(r.props["first_seen"]) for r in call.store.in_namespace(schema.DATASET, name) if r.props.get("first_seen")
    ]
    return min(seen) if seen else None


def _namespace(call: Call, name: str) -> dict[str, Any]:
    declared = call.history.declared("namespace").get(name)
    shape = namespace_json(name, _created(call, name) or (declared.at if declared else None))
    if declared is not None:
        shape["ownerName"] = declared.body.get("ownerName") or shape["ownerName"]
        shape["description"] = declared.body.get("description")
        shape["updatedAt"] = max(shape["updatedAt"], declared.at)
    return shape


def _names(call: Call) -> list[str]:
    return sorted({*call.store.namespaces(), *call.history.declared("namespace")})


def list_namespaces(call: Call) -> dict[str, Any]:
    return {"namespaces": [_namespace(call, n) for n in paged(_names(call), call.params)[0]]}


def get_namespace(call: Call) -> dict[str, Any]:
    name = call.path["namespace"]
    if name not in _names(call):
        raise Problem(404, f"namespace {name!r} not found")
    return _namespace(call, name)


def put_namespace(call: Call) -> dict[str, Any]:
    owner = text_field(call.body, "ownerName")
    if not owner:
        raise Problem(400, "ownerName is required (the namespace's owner)")
    body = {"ownerName": owner, "description": text_field(call.body, "description")}
    declare(call.store, "namespace", call.path["namespace"], body, call.actor)
    return get_namespace(call)


def _source_type(name: str) -> str:
    scheme, found, _ = name.partition("://")
    return scheme.upper() if found and scheme else "UNKNOWN"


def _sources(call: Call) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name in call.store.namespaces():
        if call.store.in_namespace(schema.DATASET, name):
            at = _created(call, name) or EPOCH
            found[name] = {
                "type": _source_type(name),
                "name": name,
                "createdAt": at,
                "updatedAt": at,
                "connectionUrl": name,
                "description": None,
            }
    for name, declared in call.history.declared("source").items():
        before = found.get(name, {"createdAt": declared.at, "name": name})
        found[name] = {
            **before,
            "type": declared.body.get("type") or _source_type(name),
            "updatedAt": declared.at,
            "connectionUrl": declared.body.get("connectionUrl") or name,
            "description": declared.body.get("description"),
        }
    return found


def list_sources(call: Call) -> dict[str, Any]:
    found = _sources(call)
    page, total = paged([found[n] for n in sorted(found)], call.params)
    return {"sources": page, "totalCount": total}


def get_source(call: Call) -> dict[str, Any]:
    found = _sources(call).get(call.path["source"])
    if found is None:
        raise Problem(404, f"source {call.path['source']!r} not found")
    return found


def put_source(call: Call) -> dict[str, Any]:
    kind, url = text_field(call.body, "type"), text_field(call.body, "connectionUrl")
    if not kind or not url:
        raise Problem(400, "type and connectionUrl are required (e.g. POSTGRESQL, jdbc:postgresql://db/mydb)")
    body = {"type": kind.upper(), "connectionUrl": url, "description": text_field(call.body, "description")}
    declare(call.store, "source", call.path["source"], body, call.actor)
    return get_source(call)


HANDLERS = [
    Handler("GET", "namespaces", READ, list_namespaces),
    Handler("GET", "namespaces/{namespace}", READ, get_namespace),
    Handler("PUT", "namespaces/{namespace}", INGEST, put_namespace, writes=True),
    Handler("GET", "sources", READ, list_sources),
    Handler("GET", "sources/{source}", READ, get_source),
    Handler("PUT", "sources/{source}", INGEST, put_source, writes=True),
]
