"""GraphQL for comparing what exists: the lineage of two columns side by side (`compareLineage`),
and the redundant jobs of the health report (types only; `health` serves them)."""

from __future__ import annotations

from collections.abc import Iterable

import strawberry
from strawberry.types import Info

from tagline.api.gql.answer_budget import props_bytes
from tagline.api.gql.context import Context
from tagline.api.gql.tags import ColumnRefInput
from tagline.api.gql.types import Column, Job, LineageEdge, check_depth
from tagline.governance.compare import LineageComparison as FoundComparison
from tagline.governance.compare import PathStep, compare_lineage
from tagline.governance.redundancy import RedundantJob as FoundRedundantJob


def _path(steps: Iterable[PathStep]) -> list[LineageEdge]:
    return [
        LineageEdge(record=edge, source=Column.of(step.source), target=Column.of(step.target))
        for step in steps
        for edge in step.edges
    ]


@strawberry.type(description="A source both columns have, and how it reaches each.")
class SharedSource:
    source: Column
    path_a: list[LineageEdge] = strawberry.field(
        description="From the source to `a`, hop by hop (the shortest path; edges joining the same two "
        "columns side by side)."
    )
    path_b: list[LineageEdge] = strawberry.field(description="From the source to `b`, as `pathA`.")
    differs: bool = strawberry.field(
        description="True when the paths differ in length or in a hop's transformations (type, subtype, "
        "masking, description)."
    )
    difference: str | None = strawberry.field(description="Where and how they differ, in a sentence.")


@strawberry.type(description="Two columns' upstream lineage side by side: are they computed the same way?")
class LineageComparison:
    a: Column
    b: Column
    depth: int
    same: bool = strawberry.field(
        description="The same sources, each reaching both columns by the same transformations, within `depth`."
    )
    shared: list[SharedSource] = strawberry.field(description="Sources both have, by key.")
    only_a: list[Column] = strawberry.field(description="Sources of `a` that `b` does not have.")
    only_b: list[Column] = strawberry.field(description="Sources of `b` that `a` does not have.")
    complete: bool = strawberry.field(
        description="False when the node limit cut a walk: sources beyond it are left out."
    )

    @classmethod
    def of(cls, found: FoundComparison) -> LineageComparison:
        return cls(
            a=Column.of(found.a),
            b=Column.of(found.b),
            depth=found.depth,
            same=found.same,
            shared=[
                SharedSource(
                    source=Column.of(s.source),
                    path_a=_path(s.path_a),
                    path_b=_path(s.path_b),
                    differs=s.differs,
                    difference=s.difference,
                )
                for s in found.shared
            ],
            only_a=[Column.of(r) for r in found.only_a],
            only_b=[Column.of(r) for r in found.only_b],
            complete=not found.truncated,
        )


@strawberry.type(
    description="An output of a redundant job, the other job's output of the same lineage, and that lineage."
)
class RedundantOutput:
    column: Column
    same_as: Column
    sources: list[LineageEdge] = strawberry.field(description="The lineage into `column` from its job.")


@strawberry.type(
    description="A job whose outputs have the same column lineage (sources and transformations) as another's."
)
class RedundantJob:
    job: Job
    same_as: Job
    identical: bool = strawberry.field(
        description="True when each job makes what the other makes; false when `sameAs` makes more."
    )
    outputs: list[RedundantOutput] = strawberry.field(description="Each output of `job`, with its match.")

    @classmethod
    def of(cls, found: FoundRedundantJob) -> RedundantJob:
        return cls(
            job=Job.of(found.job),
            same_as=Job.of(found.same_as),
            identical=found.identical,
            outputs=[
                RedundantOutput(
                    column=Column.of(o.column),
                    same_as=Column.of(o.other_column),
                    sources=[
                        LineageEdge(record=edge, source=Column.of(source), target=Column.of(o.column))
                        for edge, source in o.sources
                    ],
                )
                for o in found.outputs
            ],
        )


@strawberry.type
class CompareQuery:
    @strawberry.field(
        description="Whether two columns are computed the same way: the upstream sources (within `depth` "
        "hops) both have, those only one has, and for each shared source the paths to `a` and `b` with "
        "where their transformations differ. Current lineage."
    )
    async def compare_lineage(
        self, info: Info[Context, None], a: ColumnRefInput, b: ColumnRefInput, depth: int = 3
    ) -> LineageComparison:
        check_depth(info, depth)
        found = compare_lineage(info.context.store, a.ref(), b.ref(), depth, info.context.settings.max_lineage_nodes)
        return _within_budget(info, LineageComparison.of(found))


def _within_budget(info: Info[Context, None], answer: LineageComparison) -> LineageComparison:
    """The shared sources the request's answer budget has room for (each with its paths' edges and
    their columns), charged to it; past that, ``complete: false`` and an ANSWER_LIMIT error say so."""
    budget = info.context.answer
    for n, shared in enumerate(answer.shared):
        edges = [*shared.path_a, *shared.path_b]
        size = props_bytes(shared.source.record.props) + sum(
            props_bytes(r.props) for e in edges for r in (e.record, e.source.record, e.target.record)
        )
        if not budget.fits(1 + 3 * len(edges), size):
            answer.shared, answer.complete = answer.shared[:n], False
            cut = budget.exhaust(objects_spent=budget.room()[0] < 1 + 3 * len(edges))
            info.context.errors.append(cut.error(info.path.as_list()))
            break
        budget.charge(1 + 3 * len(edges), size)
    return answer
