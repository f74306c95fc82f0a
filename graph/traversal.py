"""Multi-hop lineage as breadth-first frontier expansion: one batched round trip per hop.

Cycles and fan-out are handled here, in Python, rather than with `repeat()/simplePath()`, which
GremLite lacks and whose cost on a large graph is hard to predict. The walk itself is written
without I/O (it yields each frontier and is sent back the hops found), so the same logic serves
the synchronous CLI and the asynchronous, DataLoader-batched GraphQL resolvers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Iterable
from dataclasses import dataclass, field

from tagline.graph.records import EdgeRecord, Hop, VertexId, VertexRecord


@dataclass
class Expansion:
    """What a walk met: each edge once, each vertex once, and whether a limit cut it short."""

    edges: dict[object, EdgeRecord] = field(default_factory=dict)
    vertices: dict[VertexId, VertexRecord] = field(default_factory=dict)
    truncated: bool = False

    def merge(self, other: Expansion) -> None:
        self.edges.update(other.edges)
        self.vertices.update(other.vertices)
        self.truncated = self.truncated or other.truncated


Walk = Generator[list[VertexId], list[Hop], Expansion]


def walk(start: Iterable[VertexId], depth: int, max_nodes: int | None = None) -> Walk:
    """Breadth-first walk from ``start`` up to ``depth`` hops.

    ``max_nodes`` bounds the vertices reached beyond the start; when it cuts the walk, edges to
    vertices left out are dropped and ``truncated`` is set.
    """
    result = Expansion()
    seen: set[VertexId] = set(start)
    frontier = list(seen)
    reached = 0
    for _ in range(depth):
        if not frontier:
            break
        found = yield frontier
        next_frontier: list[VertexId] = []
        for h in found:
            neighbour = h.neighbour.id
            if neighbour not in seen:
                if max_nodes is not None and reached >= max_nodes:
                    result.truncated = True
                    continue
                seen.add(neighbour)
                reached += 1
                next_frontier.append(neighbour)
            result.vertices.setdefault(neighbour, h.neighbour)
            result.edges[h.edge.id] = h.edge
        frontier = next_frontier
    return result


def expand(
    hop: Callable[[list[VertexId]], list[Hop]], start: Iterable[VertexId], depth: int, max_nodes: int | None = None
) -> Expansion:
    steps = walk(start, depth, max_nodes)
    try:
        frontier = next(steps)
        while True:
            frontier = steps.send(hop(frontier))
    except StopIteration as done:
        return done.value


async def expand_async(
    hop: Callable[[list[VertexId]], Awaitable[list[Hop]]],
    start: Iterable[VertexId],
    depth: int,
    max_nodes: int | None = None,
) -> Expansion:
    steps = walk(start, depth, max_nodes)
    try:
        frontier = next(steps)
        while True:
            frontier = steps.send(await hop(frontier))
    except StopIteration as done:
        return done.value
