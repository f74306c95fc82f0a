"""The Spark listener's Kafka transport into `tagline consume kafka`: the README's settings, for real.

A PySpark session whose listener writes to a topic of a real Kafka broker (as a team without an
HTTP path from its cluster to Tagline would configure it), a CTAS that hashes a column, and the
installed consumer applying what arrives.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tagline.graph.model import column_key
from tagline.graph.store import GraphStore
from tests import kafka_broker, spark_session
from tests.engines import need

pytestmark = [pytest.mark.engine, pytest.mark.smoke]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[kafka_broker.KafkaBroker]:
    yield from kafka_broker.module_broker(tmp_path_factory)


def masked_upstream(store: str, target: str) -> list[tuple[str, str, bool]]:
    graph = GraphStore(store, follow=False)
    try:
        found = graph.column_lineage([target])
    finally:
        graph.close()
    return [(e.source, e.subtype, e.masking) for e in found[target][1]] if target in found else []


def test_spark_events_through_kafka_are_applied(broker: kafka_broker.KafkaBroker, tmp_path: Path) -> None:
    need(spark_session.available(), spark_session.REQUIRE_ENV, spark_session.MISSING)
    warehouse, raw = tmp_path / "warehouse", str(tmp_path / "raw" / "customers")
    transport = spark_session.kafka_transport(broker.bootstrap_servers, "openlineage.spark")
    spark = spark_session.lineage_session("tagline_spark_kafka", "spark_kafka", warehouse, transport)
    try:
        spark.createDataFrame([(1, "ann@example.com")], ["id", "email"]).write.parquet(raw)
        spark.sql(f"CREATE TABLE emails USING parquet AS SELECT id, md5(email) AS email_hash FROM parquet.`{raw}`")
    finally:
        spark.stop()

    store, log = str(tmp_path / "graph.db"), tmp_path / "consumer.log"
    consumer = kafka_broker.start_consumer(broker, store, log, "--topic", "openlineage.spark")
    target = column_key(f"file:{warehouse}", "default.emails", "email_hash")
    kafka_broker.wait_for(consumer, log, lambda: bool(masked_upstream(store, target)), "the CTAS applied", 120)
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(timeout=30) == 0, log.read_text()
    # Told by the CTAS and by its inner insert (which names the table by its path alone): one
    # masking edge from the raw column per action, both on the one table.
    assert set(masked_upstream(store, target)) == {(column_key("file", raw, "email"), "TRANSFORMATION", True)}
