"""A real PySpark session with the real OpenLineage Spark listener, for the end-to-end tests.

pyspark comes from PyPI (the ``emitters`` extra that ``make test`` installs) and starts its own
JVM; the listener jar (and kafka-clients for its Kafka transport) are the ones pinned in
deploy/spark/pom.xml, resolved by deploy/spark/jars.sh into ~/.m2. The session is configured
exactly as the README tells a team to configure theirs: ``spark.extraListeners`` plus the
``spark.openlineage.*`` settings of a transport (HTTP to a running Tagline, or Kafka).
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from tests.engines import java_and_maven

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

JARS_SH = Path(__file__).resolve().parents[1] / "deploy" / "spark" / "jars.sh"
REQUIRE_ENV = "TAGLINE_REQUIRE_SPARK"
MISSING = (
    "Spark tests need Java >= 17, Maven and pyspark (`pip install -e '.[emitters]'`, which `make test` does): "
    f"install them, or set {REQUIRE_ENV}=1 to make this a failure"
)


def available() -> bool:
    return java_and_maven() and importlib.util.find_spec("pyspark") is not None


def listener_jars() -> str:
    """The listener's jars, comma-separated for ``spark.jars`` (resolved from Maven Central on first use)."""
    result = subprocess.run([str(JARS_SH)], capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"could not resolve the OpenLineage Spark listener:\n{result.stderr}")
    return result.stdout.strip()


def http_transport(tagline_url: str) -> dict[str, str]:
    """The listener posting each event to Tagline's ``POST /api/v1/lineage``."""
    return {
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": tagline_url,
        "spark.openlineage.transport.endpoint": "/api/v1/lineage",
    }


def kafka_transport(bootstrap_servers: str, topic: str) -> dict[str, str]:
    """The listener writing each event to a Kafka topic (the serializers have no default there)."""
    serializer = "org.apache.kafka.common.serialization.StringSerializer"
    return {
        "spark.openlineage.transport.type": "kafka",
        "spark.openlineage.transport.topicName": topic,
        "spark.openlineage.transport.properties.bootstrap.servers": bootstrap_servers,
        "spark.openlineage.transport.properties.key.serializer": serializer,
        "spark.openlineage.transport.properties.value.serializer": serializer,
    }


def lineage_session(app_name: str, namespace: str, warehouse: Path, transport: dict[str, str]) -> SparkSession:
    """A local Spark session whose every query's lineage the listener sends through ``transport``."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.Builder()
        .master("local[1]")
        .appName(app_name)
        .config("spark.jars", listener_jars())
        .config("spark.extraListeners", "io.openlineage.spark.agent.OpenLineageSparkListener")
        .config("spark.openlineage.namespace", namespace)
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.driver.memory", "768m")
    )
    for name, value in transport.items():
        builder = builder.config(name, value)
    return builder.getOrCreate()
