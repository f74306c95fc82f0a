"""`node(id:)` and `nodes(ids:)`: what a normalised client cache (Relay, Apollo, urql) fetches an
object again by, from the global id it cached (api/gql/node.py says which ids there are).

An id that names nothing Tagline holds answers null, as Relay expects of a deleted object; an id of
no kind Tagline gives out is an error naming it.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from tagline.api.gql.context import Context
from tagline.api.gql.node import RUN_PREFIX, Node, split_tag_node_id
from tagline.api.gql.paging import MAX_PAGE
from tagline.api.gql.types import Column, ColumnTag, Dataset, Job, Run
from tagline.api.services.node_ids import parse_node_id
from tagline.errors import InvalidInput
from tagline.governance.state import tag_views_of
from tagline.graph import schema


async def find_node(info: Info[Context, None], value: str) -> Node | None:
    context = info.context
    store = context.store
    if value.startswith(RUN_PREFIX):
        run = await context.thread.run(store.run, value[len(RUN_PREFIX) :])
        return Run.of(run) if run is not None else None
    tag = split_tag_node_id(value)
    if tag is not None:
        name, column_id = tag
        column = await find_node(info, column_id)
        if not isinstance(column, Column):
            return None
        view = tag_views_of(column.record.props).get(name)
        return ColumnTag.of(column.record.key, view) if view is not None else None
    found = parse_node_id(value, lambda key: bool(store.find([key])))
    record = store.find([found.key]).get(found.key)
    if record is None:
        return None
    if record.label == schema.COLUMN:
        return Column.of(record)
    return Job.of(record) if record.label == schema.JOB else Dataset.of(record)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="The object with this global id (a Node's `id`), or null if it is gone.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return await find_node(info, id)

    @strawberry.field(
        description=f"The objects with these global ids, in the same order, null for each that is gone "
        f"(at most {MAX_PAGE} ids)."
    )
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise InvalidInput(f"ids holds {len(ids)} ids; at most {MAX_PAGE} are answered at once")
        return [await find_node(info, i) for i in ids]
