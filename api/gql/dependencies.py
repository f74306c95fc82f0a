"""GraphQL for schedulers: which jobs a job must wait for, and what a configured list gets wrong."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.types import Dataset, DatasetWrite, Job
from tagline.api.services.dependency_json import too_many_configured
from tagline.errors import InvalidInput
from tagline.governance.scheduling import Evidence, check_dependencies, recommend_dependencies
from tagline.graph.model import JobRef
from tagline.graph.timefmt import utcnow


@strawberry.input(description="A job by namespace and name.")
class JobRefInput:
    namespace: str
    name: str


@strawberry.type(description="A job by namespace and name, for jobs Tagline has not seen.")
class JobName:
    namespace: str
    name: str


@strawberry.type(description="A job that writes what the asked-for job reads, with the evidence.")
class DependencyRecommendation:
    job: Job
    datasets: list[Dataset] = strawberry.field(description="The asked-for job's inputs this job writes.")
    last_write_at: str | None = strawberry.field(description="The last time it wrote any of them (ISO-8601 UTC).")
    stale: bool = strawberry.field(
        description="True when it has not written them for `staleAfterDays`: reported, not recommended."
    )
    evidence: list[DatasetWrite] = strawberry.field(description="Each of those datasets with its last write.")

    @classmethod
    def of(cls, evidence: Evidence) -> DependencyRecommendation:
        return cls(
            job=Job.of(evidence.job),
            datasets=[Dataset.of(d) for d, _ in evidence.writes],
            last_write_at=evidence.last_write_at,
            stale=evidence.stale,
            evidence=[DatasetWrite.of(d, at) for d, at in evidence.writes],
        )


@strawberry.type(description="What a configured dependency list gets wrong, judged from lineage.")
class DependencyCheck:
    missing: list[Job] = strawberry.field(description="Recommended, not configured nor implied by a configured one.")
    redundant: list[Job] = strawberry.field(description="Configured, but writes nothing the job reads.")
    stale: list[Job] = strawberry.field(description="Writers of the job's inputs not seen for `staleAfterDays`.")
    cycles: list[list[Job]] = strawberry.field(
        description="[A, B, ..., Z]: A waits for B ... which waits for Z, which waits for A."
    )
    unknown: list[JobName] = strawberry.field(description="Configured jobs Tagline has never seen.")
    ok: bool = strawberry.field(description="False when something is missing or cyclic.")


def _window(info: Info[Context, None], stale_after_days: int | None) -> int:
    days = info.context.settings.stale_after_days if stale_after_days is None else stale_after_days
    if days < 0:
        raise InvalidInput(f"staleAfterDays must be 0 or more (got {days})")
    return days


@strawberry.type
class DependenciesQuery:
    @strawberry.field(
        description="Every job that writes a dataset this job reads (stale writers flagged). "
        "`directOnly` drops one implied through another recommended one."
    )
    async def recommend_dependencies(
        self,
        info: Info[Context, None],
        namespace: str,
        name: str,
        direct_only: bool | None = False,
        stale_after_days: int | None = None,
    ) -> list[DependencyRecommendation]:
        days = _window(info, stale_after_days)
        thread = info.context.thread
        ref = JobRef(namespace=namespace, name=name)
        _, found = await thread.read(recommend_dependencies, thread.store, ref, utcnow(), days, bool(direct_only))
        return [DependencyRecommendation.of(e) for e in found]

    @strawberry.field(description="Compare a job's configured dependencies with what lineage recommends.")
    async def check_dependencies(
        self,
        info: Info[Context, None],
        namespace: str,
        name: str,
        configured: list[JobRefInput],
        stale_after_days: int | None = None,
    ) -> DependencyCheck:
        if len(configured) > info.context.settings.max_configured_dependencies:
            raise InvalidInput(too_many_configured(len(configured), info.context.settings.max_configured_dependencies))
        days = _window(info, stale_after_days)
        thread = info.context.thread
        refs = [JobRef(namespace=c.namespace, name=c.name) for c in configured]
        report = await thread.read(
            check_dependencies, thread.store, JobRef(namespace=namespace, name=name), refs, utcnow(), days
        )
        return DependencyCheck(
            missing=[Job.of(r) for r in report.missing],
            redundant=[Job.of(r) for r in report.redundant],
            stale=[Job.of(r) for r in report.stale],
            cycles=[[Job.of(r) for r in cycle] for cycle in report.cycles],
            unknown=[JobName(namespace=r.namespace, name=r.name) for r in report.unknown],
            ok=not report.failed,
        )
