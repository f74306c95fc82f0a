"""Plain records of what the store returned, so nothing above `graph/` sees gremlinpython types."""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from gremlin_python.process.traversal import Direction as GremlinDirection
from gremlin_python.process.traversal import T

from tagline.graph import schema
from tagline.graph.model import ColumnEdge, DeclaredTag, Failure, display_name
from tagline.graph.schema import KEY
from tagline.graph.timefmt import parse_iso

VertexId = int  # vertex ids are integers on both stores, and in the lineage index
Direction = Literal["in", "out"]  # along an edge's direction ("out") or against it ("in")
EdgeId = Hashable


@dataclass(frozen=True, slots=True)
class VertexRecord:
    id: VertexId
    label: str
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return str(self.props.get(KEY, ""))

    @property
    def display(self) -> str:
        """How people write it (``ns/db.table.field``, ``ns/name``): see :func:`model.display_name`."""
        return display_name(self.key)


@dataclass(frozen=True, slots=True)
class EdgeRecord:
    id: EdgeId
    label: str
    out_id: VertexId
    in_id: VertexId
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hop:
    """One edge met while expanding a frontier, with the vertex at its far end."""

    edge: EdgeRecord
    neighbour: VertexRecord


@dataclass
class Expansion:
    """What a walk met: each edge once, each vertex once, and whether a limit cut it short."""

    edges: dict[EdgeId, EdgeRecord] = field(default_factory=dict)
    vertices: dict[VertexId, VertexRecord] = field(default_factory=dict)
    truncated: bool = False

    def merge(self, other: Expansion) -> None:
        self.edges.update(other.edges)
        self.vertices.update(other.vertices)
        self.truncated = self.truncated or other.truncated


class InEdge(NamedTuple):
    """A `derives` edge seen from its target, as tag propagation needs it: the edge's key, the
    source column's key, and the transformation."""

    edge: str
    source: str
    type: str
    subtype: str
    masking: bool


def _plain_props(element_map: dict[Any, Any]) -> dict[str, Any]:
    return {k: v for k, v in element_map.items() if isinstance(k, str)}


def vertex_from_map(element_map: dict[Any, Any]) -> VertexRecord:
    return VertexRecord(id=element_map[T.id], label=element_map[T.label], props=_plain_props(element_map))


def edge_from_map(element_map: dict[Any, Any]) -> EdgeRecord:
    return EdgeRecord(
        id=element_map[T.id],
        label=element_map[T.label],
        out_id=element_map[GremlinDirection.OUT][T.id],
        in_id=element_map[GremlinDirection.IN][T.id],
        props=_plain_props(element_map),
    )


class RetiredEdge(NamedTuple):
    """A lineage edge a write closed: its key and label, its ends' keys, the job that no longer
    reports it (its key), and when (event time) it stopped."""

    key: str
    label: str
    source: str
    target: str
    job: str
    at: str


# ---- what writes, the event log and the dead letter report ------------------------------------

# The states of a logged event: received, then applied or failed.
RECEIVED = "received"
APPLIED = "applied"
FAILED = "failed"


@dataclass
class WriteResult:
    vertices_created: int = 0
    edges_created: int = 0
    edges_refreshed: int = 0
    ids: dict[str, VertexId] = field(default_factory=dict)
    new_column_edges: list[ColumnEdge] = field(default_factory=list)
    # Columns whose incoming lineage the write changed: tag propagation must look at them.
    pending: list[str] = field(default_factory=list)
    # The tags the batch declared, on the columns they were written to (an alias resolved, a
    # moved dataset's declarations carried along).
    declared: list[DeclaredTag] = field(default_factory=list)
    # Lineage edges the write closed (a job's new definition lacks them).
    retired: list[RetiredEdge] = field(default_factory=list)


@dataclass(frozen=True)
class LoggedEvent:
    """An event's entry in the log; its text is read apart (see ``graph/payloads.py``)."""

    id: str
    kind: str
    received_at: str
    times_received: int
    status: str
    size: int = 0

    @classmethod
    def from_record(cls, record: VertexRecord) -> LoggedEvent:
        p = record.props
        return cls(
            id=str(p[schema.KEY]).removeprefix("ev|"),
            kind=str(p["kind"]),
            received_at=str(p["received_at"]),
            times_received=int(p.get("times_received", 1)),
            status=str(p.get("status", RECEIVED)),
            size=int(p.get("size", len(str(p.get("payload", ""))))),
        )


@dataclass(frozen=True)
class StoredFailure:
    """A dead letter entry: the failure, what kind of input it was, and its retry history."""

    id: str
    kind: str
    failure: Failure
    created_at: str
    attempts: int

    @classmethod
    def from_record(cls, record: VertexRecord) -> StoredFailure:
        p = record.props
        return cls(
            id=str(p[schema.KEY]).removeprefix("f|"),
            kind=str(p["kind"]),
            failure=Failure(
                source=p["source"],
                location=p["location"],
                reason=p["reason"],
                payload=p["payload"],
                options=json.loads(p["options"]),
                partial=bool(p.get("partial", False)),
            ),
            created_at=str(p["created_at"]),
            attempts=int(p.get("attempts", 0)),
        )


@dataclass(frozen=True)
class Run:
    """A job's run as the store merged its reports (``graph/writers/runs.py``)."""

    run_id: str
    job: str  # the job's key
    state: str
    started_at: str | None
    ended_at: str | None
    parent_run_id: str | None
    inputs: list[str] = field(default_factory=list)  # dataset keys
    outputs: list[str] = field(default_factory=list)
    statistics: dict[str, dict[str, int | None]] = field(default_factory=dict)  # dataset key -> rows, bytes

    @property
    def duration_ms(self) -> int | None:
        """From start to end, when both were reported."""
        if not self.started_at or not self.ended_at:
            return None
        return int((parse_iso(self.ended_at) - parse_iso(self.started_at)).total_seconds() * 1000)

    @classmethod
    def of(cls, record: VertexRecord) -> Run:
        p = record.props
        return cls(
            run_id=str(p[schema.KEY]).removeprefix("r|"),
            job=str(p["run_job"]),
            state=str(p.get("state", "")),
            started_at=p.get("started_at"),
            ended_at=p.get("ended_at"),
            parent_run_id=p.get("parent_run") or None,
            inputs=json.loads(p.get("inputs") or "[]"),
            outputs=json.loads(p.get("outputs") or "[]"),
            statistics=json.loads(p.get("statistics") or "{}"),
        )
