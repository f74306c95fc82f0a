"""GraphQL subscriptions, over ``graphql-transport-ws`` at ``/graphql``, fed by the change log
(api/services/change_feed.py): a write by any process (this server, a `tagline ingest` beside it)
reaches every open subscription it concerns.

- ``lineageChanged(namespace, dataset)``: column edges into or out of a dataset's columns, and jobs'
  reads and writes of it, added, changed or retired; one event per dataset and batch of changes.
- ``tagsChanged(column, family)``: a column's effective tags changed (of one column; or of any
  column that carries a tag of the family after the change).
- ``violationsChanged``: the policy's violations (``sensitivityViolations``) that appeared and
  those that were resolved, whenever tags or lineage changed them.

Each event carries the log ``position`` after its change: a query sent with
``X-Tagline-After: <position>`` reads at least that far.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncGenerator

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from tagline.api.auth import READ
from tagline.api.gql.context import Context
from tagline.api.gql.tags import ColumnRefInput, SensitivityViolation, violations
from tagline.api.gql.types import Column
from tagline.api.services.change_feed import Batch, ChangeFeed
from tagline.errors import InvalidInput, TaglineError
from tagline.governance.policy import covers
from tagline.governance.state import tag_views_of
from tagline.graph import schema
from tagline.graph.model import key_parts
from tagline.graph.store import Change

LINEAGE_EDGES = frozenset({schema.DERIVES, schema.READS, schema.WRITES})


@strawberry.type(description="Lineage of a dataset changed.")
class LineageChange:
    position: str = strawberry.field(description="The change log's position after the change.")
    namespace: str
    dataset: str
    changed_edges: int = strawberry.field(
        description="Column edges into or out of its columns, and job reads and writes of it, added, changed or retired."
    )
    column_keys: strawberry.Private[list[str]]

    @strawberry.field(description="Its columns at an end of a changed column edge, as they are now.")
    def columns(self, info: Info[Context, None]) -> list[Column]:
        found = info.context.store.find(self.column_keys)
        return [Column.of(found[k]) for k in self.column_keys if k in found]


@strawberry.type(description="A column's effective tags changed.")
class TagsChange:
    position: str = strawberry.field(description="The change log's position after the change.")
    column: Column = strawberry.field(description="The column as it is now, its `tags` included.")


@strawberry.type(description="Violations of the tag policy appeared or were resolved.")
class ViolationsChange:
    position: str = strawberry.field(description="The change log's position after the change.")
    added: list[SensitivityViolation]
    resolved: list[SensitivityViolation]


def _dataset_of(key: str) -> tuple[str, str] | None:
    """(namespace, name) of the dataset a column or dataset key belongs to."""
    parts = key_parts(key)
    return (parts[1], parts[2]) if parts[0] in ("c", "d") and len(parts) >= 3 else None


def lineage_changes(batch: Batch, namespace: str, dataset: str | None) -> list[LineageChange]:
    edges: dict[tuple[str, str], int] = defaultdict(int)
    columns: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for change in batch.changes:
        if change.label not in LINEAGE_EDGES or not change.is_edge:
            continue
        for end in {change.out_key, change.in_key}:
            owner = _dataset_of(end)
            if owner is None or owner[0] != namespace or (dataset is not None and owner[1] != dataset):
                continue
            edges[owner] += 1
            if change.label == schema.DERIVES:
                columns[owner][end] = None
    return [
        LineageChange(
            position=batch.position,
            namespace=ns,
            dataset=name,
            changed_edges=count,
            column_keys=list(columns[ns, name]),
        )
        for (ns, name), count in sorted(edges.items())
    ]


def _tag_changes(batch: Batch) -> list[str]:
    """Keys of the columns whose effective tags the batch set, in order, each once."""
    keys = (c.key for c in batch.changes if c.label == schema.COLUMN and schema.TAGS_EFFECTIVE in c.props)
    return list(dict.fromkeys(keys))


def _touches_violations(changes: list[Change]) -> bool:
    return any(
        (c.label == schema.COLUMN and schema.TAGS_EFFECTIVE in c.props) or c.label in LINEAGE_EDGES for c in changes
    )


def _open(info: Info[Context, None]) -> tuple[ChangeFeed, asyncio.Queue[Batch | None]]:
    """A place among the change log's subscribers, for a caller who may read; refused at once
    (as the subscription's error) when not, or when the caller's key holds its most subscriptions."""
    context = info.context
    identity = context.identity
    if not identity.can(READ):
        raise GraphQLError(
            f"{identity.name} has role {identity.role}, which may not {READ}", extensions={"code": "FORBIDDEN"}
        )
    if context.feed is None:
        raise GraphQLError(
            "subscriptions are served over a WebSocket (graphql-transport-ws) at /graphql",
            extensions={"code": InvalidInput.code},
        )
    try:
        return context.feed, context.feed.open(identity)
    except TaglineError as exc:
        raise GraphQLError(str(exc), extensions={"code": exc.code}) from exc


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Lineage of the namespace's datasets (or of one dataset) changed, by any process's write."
    )
    async def lineage_changed(
        self, info: Info[Context, None], namespace: str, dataset: str | None = None
    ) -> AsyncGenerator[LineageChange, None]:
        feed, queue = _open(info)

        async def changes() -> AsyncGenerator[LineageChange, None]:
            async for batch in feed.batches(queue):
                for change in lineage_changes(batch, namespace, dataset):
                    yield change

        return changes()

    @strawberry.subscription(
        description="A column's effective tags changed: of `column`, or of any column carrying a tag of "
        "`family` after the change (`pii` matches `pii.email`); of every column given neither."
    )
    async def tags_changed(
        self, info: Info[Context, None], column: ColumnRefInput | None = None, family: str | None = None
    ) -> AsyncGenerator[TagsChange, None]:
        wanted = column.ref().key if column is not None else None
        store = info.context.store
        feed, queue = _open(info)

        async def changes() -> AsyncGenerator[TagsChange, None]:
            async for batch in feed.batches(queue):
                keys = [k for k in _tag_changes(batch) if wanted is None or k == wanted]
                found = store.find(keys)
                for key in keys:
                    record = found.get(key)
                    if record is None:
                        continue
                    if family is not None and not any(covers(family, t) for t in tag_views_of(record.props)):
                        continue
                    yield TagsChange(position=batch.position, column=Column.of(record))

        return changes()

    @strawberry.subscription(description="Violations of the tag policy appeared or were resolved.")
    async def violations_changed(self, info: Info[Context, None]) -> AsyncGenerator[ViolationsChange, None]:
        feed, queue = _open(info)
        try:
            start = {_identity(v): v for v in await violations(info, None)}
        except BaseException:
            feed.release(queue)
            raise

        async def changes() -> AsyncGenerator[ViolationsChange, None]:
            before = start
            async for batch in feed.batches(queue):
                if not _touches_violations(batch.changes):
                    continue
                now = {_identity(v): v for v in await violations(info, None)}
                added = [v for k, v in now.items() if k not in before]
                resolved = [v for k, v in before.items() if k not in now]
                before = now
                if added or resolved:
                    yield ViolationsChange(position=batch.position, added=added, resolved=resolved)

        return changes()


def _identity(violation: SensitivityViolation) -> tuple[str, str, str]:
    return (violation.column_key, violation.kind, violation.message)
