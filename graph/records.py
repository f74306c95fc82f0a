"""Plain records of what the store returned, so nothing above `graph/` sees gremlinpython types."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from gremlin_python.process.traversal import Direction as GremlinDirection
from gremlin_python.process.traversal import T

from tagline.graph.schema import KEY

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
