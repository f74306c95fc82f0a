"""Table-level lineage: datasets and the jobs between them, from the `reads` and `writes` edges of
the lineage index.

Data flows dataset -> job (the job reads it) -> dataset (the job writes it), so a walk downstream
from a dataset takes the jobs that read it and then what they write; upstream, the jobs that
write it and then what they read. ``depth`` counts job hops. ``max_nodes`` caps the whole graph,
the start included: a renderer asking for 50 nodes never gets 51.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tagline.graph import schema
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.records import Direction


@dataclass
class TableGraph:
    """Vertex ids in the order met (the start first), edges as (from, to) in the data's direction."""

    nodes: dict[int, None] = field(default_factory=dict)
    edges: set[tuple[int, int]] = field(default_factory=set)
    truncated: bool = False


def _steps(
    index: LineageIndex, vertex: int, direction: Direction, now: float | None, as_of: float | None
) -> list[tuple[int, tuple[int, int]]]:
    """The vertices one step from ``vertex`` with the edge that leads there, in the data's direction."""
    found = []
    if index.label_of(vertex) == schema.DATASET:
        # downstream: jobs reading it (reads edges into it); upstream: jobs writing it.
        table = index.tables[schema.READS if direction == "out" else schema.WRITES]
        for edge in table.at_few([vertex], "in", now, as_of):
            job = int(table.src[edge])
            found.append((job, (vertex, job) if direction == "out" else (job, vertex)))
    else:
        table = index.tables[schema.WRITES if direction == "out" else schema.READS]
        for edge in table.at_few([vertex], "out", now, as_of):
            dataset = int(table.dst[edge])
            found.append((dataset, (vertex, dataset) if direction == "out" else (dataset, vertex)))
    return sorted(found, key=lambda f: index.keys[f[0]])


def table_lineage(
    index: LineageIndex,
    start: int,
    directions: Sequence[Direction],
    depth: int,
    max_nodes: int,
    now: float | None = None,
    as_of: float | None = None,
) -> TableGraph:
    """Breadth-first from a dataset or a job, one direction after the other, within ``depth`` job
    hops and ``max_nodes`` nodes, over current edges (or those taken ``as_of`` a moment)."""
    graph = TableGraph()
    graph.nodes[start] = None
    steps = 2 * depth if index.label_of(start) == schema.DATASET else 2 * depth - 1
    with index.lock:
        for direction in directions:
            seen = {start}
            frontier = [start]
            for _ in range(steps):
                next_frontier = []
                for vertex in frontier:
                    for far, edge in _steps(index, vertex, direction, now, as_of):
                        if far not in graph.nodes:
                            if len(graph.nodes) >= max_nodes:
                                graph.truncated = True
                                continue
                            graph.nodes[far] = None
                        graph.edges.add(edge)
                        if far not in seen:
                            seen.add(far)
                            next_frontier.append(far)
                frontier = next_frontier
                if not frontier:
                    break
    return graph
