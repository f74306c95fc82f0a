"""GraphQL for lineage over time: what changed between two moments (``lineageDiff``).

Answers come from the lineage index, which keeps every edge's spans of event time; asking lineage
``asOf`` a moment is an argument of the lineage fields themselves (see api/gql/types.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.paging import PageInfo, check_first, offset_after, offset_cursor
from tagline.api.gql.tags import TagAuditEntry
from tagline.api.gql.types import Column, LineageEdge
from tagline.governance.audit import ADDED, REMOVED
from tagline.graph.model import key_parts
from tagline.graph.records import EdgeRecord, VertexId, VertexRecord
from tagline.graph.timefmt import iso


@strawberry.type(description="Column lineage that changed between two moments (event time), a page at a time.")
class LineageDiff:
    added: list[LineageEdge] = strawberry.field(description="Edges the data took at `to` but not at `from`.")
    removed: list[LineageEdge] = strawberry.field(description="Edges the data took at `from` but not at `to`.")
    added_count: int = strawberry.field(description="How many edges were added in all (every page).")
    removed_count: int = strawberry.field(description="How many edges were removed in all (every page).")
    tag_changes: list[TagAuditEntry] = strawberry.field(
        description="Tags columns gained (ADDED) or lost (REMOVED) between `from` and `to` as the audit log "
        "recorded them (when the change was made), with their causes; newest first, paged with the edges."
    )
    page_info: PageInfo = strawberry.field(
        description="One cursor pages both lists: the next page holds the next `first` of each."
    )


def _edges(
    found: list[EdgeRecord], columns: dict[VertexId, VertexRecord], moment: datetime, offset: int, first: int
) -> list[LineageEdge]:
    return [
        LineageEdge(record=e, source=Column.of(columns[e.out_id]), target=Column.of(columns[e.in_id]), as_of=moment)
        for e in found[offset : offset + first]
    ]


@strawberry.type
class HistoryQuery:
    @strawberry.field(
        description="Column lineage edges added and removed between `from` and `to` (event time), "
        "optionally only those touching a namespace (and a dataset of it), in key order."
    )
    async def lineage_diff(
        self,
        info: Info[Context, None],
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        namespace: str | None = None,
        dataset: str | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> LineageDiff:
        check_first(first)
        start, end = utc(from_), utc(to)
        if start > end:
            raise GraphQLError(f"from ({start.isoformat()}) must not be later than to ({end.isoformat()})")
        if dataset is not None and namespace is None:
            raise GraphQLError("dataset needs its namespace")
        thread = info.context.thread
        added, removed, columns = await thread.read(thread.store.lineage_changes, start, end, namespace, dataset)
        audit = await thread.run(thread.store.audit, {}, iso(start), iso(end))
        tags = [r for r in audit if r["change"] in TAG_CHANGES and _touches(r["column"], namespace, dataset)]
        offset = offset_after(after)
        last = offset + first
        more = last < max(len(added), len(removed), len(tags))
        return LineageDiff(
            added=_edges(added, columns, end, offset, first),
            removed=_edges(removed, columns, start, offset, first),
            added_count=len(added),
            removed_count=len(removed),
            tag_changes=[
                TagAuditEntry(
                    column_key=r["column"],
                    at=r["at"],
                    actor=r["actor"],
                    tag=r["tag"],
                    change=r["change"],
                    cause=r["cause"],
                )
                for r in tags[offset:last]
            ],
            page_info=PageInfo(
                has_next_page=more,
                end_cursor=offset_cursor(last - 1) if more else None,
                has_previous_page=offset > 0,
                start_cursor=offset_cursor(offset),
            ),
        )


TAG_CHANGES = (ADDED, REMOVED)


def _touches(column_key: str, namespace: str | None, dataset: str | None) -> bool:
    _, ns, name, _ = key_parts(column_key)
    return (namespace is None or ns == namespace) and (dataset is None or name == dataset)


def utc(moment: datetime) -> datetime:
    """A moment as given; one without a zone is taken as UTC, the zone every stored time is in."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
