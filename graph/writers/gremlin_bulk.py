"""New elements written to a Gremlin Server, all of a write in its one request.

One ``addV`` or ``addE`` traversal per new element made an ingest into JanusGraph wait on a round
trip each (185 for a job of a generated warehouse, both processes mostly idle); chained traversals
of a few hundred elements per request still spent most of the server's time compiling them. Here
new vertices and edges are added to the write's plan as plain data (graph/sessionless.py), which
the server adds through its structure API in the write's one request. A new vertex's id is a marker
until then, and an edge may join vertices known by id or by marker. The embedded store writes its
new rows directly instead (``embedded_rows.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph.records import VertexId
from tagline.graph.schema import EDGE_LABEL_COPY, VERTEX_LABEL_COPY
from tagline.graph.sessionless import WritePlan, plan_of


class NewVertex(NamedTuple):
    label: str
    props: dict[str, Any]


class NewEdge(NamedTuple):
    out_id: VertexId
    label: str
    in_id: VertexId
    props: dict[str, Any]


def _plan(g: GraphTraversalSource) -> WritePlan:
    plan = plan_of(g)
    if plan is None:
        raise TypeError("new elements are planned inside a Gremlin Server write transaction")
    return plan


def create_vertices(g: GraphTraversalSource, vertices: Sequence[NewVertex]) -> list[VertexId]:
    """Add ``vertices`` (each with the indexed copy of its label) to the write; the markers that
    stand for their ids until it is sent, in order."""
    plan = _plan(g)
    return [plan.add_vertex(v.label, {VERTEX_LABEL_COPY: v.label, **v.props}) for v in vertices]


def create_edges(g: GraphTraversalSource, edges: Sequence[NewEdge]) -> None:
    """Add ``edges`` (each with the indexed copy of its label) to the write; a missing end
    refuses the whole write (``MissingEnd``)."""
    plan = _plan(g)
    for edge in edges:
        plan.add_edge(edge.out_id, edge.label, edge.in_id, {EDGE_LABEL_COPY: edge.label, **edge.props})
