"""Kafka intake: OpenLineage events and query-log lines read from topics, applied as HTTP applies them.

The OpenLineage Kafka transport (openlineage-python's ``KafkaTransport``, the Spark listener's
``kafka`` transport) writes one event per message, its JSON as the value. Each event goes through
:func:`~tagline.api.services.lineage_events.accept_event`, the path of ``POST /api/v1/lineage``:
logged, then applied. Query-log lines (the JSON of one line of the README's query-log format per
message) from another topic go through the query-log service's mapping and write.

Delivery is at least once, and applying is made once: the consumer commits a message's offset
only after the message is durably in the store (the event in the event log and applied, or the
message in the dead letter), one message at a time. A consumer that is stopped hard between the
two is handed the same message again after a restart; an event whose content the log already
holds as applied (or failed) is then passed over, not applied and counted a second time. A message
that cannot be read (not UTF-8, not JSON, not an OpenLineage event, too wide) goes to the dead
letter with where it came from, and the consumer goes on. If the store cannot be reached the
consumer stops without committing, so the message is read again when it is started again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from confluent_kafka import Consumer, KafkaError, KafkaException, Message

from tagline.api.services import domain_metrics
from tagline.api.services.ingestion import IngestReport, write_batch
from tagline.api.services.kafka_lag import ConsumerLag
from tagline.api.services.lineage_events import (
    KIND,
    accept_event,
    apply_logged,
    canonical_json,
    event_width,
    json_reason,
    latest_event_time,
    spec_reason,
)
from tagline.graph.model import Failure, LineageBatch
from tagline.graph.records import RECEIVED
from tagline.graph.store import GraphStore
from tagline.ingest.openlineage_events import EventError, parse_event
from tagline.ingest.querylog import QueryLogOptions, query_batch, read_jsonl

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How long one poll waits for a message: also how soon a stop request is noticed."""


@dataclass(frozen=True)
class KafkaIntakeOptions:
    """Where to read from, as whom, and how to read query-log lines that leave things unsaid."""

    bootstrap_servers: str
    topic: str | None = None
    querylog_topic: str | None = None
    group: str = "tagline"
    max_event_columns: int = 100_000
    event_time_skew_seconds: float = 86_400.0
    querylog: QueryLogOptions = field(default_factory=QueryLogOptions)
    consumer_config: dict[str, str] = field(default_factory=dict)
    """More librdkafka settings (security.protocol, sasl.*...), applied over Tagline's own."""

    def topics(self) -> list[str]:
        return [t for t in (self.topic, self.querylog_topic) if t]

    def librdkafka_config(self) -> dict[str, Any]:
        return {
            "bootstrap.servers": self.bootstrap_servers,
            "group.id": self.group,
            # Offsets are committed by hand, after the store has the message; a new group starts
            # at the oldest message, so events sent before the first start are not skipped.
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            **self.consumer_config,
        }


@dataclass
class IntakeCounts:
    """What a consumer has done since it started."""

    events: int = 0
    redelivered: int = 0
    queries: int = 0
    dead_letter: int = 0

    def summary(self) -> str:
        return (
            f"{self.events} events applied, {self.queries} queries, {self.dead_letter} to the dead letter, "
            f"{self.redelivered} redelivered messages passed over"
        )


def _where(message: Message) -> str:
    return f"kafka {message.topic()} partition {message.partition()} offset {message.offset()}"


class KafkaIntake:
    """One consumer in a group: reads, applies, commits, until asked to stop."""

    def __init__(self, store: GraphStore, options: KafkaIntakeOptions) -> None:
        if not options.topics():
            raise ValueError("no topic to read: give the OpenLineage topic, the query-log topic, or both")
        self.store = store
        self.options = options
        self.counts = IntakeCounts()

    def run(self, stopping: Callable[[], bool], on_message: Callable[[IntakeCounts], None] = lambda c: None) -> None:
        """Consume until ``stopping()`` is true; leave the group cleanly on the way out."""
        consumer = Consumer(self.options.librdkafka_config())
        lag = ConsumerLag()
        try:
            consumer.subscribe(self.options.topics())
            while not stopping():
                message = consumer.poll(POLL_SECONDS)
                if message is None:
                    lag.idle(consumer)
                    continue
                error = message.error()
                if error is not None:
                    if error.fatal():
                        raise KafkaException(error)
                    if error.code() != KafkaError._PARTITION_EOF:
                        log.warning("kafka: %s", error.str())
                    continue
                self.handle(message)
                consumer.commit(message=message, asynchronous=False)
                lag.handled(consumer, message)
                on_message(self.counts)
        finally:
            consumer.close()

    def handle(self, message: Message) -> None:
        """Put one message durably into the store: its lineage, or its failure in the dead letter."""
        if message.topic() == self.options.topic:
            self._event(message)
        else:
            self._query(message)

    def _event(self, message: Message) -> None:
        value = message.value() or b""
        try:
            text = value.decode("utf-8")
            raw = orjson.loads(text)
            event = parse_event(raw, latest_event_time(self.options.event_time_skew_seconds))
        except UnicodeDecodeError as exc:
            self._poison(message, f"not UTF-8: {exc}", value.decode("utf-8", errors="replace"))
            return
        except json.JSONDecodeError as exc:
            self._poison(message, json_reason(exc), text)
            return
        except EventError as exc:
            self._poison(message, spec_reason(exc), text)
            return
        width = event_width(event)
        if width > self.options.max_event_columns:
            reason = f"the event would write {width:,} datasets, columns and column-lineage edges, over the limit of {self.options.max_event_columns:,}"
            self._poison(message, reason, text)
            return
        payload = canonical_json(raw)
        known = self.store.logged_event(KIND, payload)
        if known is not None and known.status != RECEIVED:
            self.counts.redelivered += 1
            return
        source, where = f"kafka {message.topic()}", _where(message)
        if known is not None:  # logged, then the consumer was stopped before applying it
            accepted = apply_logged(self.store, known, payload, event, source, where)
        else:
            accepted = accept_event(self.store, raw, event, source, where)
        if accepted.failure is not None:
            self.counts.dead_letter += 1
        else:
            self.counts.events += 1

    def _poison(self, message: Message, reason: str, payload: str, kind: str = KIND) -> None:
        log.warning("%s: %s", _where(message), reason)
        failure = Failure(source=f"kafka {message.topic()}", location=_where(message), reason=reason, payload=payload)
        self.store.write(LineageBatch(failures=[failure]), kind=kind)
        domain_metrics.EVENTS_DEAD_LETTERED.inc()
        self.counts.dead_letter += 1

    def _query(self, message: Message) -> None:
        text = (message.value() or b"").decode("utf-8", errors="replace")
        query = next(read_jsonl([text]), None)
        if query is None:
            self._poison(message, "an empty message: a query-log line was expected", text, kind="querylog")
            return
        batch = query_batch(query, self.options.querylog, _where(message))
        report = IngestReport()
        write_batch(self.store, batch, "sql" if query.entry is not None else "querylog", report)
        self.counts.queries += 1
        self.counts.dead_letter += len(report.failures)
