"""The public GraphQL types. Field names here are the contract frontends rely on: add, never rename.

Each type wraps the store's record of its vertex or edge; resolvers only read it or ask a
DataLoader, so nothing here speaks Gremlin.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from tagline.api.gql.answer_budget import AnswerBudget, props_bytes
from tagline.api.gql.context import Context
from tagline.api.gql.lineage_render import render_lineage
from tagline.api.gql.node import Node, run_node_id, tag_node_id
from tagline.api.gql.paging import RUNS_PAGE, Connection, First, Last, check_first, page_of, paged, window
from tagline.api.services.node_ids import FIELD, NodeId, node_id
from tagline.errors import InvalidInput
from tagline.governance.past_tags import PastStates, states_as_of
from tagline.governance.provenance import tag_paths
from tagline.governance.state import column_states, sensitivity_of, tag_views_of
from tagline.governance.tags import TagView, tag_views
from tagline.governance.usage import last_produced, usage_days
from tagline.graph import intervals, schema
from tagline.graph.model import key_parts
from tagline.graph.records import Direction as HopDirection
from tagline.graph.records import EdgeRecord, Expansion, VertexRecord
from tagline.graph.records import Run as FoundRun
from tagline.graph.timefmt import iso, utcnow

MAX_USAGE_DAYS = 366
EVERY_RUN = 2**31
AS_OF = (
    "`asOf` answers as the lineage was at that moment (event time); without it, current lineage: "
    "edges a job's newer report no longer holds are left out."
)


@strawberry.enum(description="Which way to follow lineage from a column.")
class Direction(Enum):
    UPSTREAM = "UPSTREAM"
    DOWNSTREAM = "DOWNSTREAM"
    BOTH = "BOTH"


def _text(record: VertexRecord | EdgeRecord, name: str) -> str | None:
    value = record.props.get(name)
    return None if value in (None, "") else str(value)


def check_depth(info: Info[Context, None], depth: int) -> None:
    limit = info.context.settings.max_lineage_depth
    if depth < 1 or depth > limit:
        raise InvalidInput(
            f"depth must be between 1 and {limit} (got {depth}); ask for less, or page with a deeper start"
        )


def walk(
    info: Info[Context, None],
    start: list[VertexRecord],
    direction: HopDirection,
    depth: int,
    direct_only: bool = False,
    max_nodes: int | None = None,
    as_of: datetime | None = None,
) -> Expansion:
    expansion = info.context.store.lineage([r.id for r in start], direction, depth, max_nodes, direct_only, as_of)
    for record in start:
        expansion.vertices.setdefault(record.id, record)
    return expansion


def lineage_answer(
    info: Info[Context, None],
    record: VertexRecord,
    direction: HopDirection,
    depth: int,
    direct_only: bool,
    as_of: datetime | None = None,
) -> list[LineageEdge]:
    """A column's lineage edges: rendered in one step from the index where the selection allows
    (see api/gql/lineage_render.py), field by field otherwise; current edges, or those the data
    took ``as_of`` a moment."""
    ctx = info.context
    index = ctx.store.index
    max_depth = ctx.settings.max_lineage_depth
    if as_of is None:
        fast = render_lineage(
            info, record.id, direction, depth, direct_only, index, max_depth, ctx.rendered, ctx.answer, ctx.errors
        )
        if fast is not None:
            return fast  # type: ignore[return-value]
    edges = edges_of(walk(info, [record], direction, depth, direct_only, as_of=as_of), as_of)
    kept = within_budget(ctx.answer, edges)
    if len(kept) < len(edges):
        ctx.errors.append(ctx.answer.exhaust(objects_spent=ctx.answer.room()[0] < 3).error(info.path.as_list()))
    return kept


def within_budget(budget: AnswerBudget, edges: list[LineageEdge]) -> list[LineageEdge]:
    """The first of ``edges`` the request's answer budget still has room for (each an edge and its
    two columns), charged to it."""
    for n, edge in enumerate(edges):
        objects = 3
        size = sum(props_bytes(r.props) for r in (edge.record, edge.source.record, edge.target.record))
        if not budget.fits(objects, size):
            return edges[:n]
        budget.charge(objects, size)
    return edges


def edges_of(expansion: Expansion, as_of: datetime | None = None) -> list[LineageEdge]:
    v = expansion.vertices
    edges = [
        LineageEdge(record=e, source=Column.of(v[e.out_id]), target=Column.of(v[e.in_id]), as_of=as_of)
        for e in expansion.edges.values()
    ]
    return sorted(edges, key=lambda e: (e.source.record.key, e.target.record.key, str(e.record.props.get(schema.KEY))))


@strawberry.type(description="How a target column was derived from a source column (OpenLineage vocabulary).")
class Transformation:
    type: str = strawberry.field(description="DIRECT (the value flows) or INDIRECT (it only influences).")
    subtype: str | None = strawberry.field(description="IDENTITY, TRANSFORMATION, AGGREGATION, JOIN, FILTER, ...")
    masking: bool = strawberry.field(description="True when the derivation hides the value (hash, mask, count).")
    description: str | None


@strawberry.type(description="A column of a dataset, with its lineage in both directions.")
class Column(Node):
    record: strawberry.Private[VertexRecord]
    namespace: str
    dataset: str
    field: str
    data_type: str | None
    description: str | None

    @classmethod
    def of(cls, record: VertexRecord) -> Column:
        p = record.props
        return cls(
            record=record,
            namespace=p["namespace"],
            dataset=p["dataset"],
            field=p["field"],
            data_type=_text(record, "data_type"),
            description=_text(record, "description"),
        )

    @strawberry.field(description="Marquez's node id: datasetField:<namespace>:<dataset>:<field>.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(node_id(self.record))

    @strawberry.field(description="The highest sensitivity level among the column's effective tags.")
    def sensitivity(self) -> str | None:
        return sensitivity_of(self.record.props)

    @strawberry.field(
        description="Effective tags: declared here or inherited over lineage, with provenance. "
        "`asOf` recomputes them over the lineage as it was at that moment (event time), from the "
        "declarations and blocks as they are now: declarations have no history, so a tag declared "
        "or removed since then counts as if it had always (or never) been declared."
    )
    def tags(self, info: Info[Context, None], as_of: datetime | None = None) -> list[ColumnTag]:
        if as_of is None:
            views = tag_views_of(self.record.props)
            return [ColumnTag.of(self.record.key, v) for v in views.values()]
        past = states_as_of(info.context.store, self.record.key, as_of, info.context.policy)
        found = past.load([self.record.key]).get(self.record.key)
        views = tag_views(found.effective) if found else {}
        return [ColumnTag.of(self.record.key, v, past, as_of) for v in views.values()]

    @strawberry.field(
        description="Every edge within `depth` hops upstream, each once. "
        "`directOnly` follows only edges that carry the value (no joins, filters...). " + AS_OF
    )
    def upstream(
        self, info: Info[Context, None], depth: int = 1, direct_only: bool = False, as_of: datetime | None = None
    ) -> list[LineageEdge]:
        check_depth(info, depth)
        return lineage_answer(info, self.record, "in", depth, direct_only, as_of)

    @strawberry.field(
        description="Every edge within `depth` hops downstream, each once. "
        "`directOnly` follows only edges that carry the value. " + AS_OF
    )
    def downstream(
        self, info: Info[Context, None], depth: int = 1, direct_only: bool = False, as_of: datetime | None = None
    ) -> list[LineageEdge]:
        check_depth(info, depth)
        return lineage_answer(info, self.record, "out", depth, direct_only, as_of)


@strawberry.type(description="One `derives` edge: `source` feeds `target`.")
class LineageEdge:
    record: strawberry.Private[EdgeRecord]
    source: Column
    target: Column
    as_of: strawberry.Private[datetime | None] = None

    @strawberry.field
    def transformation(self) -> Transformation:
        p = self.record.props
        return Transformation(
            type=str(p.get("type", "")),
            subtype=_text(self.record, "subtype"),
            masking=bool(p.get("masking", False)),
            description=_text(self.record, "description"),
        )

    @strawberry.field(description="The SQL expression that produced the target, where known.")
    def expression(self) -> str | None:
        return _text(self.record, "expression")

    @strawberry.field(description="The job that made this edge, where known.")
    def job(self, info: Info[Context, None]) -> Job | None:
        key = _text(self.record, "job")
        record = info.context.store.find([key]).get(key) if key else None
        return Job.of(record) if record else None

    @strawberry.field(description="When this edge was first and last seen by an ingest (ISO-8601).")
    def last_seen(self) -> str | None:
        return _text(self.record, "last_seen")

    @strawberry.field(
        description="When the data began to take this edge (event time, ISO-8601): of the span the "
        "answer's `asOf` falls in, else of its latest span."
    )
    def valid_from(self) -> str | None:
        span = self._span()
        return span[0] if span else None

    @strawberry.field(
        description="When the data stopped taking it (event time, ISO-8601): null while it is current, "
        "i.e. until the job that made it reports lineage without it."
    )
    def valid_to(self) -> str | None:
        span = self._span()
        return None if span is None or span[1] == intervals.OPEN else span[1]

    def _span(self) -> intervals.Span | None:
        spans = intervals.spans_of(self.record.props)
        if self.as_of is not None:
            moment = iso(self.as_of)
            spans = [s for s in spans if s[0] <= moment < s[1]] or spans
        return spans[-1] if spans else None


@strawberry.enum(description="Whether a tag is declared on the column or inherited over lineage.")
class TagOrigin(Enum):
    DECLARED = "DECLARED"
    INHERITED = "INHERITED"


@strawberry.type(description="Where an inherited tag comes from: a source column and the edges it came by.")
class TagSource:
    column: Column
    path: list[LineageEdge] = strawberry.field(description="From the source column to this one, in order.")
    complete: bool = strawberry.field(
        description="False if the stored provenance broke off (run `tagline propagate --full`)."
    )


@strawberry.type(description="An effective tag of a column.")
class ColumnTag(Node):
    column_key: strawberry.Private[str]
    name: str
    origin: TagOrigin
    masked: bool = strawberry.field(description="True when every path that brings the tag crosses a masking edge.")

    past: strawberry.Private[PastStates | None] = None
    as_of: strawberry.Private[datetime | None] = None

    @classmethod
    def of(
        cls, column_key: str, view: TagView, past: PastStates | None = None, as_of: datetime | None = None
    ) -> ColumnTag:
        return cls(
            column_key=column_key,
            name=view.name,
            origin=TagOrigin(view.origin),
            masked=view.masked,
            past=past,
            as_of=as_of,
        )

    @strawberry.field(description="tag:<name>:<the column's id>.")
    def id(self) -> strawberry.ID:
        _, namespace, dataset, field = key_parts(self.column_key)
        return strawberry.ID(tag_node_id(self.name, str(NodeId(FIELD, namespace, dataset, field))))

    @strawberry.field(description="One entry per source column, with the shortest path the tag came by.")
    def sources(self, info: Info[Context, None]) -> list[TagSource]:
        store = info.context.store
        past = self.past
        read = past.load if past is not None else (lambda keys: column_states(store, keys))
        paths = tag_paths(read, [(self.column_key, self.name)])[0]
        columns = store.find({c for p in paths for c in p.columns})
        by_key = store.derives_edges({h for p in paths for h in p.hops()}, self.as_of)
        found = []
        for p in paths:
            if p.source not in columns:
                continue
            hops = [
                LineageEdge(
                    record=by_key[e], source=Column.of(columns[a]), target=Column.of(columns[b]), as_of=self.as_of
                )
                for e, a, b in zip(p.edges, p.columns, p.columns[1:], strict=False)
                if e in by_key and a in columns and b in columns
            ]
            found.append(
                TagSource(
                    column=Column.of(columns[p.source]), path=hops, complete=p.complete and len(hops) == len(p.edges)
                )
            )
        return found


@strawberry.type(description="A table or view.")
class Dataset(Node):
    record: strawberry.Private[VertexRecord]
    namespace: str
    name: str
    kind: str | None
    description: str | None

    @classmethod
    def of(cls, record: VertexRecord) -> Dataset:
        p = record.props
        return cls(
            record=record,
            namespace=p["namespace"],
            name=p["name"],
            kind=_text(record, "kind"),
            description=_text(record, "description"),
        )

    @strawberry.field(description="Who answers for it (the OpenLineage ownership facet).")
    def owners(self) -> list[Owner]:
        return owners_of_record(self.record)

    @strawberry.field(description="Marquez's node id: dataset:<namespace>:<name>.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(node_id(self.record))

    @strawberry.field(
        description="Reads per day over the last `days` days, oldest first: the table's heat. "
        "Tagline keeps each reader's latest read, so a day counts the readers last seen on it."
    )
    def usage(self, info: Info[Context, None], days: int = 30) -> list[UsageDay]:
        if not 1 <= days <= MAX_USAGE_DAYS:
            raise InvalidInput(f"days must be between 1 and {MAX_USAGE_DAYS} (got {days})")
        hops = info.context.hops(self.record.id, "in", schema.READS)
        found = usage_days(((h.neighbour.key, h.edge.props.get("last_at")) for h in hops), utcnow().date(), days)
        return [UsageDay(date=d.day.isoformat(), reads=d.reads, distinct_readers=d.readers) for d in found]

    @strawberry.field(description="The latest write by a job whose last run completed (or that has no runs), ISO-8601.")
    def last_produced_at(self, info: Info[Context, None]) -> str | None:
        hops = info.context.hops(self.record.id, "in", schema.WRITES)
        return last_produced((h.edge.props.get("last_at"), h.neighbour.props.get("last_run_state")) for h in hops)

    @strawberry.field(deprecation_reason="Unpaged: use columnsConnection.")
    def columns(self, info: Info[Context, None]) -> list[Column]:
        found = info.context.neighbours(self.record.id, "out", schema.HAS_COLUMN)
        return [Column.of(r) for r in found]

    @strawberry.field(description="Its columns by key, a page at a time (50 unless `first` or `last` says).")
    def columns_connection(
        self,
        info: Info[Context, None],
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[Column]:
        found = info.context.neighbours(self.record.id, "out", schema.HAS_COLUMN)
        return page_of(found, Column.of, first, after, last, before)

    @strawberry.field(description="Jobs that read this dataset.")
    def readers(self, info: Info[Context, None]) -> list[Job]:
        return [Job.of(r) for r in info.context.neighbours(self.record.id, "in", schema.READS)]

    @strawberry.field(description="Jobs that write this dataset.")
    def writers(self, info: Info[Context, None]) -> list[Job]:
        return [Job.of(r) for r in info.context.neighbours(self.record.id, "in", schema.WRITES)]

    @strawberry.field(description="Declared a source by the operator: having no upstream is expected of it.")
    def declared_source(self) -> bool:
        return bool(self.record.props.get(schema.DECLARED_SOURCE, False))


@strawberry.type(description="A scheduled task, dbt model, Spark application or query source.")
class Job(Node):
    record: strawberry.Private[VertexRecord]
    namespace: str
    name: str
    description: str | None
    schedule: str | None
    last_run_at: str | None
    last_run_state: str | None

    @classmethod
    def of(cls, record: VertexRecord) -> Job:
        p = record.props
        return cls(
            record=record,
            namespace=p["namespace"],
            name=p["name"],
            description=_text(record, "description"),
            schedule=_text(record, "schedule"),
            last_run_at=_text(record, "last_run_at"),
            last_run_state=_text(record, "last_run_state"),
        )

    @strawberry.field(description="Marquez's node id: job:<namespace>:<name>.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(node_id(self.record))

    @strawberry.field(description="Who answers for it (the OpenLineage ownership facet).")
    def owners(self) -> list[Owner]:
        return owners_of_record(self.record)

    @strawberry.field(
        description="Its runs, the latest first, as OpenLineage run events reported them.",
        deprecation_reason="Unpaged: use runsConnection.",
    )
    async def runs(self, info: Info[Context, None], first: int = 20) -> list[Run]:
        check_first(first)
        store = info.context.store
        found = await info.context.thread.run(store.runs_of, self.record.key, first)
        return [Run.of(r) for r in found]

    @strawberry.field(description="Its runs, the latest first, a page at a time (20 unless `first` or `last` says).")
    async def runs_connection(
        self,
        info: Info[Context, None],
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[Run]:
        store = info.context.store
        # The store reads a job's runs whole to order them, so every page knows the total.
        found = await info.context.thread.run(store.runs_of, self.record.key, EVERY_RUN)
        return page_of(found, Run.of, first, after, last, before, RUNS_PAGE)

    @strawberry.field(description="Datasets this job reads.")
    def inputs(self, info: Info[Context, None]) -> list[Dataset]:
        return [Dataset.of(r) for r in info.context.neighbours(self.record.id, "out", schema.READS)]

    @strawberry.field(description="Datasets this job writes.")
    def outputs(self, info: Info[Context, None]) -> list[Dataset]:
        return [Dataset.of(r) for r in info.context.neighbours(self.record.id, "out", schema.WRITES)]

    @strawberry.field(
        description="Datasets this job writes, each with the last time it wrote it: what to "
        "check for data quality once the job completes."
    )
    def produced_datasets(self, info: Info[Context, None]) -> list[DatasetWrite]:
        hops = info.context.hops(self.record.id, "out", schema.WRITES)
        written = [DatasetWrite.of(h.neighbour, h.edge.props.get("last_at")) for h in hops]
        return sorted(written, key=lambda w: w.dataset.record.key)


@strawberry.type(description="One day of a dataset's reads.")
class UsageDay:
    date: str = strawberry.field(description="The day, YYYY-MM-DD (UTC).")
    reads: int = strawberry.field(description="Reads whose reader was last seen reading that day.")
    distinct_readers: int = strawberry.field(description="Distinct jobs and query sources among them.")


@strawberry.type(description="A dataset and the last time a job wrote it.")
class DatasetWrite:
    dataset: Dataset
    last_write_at: str | None = strawberry.field(description="ISO-8601 UTC.")

    @classmethod
    def of(cls, dataset: VertexRecord, at: object) -> DatasetWrite:
        return cls(dataset=Dataset.of(dataset), last_write_at=str(at) if at else None)


@strawberry.type(description="A flat lineage graph for renderers.")
class LineageGraph:
    nodes: list[Column]
    edges: list[LineageEdge] = strawberry.field(
        description="Every edge of the graph (see edgesConnection to page them)."
    )
    truncated: bool = strawberry.field(description="True when a limit cut the graph short (see `complete`).")
    complete: bool = strawberry.field(
        default=True, description="False when a limit cut the graph short; `limit` says which, `next` how to go on."
    )
    limit: str | None = strawberry.field(
        default=None, description="The limit that cut it: `maxNodes`, TAGLINE_MAX_ANSWER_OBJECTS or ..._BYTES."
    )
    next: str | None = strawberry.field(default=None, description="How to get the rest.")

    @strawberry.field(
        description="The graph's edges a page at a time, in the order of `edges` (50 unless `first` or "
        "`last` says): a renderer draws a large neighbourhood as its pages arrive."
    )
    def edges_connection(
        self,
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[LineageEdge]:
        return paged(self.edges, window(len(self.edges), first, after, last, before))


@strawberry.type(description="What a run wrote into one of its outputs.")
class OutputStatistics:
    dataset_key: strawberry.Private[str]
    rows: int | None
    bytes: int | None

    @strawberry.field
    def dataset(self, info: Info[Context, None]) -> Dataset | None:
        found = info.context.store.find([self.dataset_key]).get(self.dataset_key)
        return Dataset.of(found) if found else None


@strawberry.type(description="One run of a job, merged from its START/RUNNING/COMPLETE/FAIL/ABORT reports.")
class Run(Node):
    found: strawberry.Private[FoundRun]
    run_id: str
    state: str
    started_at: str | None
    ended_at: str | None

    @classmethod
    def of(cls, run: FoundRun) -> Run:
        return cls(found=run, run_id=run.run_id, state=run.state, started_at=run.started_at, ended_at=run.ended_at)

    @strawberry.field(description="run:<runId>.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(run_node_id(self.run_id))

    @strawberry.field(description="From start to end, when both were reported.")
    def duration_ms(self) -> int | None:
        return self.found.duration_ms

    @strawberry.field(description="The run this one ran under (a DAG's run for a task's), from the parent facet.")
    async def parent(self, info: Info[Context, None]) -> Run | None:
        parent_id = self.found.parent_run_id
        if parent_id is None:
            return None
        found = await info.context.thread.run(info.context.store.run, parent_id)
        return Run.of(found) if found else None

    @strawberry.field
    def inputs(self, info: Info[Context, None]) -> list[Dataset]:
        return _datasets(info, self.found.inputs)

    @strawberry.field
    def outputs(self, info: Info[Context, None]) -> list[Dataset]:
        return _datasets(info, self.found.outputs)

    @strawberry.field
    def output_statistics(self) -> list[OutputStatistics]:
        return [
            OutputStatistics(dataset_key=k, rows=v.get("rows"), bytes=v.get("bytes"))
            for k, v in sorted(self.found.statistics.items())
        ]


def _datasets(info: Info[Context, None], keys: list[str]) -> list[Dataset]:
    found = info.context.store.find(keys)
    return [Dataset.of(found[k]) for k in keys if k in found]


@strawberry.type(description="Who answers for a dataset or a job: a person or team, and their role.")
class Owner:
    name: str
    type: str | None


def owners_of_record(record: VertexRecord) -> list[Owner]:
    return [Owner(name=o.name, type=o.type) for o in schema.owners_of(record.props)]
