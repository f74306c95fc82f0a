"""Lineage through temporary tables and views, resolved to the real tables on both sides.

A script that stages data in ``#tmp``, ``CREATE TEMP VIEW`` or a table it drops at the end leaves
nothing behind in the warehouse but its sources and its targets. Keeping the staging table would put
a vertex in the graph that no one can query and that the next run's staging table replaces, so by
default each edge into a temporary column is joined with each edge out of it into one edge from the
real source to the real target, and the temporary table disappears from the batch.
"""

from __future__ import annotations

from collections import defaultdict

from tagline.graph.model import ColumnEdge, DatasetRef, LineageBatch, LineageType
from tagline.ingest.sql.batch import BatchBuilder, transformation_of
from tagline.ingest.sql.lineage import stronger


def collapse_temporary(batch: LineageBatch, temporary: list[DatasetRef]) -> LineageBatch:
    """``batch`` without the ``temporary`` datasets, their edges joined through them."""
    gone = {ref.key for ref in temporary}
    edges = list(batch.edges)
    for ref in temporary:
        edges = _through(edges, ref.key)
    builder = BatchBuilder()
    builder.add(
        LineageBatch(
            datasets=[d for d in batch.datasets if d.key not in gone],
            columns=[c for c in batch.columns if c.dataset_ref.key not in gone],
            jobs=batch.jobs,
            edges=[e for e in edges if e.source.dataset_ref.key not in gone and e.target.dataset_ref.key not in gone],
            reads=[r for r in batch.reads if r.dataset.key not in gone],
            writes=[w for w in batch.writes if w.dataset.key not in gone],
            tags=batch.tags,
            failures=batch.failures,
        )
    )
    return builder.build(batch.statements)


def _through(edges: list[ColumnEdge], dataset: str) -> list[ColumnEdge]:
    into: dict[str, list[ColumnEdge]] = defaultdict(list)
    out: list[ColumnEdge] = []
    kept: list[ColumnEdge] = []
    for edge in edges:
        source_in = edge.source.dataset_ref.key == dataset
        target_in = edge.target.dataset_ref.key == dataset
        if source_in and target_in:
            continue  # an UPDATE of the temporary table itself
        if target_in:
            into[edge.target.key].append(edge)
        elif source_in:
            out.append(edge)
        else:
            kept.append(edge)
    for second in out:
        kept.extend(compose(first, second) for first in into.get(second.source.key, ()))
    return kept


def compose(first: ColumnEdge, second: ColumnEdge) -> ColumnEdge:
    """``first`` then ``second`` as one edge: DIRECT only if both carry the value (the stronger
    subtype, masked if either masks); otherwise INDIRECT with the kind of the first influence."""
    a, b = first.transformation, second.transformation
    if a.type is LineageType.DIRECT and b.type is LineageType.DIRECT:
        assert a.subtype is not None and b.subtype is not None
        transformation = transformation_of(LineageType.DIRECT, stronger(a.subtype, b.subtype), a.masking or b.masking)
    else:
        influence = a if a.type is LineageType.INDIRECT else b
        transformation = transformation_of(LineageType.INDIRECT, influence.subtype)
    return ColumnEdge(
        source=first.source,
        target=second.target,
        transformation=transformation,
        expression=second.expression,
        job=second.job,
        seen_at=second.seen_at,
    )
