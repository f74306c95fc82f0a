"""Comparing the lineage of two columns: are they computed the same way?

Teams meet two columns with the same name and different values (`net_revenue` in a mart and in a
report) and must know whether one is a copy of the other, or built another way. The rule:

- each column's *sources* are where its upstream walk (every kind of edge, up to ``depth`` hops)
  ends: columns with no lineage flowing in, or the last the depth reaches;
- sources both columns have are *shared*, the others belong to one side only;
- for a shared source, the shortest path to each column is compared hop by hop. A hop is what
  turns one column into the next: its transformations (type, subtype, masking, description; all of
  them when parallel edges join the two columns). The paths *differ* when their lengths differ or a
  hop's transformations do. SQL expressions are shown, not compared: the same computation is
  written with other aliases, and a CTE's outer query names the CTE's column, not the work.

:func:`path_difference` is the rule on plain data; :func:`compare_lineage` reads the two walks from
the lineage index.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from tagline import errors
from tagline.graph import schema
from tagline.graph.model import ColumnRef
from tagline.graph.records import EdgeRecord, Expansion, VertexId, VertexRecord
from tagline.graph.store import GraphStore


class NotFound(errors.NotFound):
    pass


@dataclass(frozen=True)
class PathStep:
    """One hop of a path: ``source`` turned into ``target`` by ``edges`` (more than one when the
    source feeds the target in several ways, e.g. as a value and as a grouping key)."""

    source: VertexRecord
    target: VertexRecord
    edges: tuple[EdgeRecord, ...]

    def transformations(self) -> tuple[str, ...]:
        """What the hop does, as text: ``DIRECT AGGREGATION``, ``DIRECT TRANSFORMATION masking``..."""
        return tuple(sorted({_transformation(e) for e in self.edges}))


def _transformation(edge: EdgeRecord) -> str:
    p = edge.props
    words = [str(p.get("type") or ""), str(p.get("subtype") or "")]
    if p.get("masking"):
        words.append("masking")
    if p.get("description"):
        words.append(f"({p['description']})")
    return " ".join(w for w in words if w)


@dataclass(frozen=True)
class SharedSource:
    source: VertexRecord
    path_a: tuple[PathStep, ...]
    path_b: tuple[PathStep, ...]
    difference: str | None
    """Where and how the two paths differ, in a sentence; None when they do the same."""

    @property
    def differs(self) -> bool:
        return self.difference is not None


@dataclass(frozen=True)
class LineageComparison:
    a: VertexRecord
    b: VertexRecord
    depth: int
    shared: tuple[SharedSource, ...]
    only_a: tuple[VertexRecord, ...]
    only_b: tuple[VertexRecord, ...]
    truncated: bool
    """True when the node limit cut one of the walks: sources beyond it are not compared."""

    @property
    def same(self) -> bool:
        """Same sources, reached the same way, within ``depth`` hops."""
        return not self.only_a and not self.only_b and not any(s.differs for s in self.shared)


def path_difference(path_a: Sequence[PathStep], path_b: Sequence[PathStep]) -> str | None:
    """How two paths from one source differ, or None: first by length, then by the first hop
    (from the source) whose transformations differ."""
    if len(path_a) != len(path_b):
        return (
            f"a is {len(path_a)} hop{'s' * (len(path_a) != 1)} from the source, "
            f"b {len(path_b)}: {_kinds(path_a)} against {_kinds(path_b)}"
        )
    for n, (step_a, step_b) in enumerate(zip(path_a, path_b, strict=True), start=1):
        if step_a.transformations() != step_b.transformations():
            sources = dict.fromkeys([_field(step_a.source), _field(step_b.source)])
            return (
                f"hop {n}, from {' / '.join(sources)}: "
                f"a by {', '.join(step_a.transformations())}; b by {', '.join(step_b.transformations())}"
            )
    return None


def _kinds(path: Sequence[PathStep]) -> str:
    return " then ".join("+".join(s.transformations()) for s in path) or "nothing"


def _field(record: VertexRecord) -> str:
    p = record.props
    return f"{p.get('dataset', '')}.{p.get('field', '')}"


def compare_lineage(
    store: GraphStore, a: ColumnRef, b: ColumnRef, depth: int, max_nodes: int | None = None
) -> LineageComparison:
    """The sources of ``a`` and ``b`` within ``depth`` hops upstream, over current lineage, and how
    each shared source reaches each of them."""
    found = []
    for name, ref in (("a", a), ("b", b)):
        record = store.find_folded(ref.key)
        if record is None:
            raise NotFound(f"{name}: no column {ref.field!r} in dataset {ref.dataset!r} of namespace {ref.namespace!r}")
        found.append(record)
    record_a, record_b = found
    walk_a = store.lineage([record_a.id], "in", depth, max_nodes)
    walk_b = store.lineage([record_b.id], "in", depth, max_nodes)
    paths_a, paths_b = _source_paths(record_a, walk_a), _source_paths(record_b, walk_b)
    shared = [
        SharedSource(paths_a[s][0], paths_a[s][1], paths_b[s][1], path_difference(paths_a[s][1], paths_b[s][1]))
        for s in sorted(paths_a.keys() & paths_b.keys())
    ]
    return LineageComparison(
        a=record_a,
        b=record_b,
        depth=depth,
        shared=tuple(shared),
        only_a=tuple(paths_a[s][0] for s in sorted(paths_a.keys() - paths_b.keys())),
        only_b=tuple(paths_b[s][0] for s in sorted(paths_b.keys() - paths_a.keys())),
        truncated=walk_a.truncated or walk_b.truncated,
    )


def _source_paths(start: VertexRecord, walk: Expansion) -> dict[str, tuple[VertexRecord, tuple[PathStep, ...]]]:
    """Per source key (a column of the walk nothing in the walk flows into): its record and the
    shortest path from it to ``start``, found breadth-first, sources taken in key order."""
    into: dict[VertexId, list[EdgeRecord]] = {}
    for edge in walk.edges.values():
        into.setdefault(edge.in_id, []).append(edge)
    vertices = {start.id: start, **walk.vertices}
    toward: dict[VertexId, VertexId] = {start.id: start.id}  # each column -> the next one on its way to start
    queue = deque([start.id])
    while queue:
        current = queue.popleft()
        for edge in sorted(into.get(current, ()), key=lambda e: vertices[e.out_id].key):
            if edge.out_id not in toward:
                toward[edge.out_id] = current
                queue.append(edge.out_id)
    between: dict[tuple[VertexId, VertexId], list[EdgeRecord]] = {}
    for edge in walk.edges.values():
        between.setdefault((edge.out_id, edge.in_id), []).append(edge)
    found = {}
    for vertex in toward:
        if vertex == start.id or into.get(vertex):
            continue
        steps = []
        at = vertex
        while at != start.id:
            nxt = toward[at]
            edges = sorted(between[(at, nxt)], key=lambda e: str(e.props[schema.KEY]))
            steps.append(PathStep(vertices[at], vertices[nxt], tuple(edges)))
            at = nxt
        found[vertices[vertex].key] = (vertices[vertex], tuple(steps))
    return found
