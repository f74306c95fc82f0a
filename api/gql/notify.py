"""Subscribers of changes, registered and listed through GraphQL (admin role): kept in the
notifications' outbox (see api/notify/), where the server's notifier finds them at its next round."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from tagline.api.auth import ADMIN
from tagline.api.gql.context import Context
from tagline.api.notify.outbox import Outbox, state_path
from tagline.api.notify.subscribers import EVERY, Subscriber, subscriber
from tagline.errors import TaglineError
from tagline.governance.notifications import KINDS


class NotAdmin(TaglineError):
    code = "FORBIDDEN"


@strawberry.enum(description="How a subscriber receives notices.")
class SubscriberKind(Enum):
    WEBHOOK = "webhook"
    KAFKA = "kafka"


@strawberry.type(description="Who receives which changes, and how (secrets are never shown).")
class SubscriberInfo:
    name: str
    kind: SubscriberKind
    events: list[str]
    url: str | None
    topic: str | None
    origin: str = strawberry.field(description="`file` (the subscribers file) or `api` (registered here)")
    pending: int = strawberry.field(description="notices waiting to be delivered")
    dead_letters: int = strawberry.field(description="notices that failed every try (`tagline notify replay`)")


def _outbox(info: Info[Context, None]) -> Outbox:
    ctx = info.context
    if not ctx.identity.can(ADMIN):
        raise NotAdmin(f"{ctx.identity.name} has role {ctx.identity.role}; subscribers need the admin role")
    return Outbox(_path(info))


def _path(info: Info[Context, None]) -> str:
    return state_path(info.context.settings.store, info.context.settings.notify_state)


def _info(outbox: Outbox, found: Subscriber, origin: str) -> SubscriberInfo:
    return SubscriberInfo(
        name=found.name,
        kind=SubscriberKind(found.kind),
        events=list(found.events),
        url=found.url,
        topic=found.topic,
        origin=origin,
        pending=outbox.pending_count(found.name),
        dead_letters=len(outbox.dead_letters(found.name)),
    )


@strawberry.type
class NotifyQuery:
    @strawberry.field(description="Subscribers of changes (admin).")
    def subscribers(self, info: Info[Context, None]) -> list[SubscriberInfo]:
        if not Path(_path(info)).exists() and info.context.identity.can(ADMIN):
            return []  # nobody registered through the API, and the subscribers file is read by the notifier
        outbox = _outbox(info)
        try:
            return [_info(outbox, found, origin) for found, origin, _ in outbox.subscribers()]
        finally:
            outbox.close()


@strawberry.type
class NotifyMutation:
    @strawberry.mutation(
        description="Register (or change) a subscriber of changes (admin): a webhook (`url`, `secret` of 16+ "
        f"characters) or a Kafka topic (`bootstrapServers`, `topic`), for event kinds among {', '.join(KINDS)} "
        f"(default {EVERY!r}, all). It receives what changes from now on."
    )
    async def subscribe(
        self,
        info: Info[Context, None],
        name: str,
        kind: SubscriberKind,
        events: list[str] | None = None,
        url: str | None = None,
        secret: str | None = None,
        bootstrap_servers: str | None = None,
        topic: str | None = None,
        config: JSON | None = None,
    ) -> SubscriberInfo:
        spec = {
            "name": name,
            "kind": kind.value,
            "events": events or [EVERY],
            "url": url,
            "secret": secret,
            "bootstrap_servers": bootstrap_servers,
            "topic": topic,
            "config": json.loads(json.dumps(config or {})),
        }
        found = subscriber({k: v for k, v in spec.items() if v is not None}, "subscribe")
        outbox = _outbox(info)
        # The first registration marks where the change log stands now: what a client does right
        # after this answer is notified, even before the server's notifier first looks.
        thread = info.context.thread
        head = await thread.run(thread.store.change_head)
        try:
            outbox.begin(head)
            outbox.register(found)
            return _info(outbox, found, "api")
        finally:
            outbox.close()

    @strawberry.mutation(description="Forget a subscriber registered through the API (admin); whether it existed.")
    def unsubscribe(self, info: Info[Context, None], name: str) -> bool:
        outbox = _outbox(info)
        try:
            return outbox.unregister(name)
        finally:
            outbox.close()
