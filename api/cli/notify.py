"""`tagline notify ...`: the notifier on its own (`run`), a sample to a subscriber (`test`), the
subscribers (`list`), and the dead letter (`deadletter`, `replay`)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tagline.api.cli.common import StoreOption, console, fail, open_store, store_location
from tagline.api.notify.envelope import body, source_of
from tagline.api.notify.outbox import Outbox, Stored, state_path
from tagline.api.notify.runner import run_until
from tagline.api.notify.subscribers import from_file
from tagline.api.notify.transports import transport
from tagline.api.settings import Settings
from tagline.errors import NotFound, TaglineError

app = typer.Typer(help="Push changes out to subscribers (webhooks, Kafka).", no_args_is_help=True)
SubscriberArg = Annotated[str, typer.Argument(help="The subscriber's name.")]


def _settings(store: str | None) -> Settings:
    return Settings(store=store_location(store)) if store else Settings()


def _outbox(settings: Settings) -> Outbox:
    """The outbox, with the subscribers file's entries; made if need be only when there is a file
    (a store nobody subscribed to gets no outbox from a look at it)."""
    path = state_path(settings.store, settings.notify_state)
    if not settings.notify_subscribers and not Path(path).exists():
        raise NotFound(f"nobody subscribes to changes of {settings.store}: see `tagline notify --help`")
    outbox = Outbox(path)
    if settings.notify_subscribers:
        outbox.sync_file(from_file(settings.notify_subscribers))
    return outbox


@app.command()
def run(store: StoreOption = None) -> None:
    """Derive notices from the change log and deliver them, until SIGTERM or SIGINT (what `tagline
    serve` does in the background)."""
    settings = _settings(store)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    graph = open_store(settings.store)
    console.print(f"notifying from {settings.store}", highlight=False)
    try:
        run_until(settings, graph, stop.is_set)
    except TaglineError as exc:
        raise fail(str(exc)) from exc
    finally:
        graph.close()


@app.command()
def test(subscriber: SubscriberArg, store: StoreOption = None) -> None:
    """Send one sample notice (`tagline.test`) to a subscriber, now, and say whether it arrived."""
    settings = _settings(store)
    try:
        outbox = _outbox(settings)
        found = outbox.find(subscriber)
    except TaglineError as exc:
        raise fail(str(exc)) from exc
    outbox.close()
    sample = Stored(0, "test", "tagline/test", "1970-01-01T00:00:00Z", {"message": "a sample notice from Tagline"})
    sender = transport(found, settings.notify_timeout_seconds)
    try:
        error = sender.send([(sample, body(sample, source_of("test")))]).get(0)
    finally:
        sender.close()
    if error is not None:
        raise fail(f"the sample did not reach {subscriber}: {error}")
    console.print(f"the sample reached {escape(subscriber)}")


@app.command("list")
def list_subscribers(store: StoreOption = None) -> None:
    """The subscribers, with what waits for each and what is in its dead letter."""
    settings = _settings(store)
    try:
        outbox = _outbox(settings)
    except TaglineError as exc:
        raise fail(str(exc)) from exc
    table = Table("name", "kind", "events", "to", "origin", "pending", "dead letters")
    for found, origin, _ in outbox.subscribers():
        table.add_row(
            escape(found.name),
            found.kind,
            ", ".join(found.events),
            escape(found.url or f"{found.bootstrap_servers} {found.topic}"),
            origin,
            str(outbox.pending_count(found.name)),
            str(len(outbox.dead_letters(found.name))),
        )
    outbox.close()
    console.print(table)


@app.command()
def deadletter(
    subscriber: Annotated[str | None, typer.Argument(help="Only this subscriber's.")] = None, store: StoreOption = None
) -> None:
    """Notices that failed every try, with the last error."""
    settings = _settings(store)
    try:
        outbox = _outbox(settings)
    except TaglineError as exc:
        raise fail(str(exc)) from exc
    table = Table("subscriber", "notice", "kind", "subject", "tries", "last error")
    for letter in outbox.dead_letters(subscriber):
        notice = letter.notice
        table.add_row(
            escape(letter.subscriber),
            str(notice.seq),
            notice.kind,
            escape(notice.subject),
            str(letter.attempts),
            escape(letter.error),
        )
    outbox.close()
    console.print(table)


@app.command()
def replay(
    subscriber: SubscriberArg,
    notice: Annotated[list[int] | None, typer.Option(help="Only this notice (by number); repeatable.")] = None,
    store: StoreOption = None,
) -> None:
    """Put a subscriber's dead letters back in its queue: the notifier sends them at its next round,
    before the later notices of their subjects."""
    settings = _settings(store)
    try:
        outbox = _outbox(settings)
    except TaglineError as exc:
        raise fail(str(exc)) from exc
    try:
        outbox.find(subscriber)
        count = outbox.replay(subscriber, notice or None)
    except TaglineError as exc:
        raise fail(str(exc)) from exc
    finally:
        outbox.close()
    console.print(f"{count} notice(s) of {escape(subscriber)} queued again")
