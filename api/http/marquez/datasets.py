"""Datasets (``/namespaces/{ns}/datasets[/{name}[/versions[/{version}]]]``), read and declared.

A dataset is answered with what its events told (``told.py``): facets, type, current version,
lifecycle state. Its versions are those ``versions.py`` draws from the event log and the lineage
lifetimes, newest first as Marquez lists them, each with the run that brought it. A ``PUT``
declares the dataset and its fields (``api/services/marquez_declarations.py``).
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import INGEST, READ
from tagline.api.http.marquez.common import Call, Handler, Problem, find, paged, text_field
from tagline.api.http.marquez.shapes import columns_of, dataset_json, field_json, run_json
from tagline.api.http.marquez.told import dataset_told, run_told
from tagline.api.http.marquez.versions import DatasetVersion, dataset_versions
from tagline.api.services.marquez_declarations import declare, subject_name
from tagline.graph import schema
from tagline.graph.model import dataset_key
from tagline.graph.records import VertexRecord


def known_namespace(call: Call) -> str:
    namespace = call.path["namespace"]
    if namespace not in call.store.namespaces() and namespace not in call.history.declared("namespace"):
        raise Problem(404, f"namespace {namespace!r} not found")
    return namespace


def the_dataset(call: Call) -> VertexRecord:
    namespace, name = known_namespace(call), call.path["dataset"]
    return find(call.store, dataset_key(namespace, name), f"dataset {name!r} in namespace {namespace!r}")


def list_datasets(call: Call) -> dict[str, Any]:
    page, total = paged(call.store.in_namespace(schema.DATASET, known_namespace(call)), call.params)
    return {"datasets": [dataset_json(call.store, r, dataset_told(call, r)) for r in page], "totalCount": total}


def get_dataset(call: Call) -> dict[str, Any]:
    record = the_dataset(call)
    return dataset_json(call.store, record, dataset_told(call, record))


def put_dataset(call: Call) -> dict[str, Any]:
    fields = call.body.get("fields") or []
    if not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
        raise Problem(400, "fields must be a list of objects, each with a name (and a type)")
    body = {
        "type": (text_field(call.body, "type") or "DB_TABLE").upper(),
        "physicalName": text_field(call.body, "physicalName"),
        "sourceName": text_field(call.body, "sourceName"),
        "description": text_field(call.body, "description"),
        "tags": [str(t) for t in call.body.get("tags") or ()],
        "fields": [
            {"name": f["name"], "type": f.get("type"), "description": f.get("description"), "tags": f.get("tags") or []}
            for f in fields
        ],
    }
    namespace, name = call.path["namespace"], call.path["dataset"]
    declare(call.store, "dataset", subject_name(namespace, name), body, call.actor)
    return get_dataset(call)


def version_json(call: Call, record: VertexRecord, version: DatasetVersion) -> dict[str, Any]:
    """Marquez's DatasetVersion: the fields the version's schema said (else the current ones)."""
    run = call.store.run(version.run_id) if version.run_id else None
    fields = version.fields or [field_json(c) for c in columns_of(call.store, record)]
    current = dataset_json(call.store, record)
    return {
        "id": {"namespace": version.namespace, "name": version.name, "version": version.version},
        "type": dataset_told(call, record).kind or "DB_TABLE",
        "name": version.name,
        "physicalName": version.name,
        "createdAt": version.at,
        "version": version.version,
        "namespace": version.namespace,
        "sourceName": version.namespace,
        "fields": [{"tags": [], **f} for f in fields],
        "tags": current["tags"],
        "description": current["description"],
        "lifecycleState": version.lifecycle,
        "createdByRun": run_json(run, run_told(call)(run)) if run else None,
        "facets": version.facets,
    }


def list_versions(call: Call) -> dict[str, Any]:
    record = the_dataset(call)
    newest = dataset_versions(call.history, call.store, call.path["namespace"], call.path["dataset"])[::-1]
    page, total = paged(newest, call.params)
    return {"versions": [version_json(call, record, v) for v in page], "totalCount": total}


def get_version(call: Call) -> dict[str, Any]:
    record = the_dataset(call)
    wanted = call.path["version"]
    versions = dataset_versions(call.history, call.store, call.path["namespace"], call.path["dataset"])
    found = next((v for v in versions if v.version == wanted), None)
    if found is None:
        raise Problem(404, f"version {wanted!r} of dataset {call.path['dataset']!r} not found")
    return version_json(call, record, found)


HANDLERS = [
    Handler("GET", "namespaces/{namespace}/datasets", READ, list_datasets),
    Handler("GET", "namespaces/{namespace}/datasets/{dataset}", READ, get_dataset),
    Handler("PUT", "namespaces/{namespace}/datasets/{dataset}", INGEST, put_dataset, writes=True),
    Handler("GET", "namespaces/{namespace}/datasets/{dataset}/versions", READ, list_versions),
    Handler("GET", "namespaces/{namespace}/datasets/{dataset}/versions/{version}", READ, get_version),
]
