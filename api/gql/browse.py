"""GraphQL to find and explore: search by name, the namespaces and what they hold, table-level
lineage (datasets and the jobs between them), and the columns carrying a tag."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.errors import report_not_found
from tagline.api.gql.paging import SEARCH_PAGE, Connection, First, Last, connection, page_of, window
from tagline.api.gql.query import check_max_nodes, hop_directions
from tagline.api.gql.types import AS_OF, Column, Dataset, Direction, Job, check_depth
from tagline.api.services.node_ids import node_id
from tagline.governance.state import tagged_columns
from tagline.graph import schema
from tagline.graph.model import dataset_key
from tagline.graph.records import VertexRecord


@strawberry.enum(description="What a search hit or a graph node is.")
class EntityKind(Enum):
    DATASET = "DATASET"
    COLUMN = "COLUMN"
    JOB = "JOB"


LABEL_OF = {EntityKind.DATASET: schema.DATASET, EntityKind.COLUMN: schema.COLUMN, EntityKind.JOB: schema.JOB}
KIND_OF = {label: kind for kind, label in LABEL_OF.items()}
UNCOUNTED = 2**62


@strawberry.type(description="A dataset, job or column whose name matched a search.")
class SearchHit:
    record: strawberry.Private[VertexRecord]
    kind: EntityKind
    namespace: str
    name: str = strawberry.field(description="The dataset's or job's name (a column's dataset).")
    field: str | None = strawberry.field(description="The column's field, for a column.")

    @classmethod
    def of(cls, record: VertexRecord) -> SearchHit:
        p = record.props
        column = record.label == schema.COLUMN
        return cls(
            record=record,
            kind=KIND_OF[record.label],
            namespace=p["namespace"],
            name=p["dataset"] if column else p["name"],
            field=p["field"] if column else None,
        )

    @strawberry.field(description="The dataset hit, or the dataset of the column hit.")
    def dataset(self, info: Info[Context, None]) -> Dataset | None:
        if self.kind == EntityKind.DATASET:
            return Dataset.of(self.record)
        if self.kind == EntityKind.COLUMN:
            found = info.context.lookup(dataset_key(self.namespace, self.name))
            return Dataset.of(found) if found else None
        return None

    @strawberry.field
    def column(self) -> Column | None:
        return Column.of(self.record) if self.kind == EntityKind.COLUMN else None

    @strawberry.field
    def job(self) -> Job | None:
        return Job.of(self.record) if self.kind == EntityKind.JOB else None


@strawberry.type(description="A namespace: where datasets and jobs live (`hive://warehouse`, `airflow`).")
class Namespace:
    name: str

    @strawberry.field(description="Its datasets, by name (50 a page unless `first` or `last` says).")
    def datasets(
        self,
        info: Info[Context, None],
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[Dataset]:
        found = info.context.store.in_namespace(schema.DATASET, self.name)
        return page_of(found, Dataset.of, first, after, last, before)

    @strawberry.field(description="Its jobs, by name (50 a page unless `first` or `last` says).")
    def jobs(
        self,
        info: Info[Context, None],
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[Job]:
        found = info.context.store.in_namespace(schema.JOB, self.name)
        return page_of(found, Job.of, first, after, last, before)


@strawberry.type(description="A dataset or job of a table-level lineage graph.")
class GraphNode:
    id: strawberry.ID = strawberry.field(description="Marquez's node id (dataset:<ns>:<name>, job:<ns>:<name>).")
    kind: EntityKind
    namespace: str
    name: str


@strawberry.type(
    description="Data flows from `source` to `target` (a dataset into the job reading it, a job into "
    "the dataset it writes)."
)
class GraphEdge:
    source: strawberry.ID
    target: strawberry.ID


@strawberry.type(description="Datasets and the jobs between them.")
class DatasetLineageGraph:
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = strawberry.field(description="True when maxNodes cut the graph short (see `complete`).")
    complete: bool = strawberry.field(
        default=True, description="False when a limit cut the graph short; `limit` says which, `next` how to go on."
    )
    limit: str | None = strawberry.field(default=None, description="The limit that cut it: `maxNodes`.")
    next: str | None = strawberry.field(default=None, description="How to get the rest.")


@strawberry.type
class BrowseQuery:
    @strawberry.field(
        description="Datasets, jobs and columns whose name contains `query` (any case): exact names "
        "first, then names starting with it, then names with a word starting with it, then the rest. "
        "A column matches by its field name. 20 a page unless `first` or `last` says."
    )
    def search(
        self,
        info: Info[Context, None],
        query: str,
        kinds: list[EntityKind] | None = None,
        namespace: str | None = None,
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[SearchHit]:
        labels = [LABEL_OF[k] for k in (kinds or list(EntityKind))]
        store = info.context.store
        # Paging forward needs no count; backward, the window's end depends on how many match.
        total = UNCOUNTED
        if last is not None or before is not None:
            total = store.search(query, labels, namespace, 0, 0)[1]
        page = window(total, first, after, last, before, SEARCH_PAGE)
        found, total = store.search(query, labels, namespace, page.start, page.end - page.start)
        return connection([SearchHit.of(r) for r in found], page.start, total)

    @strawberry.field(
        description="Every namespace holding a dataset or a job, by name.",
        deprecation_reason="Unpaged: use namespacesConnection.",
    )
    def namespaces(self, info: Info[Context, None]) -> list[Namespace]:
        return [Namespace(name=n) for n in info.context.store.namespaces()]

    @strawberry.field(
        description="Every namespace holding a dataset or a job, by name, a page at a time (50 unless "
        "`first` or `last` says)."
    )
    def namespaces_connection(
        self,
        info: Info[Context, None],
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[Namespace]:
        return page_of(info.context.store.namespaces(), lambda n: Namespace(name=n), first, after, last, before)

    @strawberry.field(
        description="Table-level lineage: datasets and the jobs that read and write them, within "
        "`depth` job hops; `maxNodes` caps the nodes, the dataset included. From an unknown dataset: "
        "an empty graph and a NOT_FOUND error; `complete: false` says `maxNodes` cut it, `next` how "
        "to go on. " + AS_OF
    )
    def dataset_lineage(
        self,
        info: Info[Context, None],
        namespace: str,
        name: str,
        direction: Direction = Direction.BOTH,
        depth: int = 3,
        max_nodes: int = 500,
        as_of: datetime | None = None,
    ) -> DatasetLineageGraph:
        check_depth(info, depth)
        check_max_nodes(info, max_nodes)
        start = info.context.lookup(dataset_key(namespace, name))
        if start is None or start.label != schema.DATASET:
            report_not_found(info, f"no dataset {name!r} in namespace {namespace!r}")
            return DatasetLineageGraph(nodes=[], edges=[], truncated=False)
        nodes, edges, truncated = info.context.store.table_lineage(
            start, hop_directions(direction), depth, max_nodes, as_of
        )
        ids = {r.key: node_id(r) for r in nodes}
        return DatasetLineageGraph(
            nodes=[
                GraphNode(
                    id=strawberry.ID(ids[r.key]),
                    kind=KIND_OF[r.label],
                    namespace=r.props["namespace"],
                    name=r.props["name"],
                )
                for r in nodes
            ],
            edges=[GraphEdge(source=strawberry.ID(ids[a]), target=strawberry.ID(ids[b])) for a, b in edges],
            truncated=truncated,
            complete=not truncated,
            limit="maxNodes" if truncated else None,
            next=f"raise maxNodes (up to {info.context.settings.max_lineage_nodes}) or ask for less depth"
            if truncated
            else None,
        )

    @strawberry.field(
        description="Columns carrying `tag` (declared or inherited), by key; `pii` also matches "
        "`pii.email` and `pii.name`; 50 a page unless `first` or `last` says."
    )
    def tagged_columns(
        self,
        info: Info[Context, None],
        tag: str,
        first: First = None,
        after: str | None = None,
        last: Last = None,
        before: str | None = None,
    ) -> Connection[Column]:
        return page_of(tagged_columns(info.context.store, tag), Column.of, first, after, last, before)
