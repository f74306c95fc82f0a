"""A real Kafka broker (one KRaft node) for the tests, started from the same files a developer uses.

deploy/kafka/run.sh resolves the pinned Maven artifacts (into ~/.m2, once), formats the storage in
a temporary folder and starts ``kafka.Kafka`` on two free ports (clients, controller). The broker
is ready when an admin client gets its metadata.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import AdminClient

from tests.janusgraph_server import java_major
from tests.ports import free_port

RUN_SH = Path(__file__).resolve().parents[1] / "deploy" / "kafka" / "run.sh"
REQUIRE_ENV = "TAGLINE_REQUIRE_KAFKA"
MISSING = f"Kafka tests need Java >= 17 and Maven: install them, or set {REQUIRE_ENV}=1 to make this a failure"
# The first start on a fresh machine resolves ~45 artifacts from Maven Central.
START_TIMEOUT_S = float(os.environ.get("TAGLINE_KAFKA_START_TIMEOUT", "600"))


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def available() -> bool:
    major = java_major()
    return major is not None and major >= 17 and shutil.which("mvn") is not None


@dataclass
class KafkaBroker:
    bootstrap_servers: str
    data: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def answers(bootstrap_servers: str) -> bool:
    """Whether the broker is up and serves metadata."""
    try:
        metadata = AdminClient({"bootstrap.servers": bootstrap_servers}).list_topics(timeout=2)
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
    with log.open("ab") as out:
        process = subprocess.Popen([str(RUN_SH)], stdout=out, stderr=subprocess.STDOUT, env=env)
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
