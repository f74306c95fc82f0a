"""Sensitivity tags over GraphQL: stewards' mutations, the audit log and the violations report."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.paging import FIRST, LAST, Connection, PageInfo, check_first, paged, window
from tagline.api.gql.types import Column
from tagline.api.services.store_thread import POSITION_HEADER
from tagline.api.services.tag_blocks import TagBlock
from tagline.errors import InvalidInput, NotFound
from tagline.governance.policy import covers
from tagline.governance.service import Governance
from tagline.governance.violations import Violation
from tagline.graph.model import ColumnRef
from tagline.graph.schema import KEY
from tagline.graph.timefmt import iso


@strawberry.input(description="A column by namespace, dataset and field.")
class ColumnRefInput:
    namespace: str
    dataset: str
    field: str

    def ref(self) -> ColumnRef:
        return ColumnRef(namespace=self.namespace, dataset=self.dataset, field=self.field)


def _column(info: Info[Context, None], key: str) -> Column:
    record = info.context.store.find([key]).get(key)
    if record is None:
        raise NotFound(f"column {key!r} is not in the store")
    return Column.of(record)


@strawberry.type(description="One entry of the append-only tag audit log.")
class TagAuditEntry:
    column_key: strawberry.Private[str]
    at: str
    actor: str
    tag: str
    change: str = strawberry.field(description="ADDED, REMOVED, LEVEL_CHANGED, MASKING_CHANGED, BLOCKED or UNBLOCKED.")
    cause: str

    @strawberry.field
    def column(self, info: Info[Context, None]) -> Column:
        return _column(info, self.column_key)


@strawberry.type
class TagAuditEdge:
    cursor: str
    node: TagAuditEntry


@strawberry.type
class TagAuditConnection:
    edges: list[TagAuditEdge]
    page_info: PageInfo


@strawberry.type(description="A column whose tags break the policy.")
class SensitivityViolation:
    column_key: strawberry.Private[str]
    kind: str = strawberry.field(description="DECLARED_BELOW_INHERITED or SINK_RECEIVES_SENSITIVE.")
    declared_level: str | None
    inherited_level: str | None
    tags: list[str]
    message: str

    @classmethod
    def of(cls, found: Violation) -> SensitivityViolation:
        return cls(
            column_key=found.column,
            kind=found.kind,
            declared_level=found.declared_level,
            inherited_level=found.inherited_level,
            tags=list(found.tags),
            message=found.message,
        )

    @strawberry.field
    def column(self, info: Info[Context, None]) -> Column:
        return _column(info, self.column_key)


def rfc3339(name: str, value: str | None) -> str | None:
    """An RFC 3339 time as the store keeps times (ISO-8601 UTC, milliseconds), or a GraphQL error
    that names the argument: "yesterday" must not silently filter nothing."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or "T" not in value.upper() or moment.tzinfo is None:
        raise InvalidInput(
            f"{name} must be an RFC 3339 time with its offset, e.g. 2026-01-31T00:00:00Z (got {value!r})"
        )
    return iso(moment)


def _cursor(uid: str) -> str:
    return base64.urlsafe_b64encode(uid.encode()).decode()


def _uid(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"invalid cursor {cursor!r}: pass an endCursor from an earlier page") from exc


AUDIT_PAGE = 50


@strawberry.type
class TagQuery:
    @strawberry.field(
        description="The tag audit log, newest first, Relay-style pages (50 unless `first` or `last` "
        "says). `since`/`until` are ISO-8601 UTC."
    )
    async def tag_audit(
        self,
        info: Info[Context, None],
        column: ColumnRefInput | None = None,
        tag: str | None = None,
        actor: str | None = None,
        since: str | None = None,
        until: str | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: str | None = None,
        last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
        before: str | None = None,
    ) -> TagAuditConnection:
        for name, size in (("first", first), ("last", last)):
            if size is not None:
                check_first(size, name)
        if first is None and last is None:
            first = AUDIT_PAGE
        since, until = rfc3339("since", since), rfc3339("until", until)
        equal = {
            k: v for k, v in (("column", column.ref().key if column else None), ("tag", tag), ("actor", actor)) if v
        }
        thread = info.context.thread
        rows = await thread.run(thread.store.audit, equal, since, until)
        # Newest first, in descending key order: a cursor (an entry's key) splits the rows there.
        start = sum(1 for r in rows if r[KEY] >= _uid(after)) if after is not None else 0
        end = sum(1 for r in rows if r[KEY] > _uid(before)) if before is not None else len(rows)
        end = max(end, start)
        if first is not None:
            end = min(end, start + first)
        if last is not None:
            start = max(start, end - last)
        page = rows[start:end]
        edges = [
            TagAuditEdge(
                cursor=_cursor(r[KEY]),
                node=TagAuditEntry(
                    column_key=r["column"],
                    at=r["at"],
                    actor=r["actor"],
                    tag=r["tag"],
                    change=r["change"],
                    cause=r["cause"],
                ),
            )
            for r in page
        ]
        return TagAuditConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=end < len(rows),
                end_cursor=edges[-1].cursor if edges else None,
                has_previous_page=start > 0,
                start_cursor=edges[0].cursor if edges else None,
            ),
        )

    @strawberry.field(
        description="Columns declared below what flows into them, and sinks receiving restricted or PII data. "
        "`tag` keeps those about that tag or its family (`pii` also matches `pii.email`).",
        deprecation_reason="Unpaged: use sensitivityViolationsConnection.",
    )
    async def sensitivity_violations(
        self, info: Info[Context, None], first: int = 100, tag: str | None = None
    ) -> list[SensitivityViolation]:
        check_first(first)
        return (await violations(info, tag))[:first]

    @strawberry.field(
        description="Columns declared below what flows into them, and sinks receiving restricted or PII data, "
        "a page at a time (50 unless `first` or `last` says). `tag` keeps those about that tag or its "
        "family (`pii` also matches `pii.email`)."
    )
    async def sensitivity_violations_connection(
        self,
        info: Info[Context, None],
        tag: str | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: str | None = None,
        last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
        before: str | None = None,
    ) -> Connection[SensitivityViolation]:
        found = await violations(info, tag)
        return paged(found, window(len(found), first, after, last, before))


async def violations(info: Info[Context, None], tag: str | None) -> list[SensitivityViolation]:
    """Every violation of the policy now (about ``tag`` or its family, if given)."""
    ctx = info.context
    found = await ctx.thread.read(lambda: Governance(ctx.thread.store, ctx.policy).violations())
    if tag is not None:
        found = [v for v in found if any(covers(tag, t) for t in v.tags)]
    return [SensitivityViolation.of(v) for v in found]


async def _act(info: Info[Context, None], column: ColumnRefInput, act: Callable[[Governance, str], object]) -> Column:
    ctx = info.context
    ref = column.ref()

    def run() -> None:
        act(Governance(ctx.thread.store, ctx.policy), ctx.identity.name)

    _, position = await ctx.thread.write(run)
    if ctx.response is not None:
        ctx.response.headers[POSITION_HEADER] = position
    return Column.of(ctx.store.find([ref.key])[ref.key])


@strawberry.type
class TagMutation:
    """Each mutation answers ``null`` with an error when it fails, not its whole operation: a batch of
    mutations shows which were applied before one failed (they run in order)."""

    @strawberry.mutation(description="Declare a tag on a column (steward). Propagates at once.")
    async def declare_tag(
        self, info: Info[Context, None], column: ColumnRefInput, tag: str, justification: str | None = None
    ) -> Column | None:
        return await _act(info, column, lambda g, actor: g.declare(column.ref(), tag, actor, justification))

    @strawberry.mutation(
        description="Remove a declared tag; it is withdrawn downstream where no other path supports it."
    )
    async def remove_tag(
        self, info: Info[Context, None], column: ColumnRefInput, tag: str, justification: str | None = None
    ) -> Column | None:
        return await _act(info, column, lambda g, actor: g.remove(column.ref(), tag, actor, justification))

    @strawberry.mutation(description="Stop an inherited tag at a column, or only on the edges from `fromColumn`.")
    async def block_tag(
        self,
        info: Info[Context, None],
        column: ColumnRefInput,
        tag: str,
        justification: str,
        from_column: ColumnRefInput | None = None,
    ) -> Column | None:
        return await _block(info, column, tag, justification, from_column, lift=False)

    @strawberry.mutation(description="Lift a block set by blockTag.")
    async def unblock_tag(
        self,
        info: Info[Context, None],
        column: ColumnRefInput,
        tag: str,
        justification: str,
        from_column: ColumnRefInput | None = None,
    ) -> Column | None:
        return await _block(info, column, tag, justification, from_column, lift=True)


async def _block(
    info: Info[Context, None],
    column: ColumnRefInput,
    tag: str,
    justification: str,
    from_column: ColumnRefInput | None,
    lift: bool,
) -> Column:
    source = from_column.ref() if from_column else None
    return await _act(info, column, TagBlock(column.ref(), tag, justification, source, lift).apply)
