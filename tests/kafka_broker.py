"""A real Kafka broker (one KRaft node) for the tests, started from the same files a developer uses.

deploy/kafka/run.sh resolves the pinned Maven artifacts (into ~/.m2, once), formats the storage in
a temporary folder and starts ``kafka.Kafka`` on two free ports (clients, controller). The broker
is ready when an admin client gets its metadata.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from tests.e2e.conftest import TAGLINE
from tests.engines import EngineProcess, java_and_maven, need, spawn
from tests.ports import free_port

RUN_SH = Path(__file__).resolve().parents[1] / "deploy" / "kafka" / "run.sh"
REQUIRE_ENV = "TAGLINE_REQUIRE_KAFKA"
MISSING = f"Kafka tests need Java >= 17 and Maven: install them, or set {REQUIRE_ENV}=1 to make this a failure"
# The first start on a fresh machine resolves ~45 artifacts from Maven Central.
START_TIMEOUT_S = float(os.environ.get("TAGLINE_KAFKA_START_TIMEOUT", "600"))


@dataclass
class KafkaBroker(EngineProcess):
    bootstrap_servers: str
    data: Path
    log: Path
    process: subprocess.Popen[bytes]


def answers(bootstrap_servers: str) -> bool:
    """Whether the broker is up and serves metadata."""
    try:
        # log_level 0: the refused connections while the broker starts are expected, not news.
        metadata = AdminClient({"bootstrap.servers": bootstrap_servers, "log_level": 0}).list_topics(timeout=2)
    except Exception:  # not up yet
        return False
    return bool(metadata.brokers)


def start(data: Path) -> KafkaBroker:
    """Start a broker on free ports with its data under ``data``; return once it answers."""
    data.mkdir(parents=True, exist_ok=True)
    port, controller_port = free_port(), free_port()
    log = data / "broker.log"
    env = {
        **os.environ,
        "KAFKA_DATA": str(data),
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(controller_port),
        "KAFKA_HEAP": os.environ.get("KAFKA_HEAP", "512m"),
    }
    process = spawn([str(RUN_SH)], log, env)
    broker = KafkaBroker(bootstrap_servers=f"127.0.0.1:{port}", data=data, log=log, process=process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Kafka exited with {process.returncode}:\n{broker.log_tail()}")
        if answers(broker.bootstrap_servers):
            return broker
        time.sleep(0.5)
    broker.stop()
    raise RuntimeError(f"Kafka did not answer within {START_TIMEOUT_S:.0f} s:\n{broker.log_tail()}")


def module_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """A broker for one test module (its fixture yields from this); skipped without Java 17 and
    Maven, unless TAGLINE_REQUIRE_KAFKA=1 makes that a failure."""
    need(java_and_maven(), REQUIRE_ENV, MISSING)
    running = start(tmp_path_factory.mktemp("kafka"))
    yield running
    running.stop()


def start_consumer(broker: KafkaBroker, store: str, log: Path, *options: str) -> subprocess.Popen[str]:
    """The installed `tagline consume kafka` with ``options`` (topics...), its output appended to
    ``log``: a pipe nobody reads would fill and stall it."""
    with log.open("a") as out:
        return subprocess.Popen(
            [
                TAGLINE, "consume", "kafka", "--bootstrap-servers", broker.bootstrap_servers,
                "--group", "tagline-test", "--store", store, "--create", *options,
                # A killed consumer's partitions pass to the next one when its session times out:
                # the broker's least (6 s), not the client's default 45 s.
                "--consumer-config", "session.timeout.ms=6000", "--consumer-config", "heartbeat.interval.ms=1000",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip


def wait_for(
    consumer: subprocess.Popen[str], log: Path, condition: Callable[[], bool], what: str, timeout_s: float
) -> None:
    """Wait until ``condition()`` holds; fail with the consumer's output if it exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if consumer.poll() is not None:
            raise AssertionError(f"the consumer exited with {consumer.returncode} before {what}:\n{log.read_text()}")
        if condition():
            return
        time.sleep(0.2)
    consumer.kill()
    raise AssertionError(f"not {what} within {timeout_s} s; the consumer said:\n{log.read_text()}")
