"""Per-request context: the store, the settings, the caller, the policy and what the answer may
still hold.

Lineage reads (look-ups, hops, walks, tag provenance) are answered by the store's lineage index,
in memory, on the thread running the operation (api/gql/off_loop.py): no round trip, no queue
behind the store thread. Only writes and what the index does not hold (audit, dead letter, event
log) go to the store thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from graphql import GraphQLError
from starlette.responses import Response

from tagline.api.auth import LOCAL, Identity
from tagline.api.gql.answer_budget import AnswerBudget
from tagline.api.services.change_feed import ChangeFeed
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings
from tagline.governance.health_scan import HealthScan
from tagline.governance.policy import Policy
from tagline.graph.records import Direction, Hop, VertexId, VertexRecord
from tagline.graph.store import GraphStore


@dataclass
class Context:
    thread: StoreThread
    settings: Settings
    identity: Identity = LOCAL
    response: Response | None = None
    policy: Policy = field(default_factory=Policy)
    # Subtrees of nested lineage already rendered in this request (see api/gql/lineage_render.py).
    rendered: dict[object, object] = field(default_factory=dict)
    # Errors reported beside a field's (empty) answer rather than instead of it (api/gql/errors.py).
    errors: list[GraphQLError] = field(default_factory=list)
    # Health reports of this request by window, so aliases of `health` scan the warehouse once.
    health_scans: dict[int, asyncio.Future[HealthScan]] = field(default_factory=dict)
    # What this request's answer may still hold (api/gql/answer_budget.py).
    answer: AnswerBudget = field(init=False)
    # Subscriptions' source (api/services/change_feed.py), and what a WebSocket's connection_init
    # carried (the API key), on a WebSocket only.
    feed: ChangeFeed | None = None
    connection_params: dict[str, object] | None = None

    def __post_init__(self) -> None:
        self.answer = AnswerBudget(self.settings.max_answer_objects, self.settings.max_answer_bytes)

    @property
    def store(self) -> GraphStore:
        return self.thread.store

    def lookup(self, key: str) -> VertexRecord | None:
        """Exact key first; then the case-folded key, so `Orders.ID` finds `orders.id` as a SQL user expects."""
        return self.store.find_folded(key)

    def hops(self, vertex: VertexId, direction: Direction, label: str) -> list[Hop]:
        return self.store.hops([vertex], direction, [label])

    def neighbours(self, vertex: VertexId, direction: Direction, label: str) -> list[VertexRecord]:
        return sorted((h.neighbour for h in self.hops(vertex, direction, label)), key=lambda r: r.key)
