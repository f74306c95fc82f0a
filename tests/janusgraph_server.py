"""A real JanusGraph Server for the tests, started from the same files as `make janusgraph` (and,
on Cassandra, `make janusgraph-cql`).

deploy/janusgraph/run.sh resolves the pinned Maven artifacts (into ~/.m2, once), starts the server
on a free port with its data in a temporary folder, and applies schema.groovy as it starts. The
graph is in BerkeleyJE there, or, with ``cql_port``, in the Cassandra node answering on that port
(tests/cassandra_node.py; keyspace ``tagline``). The server is ready when the traversal source `g`
answers, which happens only after the schema script has finished and bound it.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.traversal import P
from janusgraph_python.driver.serializer import JanusGraphBinarySerializersV1

from tagline.graph import schema
from tagline.graph.retry import retry_on_lock_conflict
from tests.engines import EngineProcess, java_and_maven, spawn
from tests.ports import free_port

RUN_SH = Path(__file__).resolve().parents[1] / "deploy" / "janusgraph" / "run.sh"
REQUIRE_ENV = "TAGLINE_REQUIRE_JANUSGRAPH"
FORCE_INDEX_ENV = "TAGLINE_JANUSGRAPH_FORCE_INDEX"
MISSING = f"JanusGraph tests need Java >= 17 and Maven: install them, or set {REQUIRE_ENV}=1 to make this a failure"
# The first start on a fresh machine resolves ~130 artifacts from Maven Central.
START_TIMEOUT_S = float(os.environ.get("TAGLINE_JANUSGRAPH_START_TIMEOUT", "900"))


def available() -> bool:
    return java_and_maven()


@dataclass
class JanusGraphServer(EngineProcess):
    url: str
    port: int
    data: Path
    log: Path
    process: subprocess.Popen[bytes]
    cql_port: int | None = None

    def restart(self) -> None:
        """Start the server again on the same port and data (after :meth:`stop`)."""
        self.process = _spawn(self.data, self.port, self.log, self.cql_port)
        _wait_ready(self)


def _spawn(data: Path, port: int, log: Path, cql_port: int | None) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JANUSGRAPH_DATA": str(data),
        "JANUSGRAPH_PORT": str(port),
        "JANUSGRAPH_FORCE_INDEX": "false" if os.environ.get(FORCE_INDEX_ENV, "1") == "0" else "true",
        "JANUSGRAPH_HEAP": os.environ.get("JANUSGRAPH_HEAP", "1g"),
        "JANUSGRAPH_STORAGE": "berkeleyje" if cql_port is None else "cql",
    }
    if cql_port is not None:
        env["JANUSGRAPH_CQL_PORT"] = str(cql_port)
    return spawn([str(RUN_SH)], log, env)


def answers(url: str) -> bool:
    """Whether the server runs and its traversal source `g` (bound by schema.groovy) answers."""
    try:
        remote = DriverRemoteConnection(url, "g", message_serializer=JanusGraphBinarySerializersV1())
    except Exception:  # connection refused and the like: not up yet
        return False
    try:
        return traversal().with_remote(remote).inject(1).next() == 1
    except Exception:
        return False
    finally:
        remote.close()


def _wait_ready(server: JanusGraphServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"JanusGraph Server exited with {server.process.returncode}:\n{server.log_tail()}")
        if answers(server.url):
            return
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"JanusGraph Server did not answer within {START_TIMEOUT_S:.0f} s:\n{server.log_tail()}")


def start(data: Path, cql_port: int | None = None) -> JanusGraphServer:
    """Start a server on a free port with its graph under ``data`` (BerkeleyJE), or in the Cassandra
    node answering on ``cql_port`` (its Lucene index still under ``data``); return once it answers."""
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = data / "server.log"
    server = JanusGraphServer(
        url=f"ws://127.0.0.1:{port}/gremlin",
        port=port,
        data=data,
        log=log,
        process=_spawn(data, port, log, cql_port),
        cql_port=cql_port,
    )
    _wait_ready(server)
    return server


def clear(url: str) -> None:
    """Drop every vertex (and so every edge): each test starts on an empty graph. Found through
    the indexed copy of their labels, as a scan is refused (query.force-index)."""
    labels = [*schema.VERTEX_LABELS, schema.RUN, "failure", "event", "audit", "change", "meta"]
    remote = DriverRemoteConnection(url, "g", message_serializer=JanusGraphBinarySerializersV1())
    g = traversal().with_remote(remote)
    try:
        # A session the last test's processes left is rolled back by the server a moment after
        # they went away; until then its locks may hold up the drop.
        retry_on_lock_conflict(lambda: g.V().has(schema.VERTEX_LABEL_COPY, P.within(labels)).drop().iterate())
    finally:
        remote.close()
