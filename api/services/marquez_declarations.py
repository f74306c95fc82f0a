"""Metadata declared through Marquez's write routes (``PUT`` of a namespace, a source, a dataset, a
job or a tag), kept in the event log as entries of their own kind, so they are exactly as durable
as the lineage and a replay of the log rebuilds what they wrote.

A dataset ``PUT`` becomes the dataset and its fields (types, descriptions, the fields' tags as
declared tags, the dataset's tags declared on each field); a job ``PUT`` becomes the job (its description) and the datasets it names as read
and written. Namespaces, sources and tags are only recorded: the routes read them back from the log.
"""

from __future__ import annotations

from typing import Any

import orjson

from tagline.api.services.canonical_json import canonical_json
from tagline.api.services.ingestion import govern_written
from tagline.governance.service import Outcome
from tagline.graph.model import (
    Column,
    ColumnRef,
    Dataset,
    DatasetAccess,
    DatasetRef,
    DeclaredTag,
    Failure,
    Job,
    JobRef,
    LineageBatch,
)
from tagline.graph.records import WriteResult
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import iso, utcnow

KIND = "marquez"
# What a declaration's name joins: a dataset's or job's namespace and name.
SEPARATOR = "\x1f"


def declaration_text(what: str, name: str, body: dict[str, Any], at: str) -> str:
    """The text a declaration is logged as; with its time, so that declaring again what was
    declared before is a new entry, the latest."""
    return canonical_json({"what": what, "name": name, "body": body, "at": at})


def subject_name(namespace: str, name: str) -> str:
    return f"{namespace}{SEPARATOR}{name}"


def _refs(items: Any) -> list[DatasetRef]:
    return [
        DatasetRef(namespace=str(i["namespace"]), name=str(i["name"]))
        for i in items or ()
        if isinstance(i, dict) and i.get("namespace") and i.get("name")
    ]


def declaration_batch(text: str, location: str) -> LineageBatch:
    """What a logged declaration writes (nothing for namespaces, sources and tags)."""
    try:
        raw = orjson.loads(text)
        what, (namespace, name), body = raw["what"], str(raw["name"]).split(SEPARATOR, 1), raw["body"]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        reason = f"not a Marquez declaration: {type(exc).__name__}: {exc}"
        return LineageBatch(failures=[Failure(source="event log", location=location, reason=reason, payload=text)])
    if what == "dataset":
        fields = [f for f in body.get("fields") or () if isinstance(f, dict) and f.get("name")]
        columns = [
            Column(
                namespace=namespace,
                dataset=name,
                field=str(f["name"]),
                data_type=f.get("type"),
                description=f.get("description"),
            )
            for f in fields
        ]
        tags = [
            DeclaredTag(column=ColumnRef(namespace=namespace, dataset=name, field=str(f["name"])), tag=str(tag))
            for f in fields
            for tag in [*(f.get("tags") or ()), *(body.get("tags") or ())]
        ]
        dataset = Dataset(namespace=namespace, name=name, description=body.get("description"))
        return LineageBatch(datasets=[dataset], columns=columns, tags=tags)
    if what == "job":
        job = Job(namespace=namespace, name=name, description=body.get("description"))
        ref = JobRef(namespace=namespace, name=name)
        return LineageBatch(
            jobs=[job],
            datasets=[Dataset(namespace=r.namespace, name=r.name) for r in _refs(body.get("inputs"))]
            + [Dataset(namespace=r.namespace, name=r.name) for r in _refs(body.get("outputs"))],
            reads=[DatasetAccess(job=ref, dataset=r) for r in _refs(body.get("inputs"))],
            writes=[DatasetAccess(job=ref, dataset=r) for r in _refs(body.get("outputs"))],
        )
    return LineageBatch()


def declare(store: GraphStore, what: str, name: str, body: dict[str, Any], actor: str) -> tuple[WriteResult, Outcome]:
    """Log a declaration, then write what it says and propagate the tags it declares."""
    text = declaration_text(what, name, body, iso(utcnow()))
    logged = store.log_event(KIND, text)
    result = store.apply_event(logged.id, declaration_batch(text, f"event {logged.id}"), KIND)
    return result, govern_written(store, result, actor)
