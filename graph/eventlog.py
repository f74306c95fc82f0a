"""The event log: every OpenLineage event accepted, kept before it is applied.

It lives in the graph store itself, as ``event`` vertices beside the lineage and the dead letter,
for the same reason the dead letter does: it is then exactly as durable as the lineage, on the
embedded store (one SQLite file, committed before the event is applied) and on JanusGraph (in
Cassandra/ScyllaDB with everything else), with no second system to back up or keep in step. An
event's id is a hash of its content, so an event sent twice is logged once (``times_received``
counts the deliveries). ``status`` is ``received`` until the event's lineage is committed
(``applied``) or its failure is in the dead letter (``failed``), so events that were logged but
never applied (the process stopped in between) can be found and replayed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import schema
from tagline.graph.reader import find_by_keys, vertices_with_label
from tagline.graph.records import VertexRecord

RECEIVED = "received"
APPLIED = "applied"
FAILED = "failed"


@dataclass(frozen=True)
class LoggedEvent:
    id: str
    kind: str
    payload: str
    received_at: str
    times_received: int
    status: str

    @classmethod
    def from_record(cls, record: VertexRecord) -> LoggedEvent:
        p = record.props
        return cls(
            id=str(p[schema.KEY]).removeprefix("ev|"),
            kind=str(p["kind"]),
            payload=str(p["payload"]),
            received_at=str(p["received_at"]),
            times_received=int(p.get("times_received", 1)),
            status=str(p.get("status", RECEIVED)),
        )


def event_key(event_id: str) -> str:
    return f"ev|{event_id}"


def event_id_of(kind: str, payload: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{payload}".encode()).hexdigest()[:24]


def append_event(g: GraphTraversalSource, kind: str, payload: str, now: str) -> LoggedEvent:
    """Log an event (or count one more delivery of a logged one); returns its entry."""
    event_id = event_id_of(kind, payload)
    known = find_by_keys(g, [event_key(event_id)]).get(event_key(event_id))
    if known is not None:
        logged = LoggedEvent.from_record(known)
        times = logged.times_received + 1
        g.V(known.id).property("times_received", times).property("last_received_at", now).iterate()
        return replace(logged, times_received=times)
    props = {
        schema.KEY: event_key(event_id),
        "kind": kind,
        "payload": payload,
        "received_at": now,
        "times_received": 1,
        "status": RECEIVED,
    }
    step = g.add_v(schema.EVENT)
    for name, value in props.items():
        step = step.property(name, value)
    step.iterate()
    return LoggedEvent(event_id, kind, payload, now, 1, RECEIVED)


def mark_event(g: GraphTraversalSource, event_id: str, status: str, now: str) -> None:
    g.V().has(schema.KEY, event_key(event_id)).property("status", status).property("applied_at", now).iterate()


def list_events(g: GraphTraversalSource) -> list[LoggedEvent]:
    """Every logged event in the order received: a scan, for replay and inspection."""
    logged = [LoggedEvent.from_record(r) for r in vertices_with_label(g, schema.EVENT)]
    return sorted(logged, key=lambda e: (e.received_at, e.id))
