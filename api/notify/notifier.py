"""The notifier's two steps, run one after the other by `tagline serve` (in the background) or
`tagline notify run`:

- :meth:`Notifier.derive` reads the change log from where it left off, turns each transaction
  into notices by the rules of ``governance/notifications.py`` (and the violations by the
  governance answer), and appends them to the outbox with the new position, in one transaction.
  What the log held when notifications began (:meth:`Notifier.begin`) is read too, but only to
  learn the state, silently: subscribers hear of changes from then on.
- :meth:`Notifier.deliver` copies new notices into each subscriber's queue and sends what is due,
  oldest first per subject; a failed try waits ``backoff * 2^(tries-1)`` (at most
  ``backoff_max``), and after ``max_attempts`` tries the notice goes to the dead letter.

Only one notifier works on an outbox at a time (a lock on a file beside it): several server
processes, or a server and `tagline notify run`, would otherwise send the same notice each.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from tagline.api.notify.envelope import body, source_of
from tagline.api.notify.outbox import Delivery, Outbox, state_path
from tagline.api.notify.subscribers import Subscriber, from_file
from tagline.api.notify.transports import Transport, transport
from tagline.api.settings import Settings
from tagline.governance.notifications import NoticeRules
from tagline.governance.policy import Policy
from tagline.governance.service import Governance
from tagline.graph.store import GraphStore

log = logging.getLogger("tagline.notify")
# Notices sent to one subscriber in one round.
BATCH = 200


@dataclass(frozen=True)
class Backoff:
    first_s: float
    max_s: float
    max_attempts: int

    def retry_at(self, attempts: int, now: float) -> float | None:
        """When to try again after ``attempts`` failed tries; None: give up (dead letter)."""
        if attempts >= self.max_attempts:
            return None
        return now + min(self.first_s * 2 ** (attempts - 1), self.max_s)

    @classmethod
    def of(cls, settings: Settings) -> Backoff:
        return cls(settings.notify_backoff_seconds, settings.notify_backoff_max_seconds, settings.notify_max_attempts)


def enabled(settings: Settings) -> bool:
    """Whether there is anything to notify: a subscribers file, or an outbox made by a registration."""
    if settings.notify_subscribers:
        return True
    try:
        return Path(state_path(settings.store, settings.notify_state)).exists()
    except LookupError:
        return False


class Notifier:
    def __init__(self, settings: Settings, policy: Policy) -> None:
        self.settings = settings
        self.policy = policy
        self.backoff = Backoff.of(settings)
        path = state_path(settings.store, settings.notify_state)
        self.outbox = Outbox(path)
        self._lock = os.open(path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        self._transports: dict[str, tuple[Subscriber, Transport]] = {}
        self.source = ""
        self.load_file()

    def load_file(self) -> None:
        if self.settings.notify_subscribers:
            self.outbox.sync_file(from_file(self.settings.notify_subscribers))

    def claim(self) -> bool:
        """Whether this process is (now) the one notifier of the outbox."""
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def close(self) -> None:
        for _, sender in self._transports.values():
            sender.close()
        self.outbox.close()
        os.close(self._lock)  # releases the lock

    # ---- derivation (with the store) --------------------------------------------------------------
    def begin(self, store: GraphStore) -> None:
        """On a first start, mark where the change log stands (cheap): what lies before is the past,
        learnt by :meth:`derive` without notices, and every change after it is notified."""
        if self.outbox.past() is None:
            self.outbox.begin(store.change_head())

    def derive(self, store: GraphStore) -> int:
        """Derive the notices of what the change log holds beyond the outbox's position; how many."""
        self.source = source_of(store.changelog.store_id)
        self.begin(store)
        past = self.outbox.past()
        assert past is not None
        position = self.outbox.position()
        derived = 0
        while True:
            feed = store.change_feed(position, past)
            if not feed.transactions and position is not None:
                if feed.position != position:  # a Gremlin Server's window moved on
                    with self.outbox.transaction():
                        self.outbox.append([], feed.position)
                return derived
            silent = store.change_not_after(feed.position, past)
            store.sync()  # the index has applied at least what was read: violations see it all
            with self.outbox.transaction():
                rules = NoticeRules(self.outbox)
                notices = [n for changes in feed.transactions for n in rules.transaction(changes)]
                if not feed.more or feed.position == past:  # the end of the log, or of the past
                    notices += rules.violations(Governance(store, self.policy).violations())
                self.outbox.append([] if silent else notices, feed.position)
            derived += 0 if silent else len(notices)
            position = feed.position
            if not feed.more:
                return derived

    # ---- deliveries (no store) ---------------------------------------------------------------------
    def _sender(self, subscriber: Subscriber) -> Transport:
        known = self._transports.get(subscriber.name)
        if known is not None and known[0] == subscriber:
            return known[1]
        if known is not None:
            known[1].close()
        sender = transport(subscriber, self.settings.notify_timeout_seconds)
        self._transports[subscriber.name] = (subscriber, sender)
        return sender

    def deliver(self) -> int:
        """One round: every subscriber's due notices, sent; how many arrived."""
        self.outbox.enqueue()
        arrived = 0
        for subscriber, _, _ in self.outbox.subscribers():
            due = self.outbox.due(subscriber.name, time.time(), BATCH)
            if due:
                arrived += self.send(subscriber, due)
        return arrived

    def send(self, subscriber: Subscriber, due: list[Delivery]) -> int:
        results = self._sender(subscriber).send([(d.notice, body(d.notice, self.source)) for d in due])
        self.outbox.delivered(subscriber.name, [seq for seq, error in results.items() if error is None])
        now = time.time()
        for delivery in due:
            error = results.get(delivery.notice.seq)
            if error is not None:
                retry_at = self.backoff.retry_at(delivery.attempts + 1, now)
                self.outbox.failed(subscriber.name, delivery, error, retry_at)
                log.warning(
                    "notice %s to %s failed (try %s): %s%s",
                    delivery.notice.seq,
                    subscriber.name,
                    delivery.attempts + 1,
                    error,
                    "; moved to the dead letter" if retry_at is None else "",
                )
        return sum(1 for error in results.values() if error is None)
