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
from dataclasses import replace

from gremlin_python.process.graph_traversal import GraphTraversalSource, __

from tagline.graph import schema
from tagline.graph.payloads import Payloads
from tagline.graph.reader import find_by_keys, labelled
from tagline.graph.records import RECEIVED, LoggedEvent, VertexRecord

# What an entry is read with: the payload itself stays behind until asked for.
ENTRY_FIELDS = (schema.KEY, "kind", "size", "received_at", "times_received", "status")


def event_key(event_id: str) -> str:
    return f"ev|{event_id}"


def event_id_of(kind: str, payload: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{payload}".encode()).hexdigest()[:24]


def append_event(g: GraphTraversalSource, kind: str, payload: str, now: str, payloads: Payloads) -> LoggedEvent:
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
        "size": len(payload),
        "received_at": now,
        "times_received": 1,
        "status": RECEIVED,
    }
    step = g.add_v(schema.EVENT).property(schema.VERTEX_LABEL_COPY, schema.EVENT)
    for name, value in props.items():
        step = step.property(name, value)
    step.iterate()
    payloads.put(g, event_key(event_id), payload)
    return LoggedEvent(event_id, kind, now, 1, RECEIVED, len(payload))


def find_event(g: GraphTraversalSource, kind: str, payload: str) -> LoggedEvent | None:
    """The log's entry for this content, if it was logged (nothing is counted or changed)."""
    known = find_by_keys(g, [event_key(event_id_of(kind, payload))])
    return next((LoggedEvent.from_record(record) for record in known.values()), None)


def mark_event(g: GraphTraversalSource, event_id: str, status: str, now: str) -> None:
    g.V().has(schema.KEY, event_key(event_id)).property("status", status).property("applied_at", now).iterate()


def list_events(g: GraphTraversalSource, indexed: bool) -> list[LoggedEvent]:
    """Every logged event in the order received (entries only, not their text): a scan of the
    event vertices, for replay and inspection."""
    rows = labelled(g, schema.EVENT, indexed).project("id", "p").by(__.id_()).by(__.value_map(*ENTRY_FIELDS)).to_list()
    logged = [LoggedEvent.from_record(VertexRecord(id=r["id"], label=schema.EVENT, props=_flat(r["p"]))) for r in rows]
    return sorted(logged, key=lambda e: (e.received_at, e.id))


def _flat(value_map: dict[str, list[object]]) -> dict[str, object]:
    return {k: v[0] for k, v in value_map.items() if v}
