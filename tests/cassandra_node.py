"""A real Apache Cassandra (one node) for the tests, started from the same files as `make cassandra`
and `make janusgraph-cql`.

deploy/cassandra/run.sh resolves the pinned Maven artifacts (into ~/.m2, once) and starts
``CassandraDaemon`` on two free ports (CQL clients, gossip) with its data in a temporary folder. The
node is ready when its CQL native port accepts connections; JanusGraph on CQL then creates its
keyspace and tables in it (tests/janusgraph_server.py, ``storage="cql"``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.engines import EngineProcess, java_and_maven, spawn
from tests.ports import free_port

RUN_SH = Path(__file__).resolve().parents[1] / "deploy" / "cassandra" / "run.sh"
REQUIRE_ENV = "TAGLINE_REQUIRE_CASSANDRA"
MISSING = f"Cassandra tests need Java >= 17 and Maven: install them, or set {REQUIRE_ENV}=1 to make this a failure"
# The first start on a fresh machine resolves ~100 artifacts from Maven Central; a start after
# that takes 15-30 s.
START_TIMEOUT_S = float(os.environ.get("TAGLINE_CASSANDRA_START_TIMEOUT", "600"))


def available() -> bool:
    return java_and_maven()


@dataclass
class CassandraNode(EngineProcess):
    port: int
    data: Path
    log: Path
    process: subprocess.Popen[bytes]

    STOP_TIMEOUT_S = 60.0  # Cassandra drains and flushes on SIGTERM


def answers(port: int) -> bool:
    """Whether the CQL native port accepts connections (nothing is sent on it)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def start(data: Path) -> CassandraNode:
    """Start a node on free ports with its data under ``data``; return once its CQL port answers."""
    data.mkdir(parents=True, exist_ok=True)
    port, storage_port = free_port(), free_port()
    log = data / "cassandra.log"
    env = {
        **os.environ,
        "CASSANDRA_DATA": str(data),
        "CASSANDRA_PORT": str(port),
        "CASSANDRA_STORAGE_PORT": str(storage_port),
        "CASSANDRA_HEAP": os.environ.get("CASSANDRA_HEAP", "1g"),
    }
    process = spawn([str(RUN_SH)], log, env)
    node = CassandraNode(port=port, data=data, log=log, process=process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Cassandra exited with {process.returncode}:\n{node.log_tail()}")
        if answers(port):
            return node
        time.sleep(0.5)
    node.stop()
    raise RuntimeError(f"Cassandra did not answer within {START_TIMEOUT_S:.0f} s:\n{node.log_tail()}")
