"""Changes pushed to a Kafka topic: a real broker (tests/kafka_broker.py) receives the notices of
the scripted sequence exactly, each keyed by its subject, from the server's idempotent producer;
a webhook subscribed beside it gets the same notices."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from confluent_kafka import Consumer

from tests import kafka_broker
from tests.e2e.conftest import start_server, stop_server
from tests.notify_receiver import Receiver, notify_env, run_script, setup, subscribers_file, webhook

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kafka_broker.KafkaBroker]:
    yield from kafka_broker.module_broker(tmp_path_factory)


class TopicReader:
    """Every message of a topic from its start, read as it comes."""

    def __init__(self, broker: kafka_broker.KafkaBroker, topic: str) -> None:
        self.consumer = Consumer(
            {
                "bootstrap.servers": broker.bootstrap_servers,
                "group.id": f"notify-test-{uuid4().hex[:8]}",
                "auto.offset.reset": "earliest",
                "log_level": 0,
            }
        )
        self.consumer.subscribe([topic])
        self.messages: list[tuple[str, dict[str, Any]]] = []

    def events(self) -> list[dict[str, Any]]:
        while (message := self.consumer.poll(0.2)) is not None:
            if message.error() is None:
                key = (message.key() or b"").decode()
                self.messages.append((key, json.loads(message.value() or b"{}")))
        return [event for _, event in self.messages]

    def close(self) -> None:
        self.consumer.close()


def test_a_kafka_topic_gets_the_scripted_sequence_keyed_by_subject(
    broker: kafka_broker.KafkaBroker, tmp_path: Path
) -> None:
    topic = f"tagline-changes-{uuid4().hex[:8]}"
    receiver = Receiver()
    receiver.start()
    subscribers = [
        {"name": "changes", "kind": "kafka", "bootstrap_servers": broker.bootstrap_servers, "topic": topic},
        webhook(receiver),
    ]
    store = str(tmp_path / "graph.db")
    setup(store)
    server = start_server(store, notify_env(subscribers_file(tmp_path, subscribers)))
    reader = TopicReader(broker, topic)
    try:
        events = run_script(store, tmp_path, reader.events)
        assert [m[0] for m in reader.messages] == [e["subject"] for e in events]
    finally:
        stop_server(server)
        reader.close()
        receiver.stop()
    by_id = {e["id"]: e for e in receiver.received()}
    assert [by_id[e["id"]] for e in events] == events  # the same notices, the same payloads
