"""A column's lineage neighbourhood in outline, for renderers that draw large ones collapsed.

A flat `lineage` answer carries every column and edge as objects; at ten thousand edges that is
megabytes and seconds, over the cost budget besides, before anything can be drawn. The explorer
first asks `lineageOutline` — how many columns and edges the neighbourhood holds, its datasets with
a column count each, and the dataset-to-dataset links with edge counts — draws the datasets
collapsed from it, and asks `lineageSlice` for the column edges of the datasets it expands.
Both walk the same lineage index as `lineage`, with the same `upstream`/`downstream` depths and
`directOnly`/`asOf`; the outline may walk further than `maxNodes` allows (``OUTLINE_NODES_PER_LIMIT``
times the node limit), since what it answers stays small.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import strawberry
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.errors import report_not_found
from tagline.api.gql.query import check_max_nodes
from tagline.api.gql.types import AS_OF, Column, LineageGraph, check_depth, edges_of, within_budget
from tagline.graph.model import column_key
from tagline.graph.records import Expansion, VertexRecord

OUTLINE_NODES_PER_LIMIT = 10
"""How many times the `maxNodes` limit of `lineage` the outline walks before it says it was cut."""


@strawberry.input(description="A dataset by namespace and name.")
class DatasetRefInput:
    namespace: str
    name: str


@strawberry.type(description="A dataset of a lineage neighbourhood, with how many of its columns lie in it.")
class OutlineDataset:
    namespace: str
    name: str
    columns: int = strawberry.field(description="Its columns in the neighbourhood (the start column included).")
    upstream: bool = strawberry.field(description="True when it lies upstream of the start column.")


@strawberry.type(description="The column edges from one dataset into another, counted.")
class OutlineLink:
    source_namespace: str
    source_dataset: str
    target_namespace: str
    target_dataset: str
    edges: int = strawberry.field(description="Column edges from the source dataset into the target one.")
    direct: int = strawberry.field(description="How many of them are DIRECT.")
    masking: int = strawberry.field(description="How many of them mask the value.")


@strawberry.type(description="A lineage neighbourhood counted and grouped by dataset.")
class LineageOutline:
    columns: int = strawberry.field(description="Columns in the neighbourhood, the start column included.")
    edges: int = strawberry.field(description="Column edges in the neighbourhood.")
    complete: bool = strawberry.field(description="False when the walk stopped at its node limit: then at least.")
    datasets: list[OutlineDataset]
    links: list[OutlineLink]


@dataclass(frozen=True)
class Neighbourhood:
    """The walk both fields answer from: the start column, upstream and downstream."""

    start: VertexRecord
    upstream: Expansion
    downstream: Expansion


def _walk(
    info: Info[Context, None],
    namespace: str,
    dataset: str,
    field: str,
    upstream: int,
    downstream: int,
    direct_only: bool,
    as_of: datetime | None,
    max_nodes: int,
) -> Neighbourhood | None:
    for depth in (upstream, downstream):
        if depth:
            check_depth(info, depth)
    start = info.context.lookup(column_key(namespace, dataset, field))
    if start is None:
        report_not_found(info, f"no column {field!r} in dataset {dataset!r} of namespace {namespace!r}")
        return None
    store = info.context.store
    empty = Expansion(vertices={start.id: start})
    up = store.lineage_graph([start], ["in"], upstream, max_nodes, direct_only, as_of) if upstream else empty
    down = store.lineage_graph([start], ["out"], downstream, max_nodes, direct_only, as_of) if downstream else empty
    return Neighbourhood(start, up, down)


def _dataset(record: VertexRecord) -> tuple[str, str]:
    return record.props["namespace"], record.props["dataset"]


def outline_of(hood: Neighbourhood) -> LineageOutline:
    """Counts by dataset and by dataset pair; a column met both ways counts once."""
    vertices = {**hood.upstream.vertices, **hood.downstream.vertices}
    edges = {**hood.upstream.edges, **hood.downstream.edges}
    upstream_ids = set(hood.upstream.vertices) - {hood.start.id}
    columns = Counter(_dataset(v) for v in vertices.values())
    upstream_sets = {_dataset(vertices[i]) for i in upstream_ids}
    counts: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
    direct: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
    masking: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
    for edge in edges.values():
        pair = (_dataset(vertices[edge.out_id]), _dataset(vertices[edge.in_id]))
        counts[pair] += 1
        direct[pair] += edge.props.get("type") == "DIRECT"
        masking[pair] += bool(edge.props.get("masking", False))
    return LineageOutline(
        columns=len(vertices),
        edges=len(edges),
        complete=not (hood.upstream.truncated or hood.downstream.truncated),
        datasets=[
            OutlineDataset(namespace=ns, name=name, columns=n, upstream=(ns, name) in upstream_sets)
            for (ns, name), n in sorted(columns.items())
        ],
        links=[
            OutlineLink(
                source_namespace=s[0],
                source_dataset=s[1],
                target_namespace=t[0],
                target_dataset=t[1],
                edges=n,
                direct=direct[(s, t)],
                masking=masking[(s, t)],
            )
            for (s, t), n in sorted(counts.items())
        ],
    )


@strawberry.type
class OutlineQuery:
    @strawberry.field(
        description="A column's lineage neighbourhood counted: columns, edges, its datasets with "
        "their column counts and the links between them with edge counts, `upstream` and `downstream` "
        "hops deep (0 for none). For drawing large neighbourhoods collapsed; `lineageSlice` gives "
        "the column edges of chosen datasets. " + AS_OF
    )
    async def lineage_outline(
        self,
        info: Info[Context, None],
        namespace: str,
        dataset: str,
        field: str,
        upstream: int = 2,
        downstream: int = 2,
        direct_only: bool = False,
        as_of: datetime | None = None,
    ) -> LineageOutline:
        cap = info.context.settings.max_lineage_nodes * OUTLINE_NODES_PER_LIMIT
        hood = _walk(info, namespace, dataset, field, upstream, downstream, direct_only, as_of, cap)
        if hood is None:
            return LineageOutline(columns=0, edges=0, complete=True, datasets=[], links=[])
        return outline_of(hood)

    @strawberry.field(
        description="The column edges of a lineage neighbourhood (as `lineageOutline` walks it) that "
        "start or end in one of `datasets`, with the columns at their ends; at most `maxNodes` "
        "columns, `complete: false` when that cut it. " + AS_OF
    )
    async def lineage_slice(
        self,
        info: Info[Context, None],
        namespace: str,
        dataset: str,
        field: str,
        datasets: list[DatasetRefInput],
        upstream: int = 2,
        downstream: int = 2,
        direct_only: bool = False,
        as_of: datetime | None = None,
        max_nodes: int = 1000,
    ) -> LineageGraph:
        check_max_nodes(info, max_nodes)
        cap = info.context.settings.max_lineage_nodes * OUTLINE_NODES_PER_LIMIT
        hood = _walk(info, namespace, dataset, field, upstream, downstream, direct_only, as_of, cap)
        if hood is None:
            return LineageGraph(nodes=[], edges=[], truncated=False)
        wanted = {(d.namespace, d.name) for d in datasets}
        whole = Expansion(truncated=hood.upstream.truncated or hood.downstream.truncated)
        whole.merge(hood.upstream)
        whole.merge(hood.downstream)
        v = whole.vertices
        sliced = Expansion(truncated=whole.truncated)
        for edge in sorted(whole.edges.values(), key=lambda e: (v[e.out_id].key, v[e.in_id].key)):
            if _dataset(v[edge.out_id]) not in wanted and _dataset(v[edge.in_id]) not in wanted:
                continue
            ends = {edge.out_id: v[edge.out_id], edge.in_id: v[edge.in_id]}
            if len(sliced.vertices.keys() | ends.keys()) > max_nodes:
                sliced.truncated = True
                break
            sliced.vertices.update(ends)
            sliced.edges[edge.id] = edge
        edges = within_budget(info.context.answer, edges_of(sliced, as_of))
        cut = sliced.truncated or len(edges) < len(sliced.edges)
        return LineageGraph(
            nodes=[Column.of(r) for r in sorted(sliced.vertices.values(), key=lambda r: r.key)],
            edges=edges,
            truncated=cut,
            complete=not cut,
            limit="maxNodes" if cut else None,
            next="raise maxNodes or ask for fewer datasets" if cut else None,
        )
