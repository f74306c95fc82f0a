"""GraphQL for change review: ``previewChange`` answers what a job's new SQL would do — the same
answer, field for field, as ``tagline review --format json`` (docs/guides/review.md). It reads the
lineage index and writes nothing."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.dependencies import JobRefInput
from tagline.api.services.ingestion import SqlOptions
from tagline.api.services.review import review_sql
from tagline.errors import InvalidInput

DEFAULT_DIALECT = "ansi"


@strawberry.type(name="ReviewColumn", description="A column by namespace, dataset and field.")
class ReviewColumn:
    namespace: str
    dataset: str
    field: str


@strawberry.type(name="ReviewName", description="A dataset or a job by namespace and name.")
class ReviewName:
    namespace: str
    name: str


@strawberry.type(description="How an edge's target is made from its source (OpenLineage's vocabulary).")
class ReviewTransformation:
    type: str
    subtype: str | None
    masking: bool


@strawberry.type(description="A column edge the change adds or removes.")
class ReviewEdge:
    source: ReviewColumn
    target: ReviewColumn
    transformation: ReviewTransformation
    job: ReviewName | None


@strawberry.type(description="Column edges added and removed.")
class ReviewEdges:
    added: list[ReviewEdge]
    removed: list[ReviewEdge]


@strawberry.type(description="A tag a column gains or loses, with the columns it comes by (or came by), source first.")
class ReviewTag:
    column: ReviewColumn
    tag: str
    path: list[ReviewColumn]


@strawberry.type(description="Tags gained and lost, downstream included.")
class ReviewTags:
    gained: list[ReviewTag]
    lost: list[ReviewTag]


@strawberry.type(description="What lies downstream of the changed columns.")
class ReviewDownstream:
    columns: list[ReviewColumn]
    datasets: list[ReviewName]
    jobs: list[ReviewName]


@strawberry.type(description="`job` must (or no longer must) wait for `upstream`, which writes `datasets` it reads.")
class ReviewDependency:
    job: ReviewName
    upstream: ReviewName
    datasets: list[ReviewName]


@strawberry.type(description="Scheduling dependencies added and removed.")
class ReviewDependencies:
    added: list[ReviewDependency]
    removed: list[ReviewDependency]


@strawberry.type(description="A sensitivity violation.")
class ReviewViolation:
    kind: str
    column: ReviewColumn
    tags: list[str]
    message: str


@strawberry.type(description="Sensitivity violations the change creates and clears.")
class ReviewViolations:
    created: list[ReviewViolation]
    cleared: list[ReviewViolation]


@strawberry.type(description="What a change would do, before it runs.")
class ChangePreview:
    edges: ReviewEdges
    tags: ReviewTags
    broken: list[ReviewColumn] = strawberry.field(description="Downstream columns that would lose every source.")
    downstream: ReviewDownstream
    dependencies: ReviewDependencies
    violations: ReviewViolations


def _column(c: dict[str, str]) -> ReviewColumn:
    return ReviewColumn(namespace=c["namespace"], dataset=c["dataset"], field=c["field"])


def _name(n: dict[str, str]) -> ReviewName:
    return ReviewName(namespace=n["namespace"], name=n["name"])


def _edge(e: dict[str, Any]) -> ReviewEdge:
    t = e["transformation"]
    return ReviewEdge(
        source=_column(e["source"]),
        target=_column(e["target"]),
        transformation=ReviewTransformation(type=t["type"], subtype=t["subtype"], masking=t["masking"]),
        job=_name(e["job"]) if e["job"] else None,
    )


def _tag(t: dict[str, Any]) -> ReviewTag:
    return ReviewTag(column=_column(t["column"]), tag=t["tag"], path=[_column(c) for c in t["path"]])


def _dependency(d: dict[str, Any]) -> ReviewDependency:
    return ReviewDependency(
        job=_name(d["job"]), upstream=_name(d["upstream"]), datasets=[_name(s) for s in d["datasets"]]
    )


def _violation(v: dict[str, Any]) -> ReviewViolation:
    return ReviewViolation(kind=v["kind"], column=_column(v["column"]), tags=list(v["tags"]), message=v["message"])


def preview_of(found: dict[str, Any]) -> ChangePreview:
    return ChangePreview(
        edges=ReviewEdges(
            added=[_edge(e) for e in found["edges"]["added"]], removed=[_edge(e) for e in found["edges"]["removed"]]
        ),
        tags=ReviewTags(
            gained=[_tag(t) for t in found["tags"]["gained"]], lost=[_tag(t) for t in found["tags"]["lost"]]
        ),
        broken=[_column(c) for c in found["broken"]],
        downstream=ReviewDownstream(
            columns=[_column(c) for c in found["downstream"]["columns"]],
            datasets=[_name(d) for d in found["downstream"]["datasets"]],
            jobs=[_name(j) for j in found["downstream"]["jobs"]],
        ),
        dependencies=ReviewDependencies(
            added=[_dependency(d) for d in found["dependencies"]["added"]],
            removed=[_dependency(d) for d in found["dependencies"]["removed"]],
        ),
        violations=ReviewViolations(
            created=[_violation(v) for v in found["violations"]["created"]],
            cleared=[_violation(v) for v in found["violations"]["cleared"]],
        ),
    )


@strawberry.type
class ReviewQuery:
    @strawberry.field(
        description="What a job's new SQL would do to lineage, tags, schedules and violations, compared "
        "with what the store holds for the job; nothing is written. `namespace`: of the datasets the SQL "
        "names (as given to the SQL intake)."
    )
    async def preview_change(
        self,
        info: Info[Context, None],
        job: JobRefInput,
        sql: str,
        dialect: str | None = None,
        namespace: str = "default",
    ) -> ChangePreview:
        if not sql.strip():
            raise InvalidInput("sql is empty: give the job's whole new SQL")
        ctx = info.context
        options = SqlOptions(
            dialect=dialect or DEFAULT_DIALECT, namespace=namespace, job_namespace=job.namespace, job_name=job.name
        )
        found = await ctx.thread.read(review_sql, ctx.thread.store, [(f"{job.name}.sql", sql)], options, ctx.policy)
        return preview_of(found)
