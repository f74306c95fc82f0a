"""Root query fields: find a column, dataset or job by name, or a flat lineage graph."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from tagline.api.gql.answer_budget import props_bytes
from tagline.api.gql.context import Context
from tagline.api.gql.errors import report_not_found
from tagline.api.gql.types import (
    AS_OF,
    Column,
    Dataset,
    Direction,
    Job,
    LineageGraph,
    check_depth,
    edges_of,
    within_budget,
)
from tagline.errors import InvalidInput
from tagline.graph import schema
from tagline.graph.model import column_key, dataset_key, job_key
from tagline.graph.records import Direction as HopDirection
from tagline.graph.records import VertexRecord


@strawberry.type
class Query:
    @strawberry.field(description="A column by namespace, dataset name and field name.")
    async def column(self, info: Info[Context, None], namespace: str, dataset: str, field: str) -> Column | None:
        record = info.context.lookup(column_key(namespace, dataset, field))
        return Column.of(record) if record else None

    @strawberry.field(description="A dataset (table or view) by namespace and name.")
    async def dataset(self, info: Info[Context, None], namespace: str, name: str) -> Dataset | None:
        record = info.context.lookup(dataset_key(namespace, name))
        return Dataset.of(record) if record else None

    @strawberry.field(description="A job by namespace and name.")
    async def job(self, info: Info[Context, None], namespace: str, name: str) -> Job | None:
        record = info.context.lookup(job_key(namespace, name))
        return Job.of(record) if record else None

    @strawberry.field(
        description="The lineage of a column, or of all a dataset's columns, as nodes and edges. "
        "`maxNodes` caps the nodes, the start columns included, and the request's answer budget "
        "caps the whole; `complete: false` says a limit cut it, `limit` which and `next` how to go on. "
        "From an unknown column or dataset: an empty graph and a NOT_FOUND error. " + AS_OF
    )
    async def lineage(
        self,
        info: Info[Context, None],
        namespace: str,
        dataset: str,
        field: str | None = None,
        direction: Direction = Direction.BOTH,
        depth: int = 3,
        max_nodes: int = 1000,
        direct_only: bool = False,
        as_of: datetime | None = None,
    ) -> LineageGraph:
        check_depth(info, depth)
        check_max_nodes(info, max_nodes)
        start = _start_columns(info, namespace, dataset, field)
        if start is None:
            return LineageGraph(nodes=[], edges=[], truncated=False)
        result = info.context.store.lineage_graph(
            start, hop_directions(direction), depth, max_nodes, direct_only, as_of
        )
        nodes = sorted(result.vertices.values(), key=lambda r: r.key)
        budget = info.context.answer
        kept = []
        for record in nodes:
            if not budget.fits(1, props_bytes(record.props)):
                break
            budget.charge(1, props_bytes(record.props))
            kept.append(record)
        held = {r.id for r in kept}
        edges = within_budget(
            budget, [e for e in edges_of(result, as_of) if {e.source.record.id, e.target.record.id} <= held]
        )
        limit: str | None
        next_step: str | None
        if len(kept) < len(nodes) or len(edges) < len(result.edges):
            cut = budget.exhaust(objects_spent=budget.room()[0] < 3)
            limit, next_step = cut.limit, cut.next
        elif result.truncated:
            limit = "maxNodes"
            next_step = f"raise maxNodes (up to {info.context.settings.max_lineage_nodes}) or ask for less depth"
        else:
            limit = next_step = None
        return LineageGraph(
            nodes=[Column.of(r) for r in kept],
            edges=edges,
            truncated=limit is not None,
            complete=limit is None,
            limit=limit,
            next=next_step,
        )


def check_max_nodes(info: Info[Context, None], max_nodes: int) -> None:
    node_limit = info.context.settings.max_lineage_nodes
    if not 1 <= max_nodes <= node_limit:
        raise InvalidInput(f"maxNodes must be between 1 and {node_limit} (got {max_nodes})")


def hop_directions(direction: Direction) -> list[HopDirection]:
    """Upstream first, then downstream, as BOTH walks them."""
    wanted_by: tuple[tuple[HopDirection, tuple[Direction, ...]], ...] = (
        ("in", (Direction.UPSTREAM, Direction.BOTH)),
        ("out", (Direction.DOWNSTREAM, Direction.BOTH)),
    )
    return [d for d, wanted in wanted_by if direction in wanted]


def _start_columns(
    info: Info[Context, None], namespace: str, dataset: str, field: str | None
) -> list[VertexRecord] | None:
    """The columns a lineage graph starts from, by key; None (and a NOT_FOUND error) if unknown."""
    if field is not None:
        record = info.context.lookup(column_key(namespace, dataset, field))
        if record is None:
            report_not_found(info, f"no column {field!r} in dataset {dataset!r} of namespace {namespace!r}")
            return None
        return [record]
    ds = info.context.lookup(dataset_key(namespace, dataset))
    if ds is None:
        report_not_found(info, f"no dataset {dataset!r} in namespace {namespace!r}")
        return None
    return info.context.neighbours(ds.id, "out", schema.HAS_COLUMN)
