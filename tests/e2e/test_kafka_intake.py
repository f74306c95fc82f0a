"""`tagline consume kafka` against a real Kafka broker, fed by the real OpenLineage Kafka transport.

The broker is Kafka 4 in KRaft mode from Maven Central (tests/kafka_broker.py); the producer is
openlineage-python's ``KafkaTransport``, as an Airflow or Python emitter configured with
``transport.type: kafka`` sends; the consumer is the installed ``tagline`` script in a process of
its own, killed with SIGKILL half-way through and started again, then stopped with SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import orjson
import pytest
from confluent_kafka import Producer
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import column_lineage_dataset as cl
from openlineage.client.transport.kafka import KafkaConfig, KafkaTransport

from tagline.graph.model import column_key
from tagline.graph.store import GraphStore
from tests import kafka_broker
from tests.e2e.conftest import TAGLINE

pytestmark = pytest.mark.smoke

EVENTS = 240
NAMESPACE = "hive://warehouse"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kafka_broker.KafkaBroker]:
    yield from kafka_broker.module_broker(tmp_path_factory)


def lineage_event(number: int) -> RunEvent:
    """Job ``load_<n>`` writes ``mart.t<n>.id`` from ``raw.src.id`` (IDENTITY) and ``email_hash``
    from ``raw.src.email`` (a masking TRANSFORMATION)."""
    source = f"raw.src{number % 7}"

    def field(name: str, subtype: str, masking: bool = False) -> cl.InputField:
        transformation = cl.Transformation(type="DIRECT", subtype=subtype, masking=masking)
        return cl.InputField(namespace=NAMESPACE, name=source, field=name, transformations=[transformation])

    lineage = cl.ColumnLineageDatasetFacet(
        fields={
            "id": cl.Fields(inputFields=[field("id", "IDENTITY")]),
            "email_hash": cl.Fields(inputFields=[field("email", "TRANSFORMATION", masking=True)]),
        }
    )
    return RunEvent(
        eventType=RunState.COMPLETE,
        eventTime=f"2026-03-01T00:{number // 60:02d}:{number % 60:02d}Z",
        run=Run(runId=str(uuid4())),
        job=Job(namespace="airflow", name=f"load_{number}"),
        inputs=[InputDataset(namespace=NAMESPACE, name=source)],
        outputs=[OutputDataset(namespace=NAMESPACE, name=f"mart.t{number}", facets={"columnLineage": lineage})],
        producer="https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
    )


def logged_events(store: str) -> int:
    graph = GraphStore(store, follow=False)
    try:
        return len(graph.events())
    finally:
        graph.close()


def query_lines_done(store: str) -> bool:
    """Whether the failing query-log line (the last one sent) is in the dead letter."""
    graph = GraphStore(store, follow=False)
    try:
        return any("q3" in f.failure.location for f in graph.failures())
    finally:
        graph.close()


@pytest.mark.engine
def test_consume_survives_a_kill_without_losing_or_repeating_an_event(
    broker: kafka_broker.KafkaBroker, tmp_path: Path
) -> None:
    store = str(tmp_path / "graph.db")
    topic, querylog_topic = f"openlineage-{uuid4().hex[:8]}", f"querylog-{uuid4().hex[:8]}"
    transport = KafkaTransport(KafkaConfig(config={"bootstrap.servers": broker.bootstrap_servers}, topic=topic))
    client = OpenLineageClient(transport=transport)
    raw = Producer({"bootstrap.servers": broker.bootstrap_servers})
    started = time.monotonic()
    for number in range(EVENTS):
        client.emit(lineage_event(number))
        if number == 10:  # poison in the stream: not JSON, then JSON that is no OpenLineage event
            raw.produce(topic, value=b"{not json")
            raw.produce(topic, value=orjson.dumps({"eventType": "COMPLETE", "hello": "world"}))
            raw.flush()
    lines = [
        {"sql": "INSERT INTO mart.orders SELECT id, amount FROM raw.orders", "job": "orders_load", "query_id": "q1"},
        {"sql": "SELECT amount FROM mart.orders", "user": "alice", "query_id": "q2"},
        {"sql": "INSERT INTO broken SELEC", "job": "bad", "query_id": "q3"},
    ]
    for line in lines:
        raw.produce(querylog_topic, value=orjson.dumps(line))
    raw.flush()
    produced_s = time.monotonic() - started

    log = tmp_path / "consumer.log"
    options = ("--topic", topic, "--querylog-topic", querylog_topic, "--dialect", "hive", "--namespace", NAMESPACE)
    first = kafka_broker.start_consumer(broker, store, log, *options)
    kafka_broker.wait_for(first, log, lambda: logged_events(store) >= EVENTS // 3, "a third of the events logged", 120)
    first.send_signal(signal.SIGKILL)  # mid-stream, no chance to finish the message in hand or commit
    first.wait(timeout=10)
    killed_at = logged_events(store)
    assert killed_at < EVENTS, "the consumer had already finished: nothing was tested mid-stream"

    started = time.monotonic()
    second = kafka_broker.start_consumer(broker, store, log, *options)
    kafka_broker.wait_for(second, log, lambda: logged_events(store) == EVENTS, "every event logged", 120)
    consumed_s = time.monotonic() - started
    kafka_broker.wait_for(second, log, lambda: query_lines_done(store), "the query-log lines applied", 60)
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=30)
    output = log.read_text()
    assert second.returncode == 0, output
    assert "stopped:" in output

    graph = GraphStore(store)
    try:
        events = graph.events()
        assert len(events) == EVENTS
        assert {e.status for e in events} == {"applied"}
        assert [e for e in events if e.times_received != 1] == [], "an event was applied twice"
        counts = graph.counts()
        assert counts["derives"] == 2 * EVENTS + 2  # two columns per event; id and amount from q1
        assert counts["job"] >= EVENTS + 1
        upstream = graph.column_lineage([column_key(NAMESPACE, "mart.t7", "email_hash")])
        _, edges, _ = upstream[column_key(NAMESPACE, "mart.t7", "email_hash")]
        assert [(e.source, e.subtype, e.masking) for e in edges] == [
            (column_key(NAMESPACE, "raw.src0", "email"), "TRANSFORMATION", True)
        ]
        failures = graph.failures()
        reasons = sorted(f.failure.reason.split(":")[0] for f in failures)
        assert len([r for r in reasons if r.startswith("malformed JSON")]) == 1, reasons
        assert len([r for r in reasons if r.startswith("not an OpenLineage event")]) == 1, reasons
        assert any("q3" in f.failure.location for f in failures), [f.failure.location for f in failures]
        assert all(f.failure.source.startswith("kafka ") for f in failures), [f.failure.source for f in failures]
    finally:
        graph.close()
    print(
        f"\nkafka: {EVENTS} events produced in {produced_s:.1f} s; killed after {killed_at} logged; "
        f"the restarted consumer took {consumed_s:.1f} s for the rest"
    )


def test_consume_needs_a_topic(tmp_path: Path) -> None:
    result = subprocess.run(
        [TAGLINE, "consume", "kafka", "--bootstrap-servers", "127.0.0.1:1", "--store", str(tmp_path / "g.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--topic" in result.stderr
