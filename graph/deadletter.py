"""The dead letter: statements and events that could not be applied, kept with their input so
they can be read and replayed. Kept in the graph store itself, so it lives wherever the lineage does."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import schema
from tagline.graph.model import Failure
from tagline.graph.reader import find_by_keys, vertices_with_label
from tagline.graph.records import StoredFailure, VertexRecord


def failure_key(failure_id: str) -> str:
    return f"f|{failure_id}"


def failure_id_of(kind: str, failure: Failure) -> str:
    """Ids come from the content, so the same bad input ingested twice is one dead letter."""
    content = "\x1f".join((kind, failure.source, failure.location, failure.payload))
    return hashlib.sha256(content.encode()).hexdigest()[:16]


def add_failure(g: GraphTraversalSource, kind: str, failure: Failure, now: str) -> str:
    failure_id = failure_id_of(kind, failure)
    known = find_by_keys(g, [failure_key(failure_id)]).get(failure_key(failure_id))
    if known is not None:
        _count_attempt(g, known, failure.reason, now)
        return failure_id
    props: dict[str, Any] = {
        schema.KEY: failure_key(failure_id),
        "kind": kind,
        "source": failure.source,
        "location": failure.location,
        "reason": failure.reason,
        "payload": failure.payload,
        "options": json.dumps(failure.options, sort_keys=True, default=str),
        "partial": failure.partial,
        "created_at": now,
        "attempts": 0,
    }
    step = g.add_v(schema.FAILURE).property(schema.VERTEX_LABEL_COPY, schema.FAILURE)
    for name, value in props.items():
        step = step.property(name, value)
    step.iterate()
    return failure_id


def list_failures(g: GraphTraversalSource, indexed: bool) -> list[StoredFailure]:
    stored = [StoredFailure.from_record(r) for r in vertices_with_label(g, schema.FAILURE, indexed)]
    return sorted(stored, key=lambda f: (f.created_at, f.id))


def record_attempt(g: GraphTraversalSource, failure_id: str, reason: str, now: str) -> None:
    known = find_by_keys(g, [failure_key(failure_id)]).get(failure_key(failure_id))
    if known is not None:
        _count_attempt(g, known, reason, now)


def _count_attempt(g: GraphTraversalSource, known: VertexRecord, reason: str, now: str) -> None:
    attempts = int(known.props.get("attempts", 0)) + 1
    g.V(known.id).property("reason", reason).property("attempts", attempts).property("last_attempt_at", now).iterate()


def remove_failure(g: GraphTraversalSource, failure_id: str) -> None:
    g.V().has(schema.KEY, failure_key(failure_id)).drop().iterate()
