"""GraphQL for data engineers: the lineage health report and impact analysis."""

from __future__ import annotations

import asyncio
from datetime import datetime

import strawberry
from strawberry.types import Info

from tagline.api.gql.compare import RedundantJob
from tagline.api.gql.context import Context
from tagline.api.gql.types import AS_OF, Column, Dataset, Job, check_depth
from tagline.errors import InvalidInput
from tagline.governance.health_scan import ColumnHealth as ScannedColumn
from tagline.governance.health_scan import DatasetHealth as ScannedDataset
from tagline.governance.health_scan import scan_health
from tagline.governance.impact import Impact as FoundImpact
from tagline.governance.impact import impact_of
from tagline.governance.policy import Policy, covers
from tagline.governance.window import latest
from tagline.graph.model import DatasetRef
from tagline.graph.timefmt import utcnow


@strawberry.type(description="A dataset in the health report, with the evidence.")
class DatasetHealth:
    dataset: Dataset
    last_write_at: str | None = strawberry.field(description="Last write by a job (else last lineage in seen).")
    last_read_at: str | None = strawberry.field(description="Last read by a job or query, or lineage out seen.")
    writers: int = strawberry.field(description="Jobs that write it.")
    readers: int = strawberry.field(description="Jobs and query sources that read it.")
    downstream_edges: int = strawberry.field(description="Column lineage edges out of it.")

    @classmethod
    def of(cls, found: ScannedDataset) -> DatasetHealth:
        f = found.facts
        return cls(
            dataset=Dataset.of(found.dataset),
            last_write_at=f.last_write_at,
            last_read_at=f.last_read_at,
            writers=len(f.writes),
            readers=len(f.reads),
            downstream_edges=len(f.downstream_seen),
        )


@strawberry.type(description="A column nothing has derived from within the window, in a dataset that is read.")
class ColumnHealth:
    column: Column
    last_read_at: str | None = strawberry.field(description="Last time lineage out of it was seen.")
    downstream_edges: int
    dataset_last_read_at: str | None = strawberry.field(
        description="Last read of its dataset: table-level reads (query logs) do not say which columns."
    )

    @classmethod
    def of(cls, found: ScannedColumn) -> ColumnHealth:
        return cls(
            column=Column.of(found.column),
            last_read_at=latest(found.facts.downstream_seen),
            downstream_edges=len(found.facts.downstream_seen),
            dataset_last_read_at=found.dataset.last_read_at,
        )


@strawberry.type(description="A column that lost its last producer: lineage flowed into it, none does now.")
class UnfedColumn:
    column: Column
    since: str = strawberry.field(description="When its last incoming lineage edge closed (event time, ISO-8601).")


@strawberry.type(description="Orphans, zombies and unused datasets and columns (see the README's health section).")
class HealthReport:
    days: int
    cutoff: str = strawberry.field(description="Start of the window (ISO-8601 UTC).")
    orphans: list[DatasetHealth] = strawberry.field(
        description="No job writes it, no lineage flows in, not a declared source."
    )
    zombies: list[DatasetHealth] = strawberry.field(description="Has upstream, but not written within the window.")
    unused: list[DatasetHealth] = strawberry.field(description="Not read within the window.")
    unused_columns: list[ColumnHealth]
    deprecation_candidates: list[DatasetHealth] = strawberry.field(description="Unused and not a declared source.")
    unfed_columns: list[UnfedColumn] = strawberry.field(
        description="Columns whose producers no longer make them: every job that derived them reports "
        "lineage without them now."
    )
    redundant_jobs: list[RedundantJob] = strawberry.field(
        description="Jobs whose outputs have the same column lineage (same sources, same transformations and "
        "expressions) as another job's: a copied pipeline."
    )


@strawberry.type(description="A column downstream of the impact's root, `depth` hops away.")
class ImpactedColumn:
    column: Column
    depth: int


@strawberry.type(description="A dataset holding impacted columns.")
class ImpactedDataset:
    dataset: Dataset
    columns: list[Column]
    depth: int = strawberry.field(description="Hops to its nearest impacted column.")


@strawberry.type(description="A job that derives impacted columns (writes) or reads the root or an impacted dataset.")
class ImpactedJob:
    job: Job
    writes: list[Dataset]
    reads: list[Dataset]


@strawberry.type(description="A tag carried by the root or the impacted columns.")
class ImpactTag:
    name: str
    columns: int = strawberry.field(description="How many of those columns carry it.")
    unmasked_columns: int = strawberry.field(description="How many carry it unmasked.")


@strawberry.type(description="Everything downstream of a column or dataset.")
class Impact:
    dataset: Dataset
    roots: list[Column] = strawberry.field(description="The column asked for, or every column of the dataset.")
    columns: list[ImpactedColumn]
    datasets: list[ImpactedDataset]
    jobs: list[ImpactedJob]
    truncated: bool = strawberry.field(description="True when the node limit cut the walk short.")
    reached: strawberry.Private[list[ImpactTag]]
    sensitivity: str | None = strawberry.field(description="The highest level among those tags.")

    @strawberry.field(
        description="Tags that flow through: on the root or impacted columns. `tag` keeps that "
        "tag and its family (`pii` also matches `pii.email`)."
    )
    def tags(self, tag: str | None = None) -> list[ImpactTag]:
        return [t for t in self.reached if tag is None or covers(tag, t.name)]

    @classmethod
    def of(cls, found: FoundImpact, policy: Policy) -> Impact:
        reached = found.tags()
        records = {found.dataset.key: found.dataset, **{d.dataset.key: d.dataset for d in found.datasets}}

        def datasets(keys: set[str]) -> list[Dataset]:
            return [Dataset.of(records[k]) for k in sorted(keys) if k in records]

        return cls(
            dataset=Dataset.of(found.dataset),
            roots=[Column.of(r) for r in found.roots],
            columns=[ImpactedColumn(column=Column.of(c.column), depth=c.depth) for c in found.columns],
            datasets=[
                ImpactedDataset(dataset=Dataset.of(d.dataset), columns=[Column.of(c) for c in d.columns], depth=d.depth)
                for d in found.datasets
            ],
            jobs=[
                ImpactedJob(job=Job.of(j.job), writes=datasets(j.writes), reads=datasets(j.reads)) for j in found.jobs
            ],
            truncated=found.truncated,
            reached=[ImpactTag(name=t.tag, columns=len(t.columns), unmasked_columns=len(t.unmasked)) for t in reached],
            sensitivity=policy.highest_level(t.tag for t in reached),
        )


@strawberry.type
class HealthQuery:
    @strawberry.field(description="Orphan, zombie and unused datasets and columns; `days` is the window.")
    async def health(self, info: Info[Context, None], days: int | None = None) -> HealthReport:
        window = info.context.settings.health_days if days is None else days
        if window < 1:
            raise InvalidInput(f"days must be 1 or more (got {window})")
        thread = info.context.thread
        # Aliases asking for the same window in one operation share one scan of the warehouse.
        scans = info.context.health_scans
        if window not in scans:
            scans[window] = asyncio.ensure_future(thread.read(scan_health, thread.store, utcnow(), window))
        scan = await scans[window]
        return HealthReport(
            days=scan.days,
            cutoff=scan.cutoff,
            orphans=[DatasetHealth.of(d) for d in scan.orphans],
            zombies=[DatasetHealth.of(d) for d in scan.zombies],
            unused=[DatasetHealth.of(d) for d in scan.unused],
            unused_columns=[ColumnHealth.of(c) for c in scan.unused_columns],
            deprecation_candidates=[DatasetHealth.of(d) for d in scan.deprecation_candidates],
            unfed_columns=[UnfedColumn(column=Column.of(c.column), since=c.since) for c in scan.unfed_columns],
            redundant_jobs=[RedundantJob.of(r) for r in scan.redundant_jobs],
        )

    @strawberry.field(
        description="Everything downstream of a column (or of every column of a dataset when "
        "`field` is left out), to decide whether it can change or go. " + AS_OF
    )
    async def impact(
        self,
        info: Info[Context, None],
        namespace: str,
        dataset: str,
        field: str | None = None,
        depth: int = 5,
        as_of: datetime | None = None,
    ) -> Impact:
        check_depth(info, depth)
        thread = info.context.thread
        ref = DatasetRef(namespace=namespace, name=dataset)
        limit = info.context.settings.max_lineage_nodes
        # What is not there is a NotFound: the error says so with the code NOT_FOUND, as on `lineage`.
        found = await thread.read(impact_of, thread.store, ref, field, depth, limit, as_of)
        return Impact.of(found, info.context.policy)
