"""New elements written to a Gremlin Server many to a request, inside the writer's transaction.

One ``addV`` or ``addE`` traversal per new element made an ingest into JanusGraph wait on a round
trip each (185 for a job of a generated warehouse, both processes mostly idle). Here a chunk of new
vertices is one traversal of chained ``addV`` steps, each named with ``as_()``, whose ids come back
together from one ``select``; a chunk of new edges is one traversal that steps to each edge's ends by
id (``V(id)`` in mid-traversal) and adds the edge between them. Both are ordinary steps, run in the
transaction the writer is in, so its semantics (get-or-create by key decided before, the change log
appended in the same transaction, a lost lock race run again whole) are unchanged. GremLite runs the
same traversals (in smaller chunks: its evaluator recurses once per step, so a traversal of more
than some hundred steps exceeds Python's recursion limit); the embedded store writes its new rows
directly instead (``embedded_rows.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from gremlin_python.process.graph_traversal import GraphTraversalSource, __

from tagline.graph.reader import chunks
from tagline.graph.records import VertexId
from tagline.graph.schema import EDGE_LABEL_COPY, VERTEX_LABEL_COPY

# Elements per request: measured on JanusGraph (bench/janusgraph.py), the rate grows up to a few
# hundred and then flattens while each request's traversal grows longer to compile.
VERTEX_CHUNK = 200
EDGE_CHUNK = 200


class NewVertex(NamedTuple):
    label: str
    props: dict[str, Any]


class NewEdge(NamedTuple):
    out_id: VertexId
    label: str
    in_id: VertexId
    props: dict[str, Any]


class MissingEnd(RuntimeError):
    """An edge's end vertex was not found: the chunk is refused whole (the transaction rolls back)."""


def create_vertices(
    g: GraphTraversalSource, vertices: Sequence[NewVertex], chunk: int = VERTEX_CHUNK
) -> list[VertexId]:
    """Add ``vertices`` (each with the indexed copy of its label), ``chunk`` to a request; their
    ids, in order."""
    ids: list[VertexId] = []
    for part in chunks(vertices, chunk):
        step: Any = g
        names = [f"v{n}" for n in range(len(part))]
        for name, vertex in zip(names, part, strict=True):
            step = step.add_v(vertex.label).property(VERTEX_LABEL_COPY, vertex.label)
            for prop, value in vertex.props.items():
                step = step.property(prop, value)
            step = step.as_(name)
        if len(names) == 1:  # select() of one name gives the vertex itself, not a map
            ids.append(step.id_().next())
        else:
            found = step.select(*names).by(__.id_()).next()
            ids.extend(found[name] for name in names)
    return ids


def create_edges(g: GraphTraversalSource, edges: Sequence[NewEdge], chunk: int = EDGE_CHUNK) -> None:
    """Add ``edges`` (each with the indexed copy of its label) between vertices known by id,
    ``chunk`` to a request."""
    for part in chunks(edges, chunk):
        step: Any = g
        for n, edge in enumerate(part):
            # GremLite refuses `.to(__.V(id))`, so both ends are named with as_() and added by name.
            source, target = f"a{n}", f"b{n}"
            step = step.V(edge.out_id).as_(source).V(edge.in_id).as_(target)
            step = step.add_e(edge.label).from_(source).to(target).property(EDGE_LABEL_COPY, edge.label)
            for prop, value in edge.props.items():
                step = step.property(prop, value)
        # One traverser walks the whole chain; a missing end stops it, and the edges after it
        # would silently not be made.
        if step.count().next() != 1:
            raise MissingEnd(f"an end of one of {len(part)} new edges is not in the store")
