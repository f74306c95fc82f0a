"""Writers killed with SIGKILL in the middle of their writes leave JanusGraph ready for the next.

A write to a Gremlin Server is one request without a session (graph/sessionless.py), so a client
that dies mid-write leaves no transaction open on the server: `tagline serve` killed mid-burst five
times running against the same JanusGraph starts again every time and takes writes at once, and
every event it acknowledged (201) is in the store; a `tagline ingest sql` killed mid-ingest is
followed by another that runs to the end.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.traversal import P
from janusgraph_python.driver.serializer import JanusGraphBinarySerializersV1

from tagline.graph import schema
from tests import janusgraph_server
from tests.e2e.conftest import TAGLINE, start_server_process

pytestmark = pytest.mark.engine

ROUNDS = 5
POSTERS = 3
FIELDS = 12
# Only a hang fails the test: how long the writes take on a busy machine is not its business.
HANG_S = 300
ENGINES = ["janusgraph_url", "janusgraph_cql_url"]


def event(name: str) -> dict[str, object]:
    """An event whose job and output are its own, with column lineage enough to take a while."""
    fields = {
        f"f{n}": {"inputFields": [{"namespace": "hive://wh", "name": "shop.src", "field": f"f{n}"}]}
        for n in range(FIELDS)
    }
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-03-01T00:00:00Z",
        "producer": "https://example.com/emitter",
        "run": {"runId": "0190f3a2-0000-7000-8000-" + f"{abs(hash(name)) % 10**12:012d}"},
        "job": {"namespace": "spark", "name": name},
        "inputs": [{"namespace": "hive://wh", "name": "shop.src"}],
        "outputs": [
            {"namespace": "hive://wh", "name": f"lake.{name}", "facets": {"columnLineage": {"fields": fields}}}
        ],
    }


def stored_keys(url: str, prefix: str) -> set[str]:
    """The keys of the dataset vertices under ``prefix``, read from JanusGraph itself."""
    remote = DriverRemoteConnection(url, "g", message_serializer=JanusGraphBinarySerializersV1())
    try:
        g = traversal().with_remote(remote)
        keys = g.V().has(schema.VERTEX_LABEL_COPY, P.within([schema.DATASET])).values(schema.KEY).to_list()
    finally:
        remote.close()
    return {str(k) for k in keys if str(k).startswith(prefix)}


class Burst:
    """Threads posting distinct events to a server until it goes away; what it acknowledged."""

    def __init__(self, url: str, round_no: int) -> None:
        self.url = url
        self.acknowledged: list[str] = []
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._post, args=(round_no, poster), daemon=True) for poster in range(POSTERS)
        ]
        for thread in self.threads:
            thread.start()

    def _post(self, round_no: int, poster: int) -> None:
        for n in range(10_000):
            name = f"r{round_no}_p{poster}_e{n}"
            try:
                status = httpx.post(f"{self.url}/api/v1/lineage", json=event(name), timeout=HANG_S).status_code
            except httpx.TransportError:
                return  # the server was killed
            if status == 201:
                with self.lock:
                    self.acknowledged.append(name)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + HANG_S
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, "the server acknowledged nothing: writes are blocked"
            time.sleep(0.05)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=HANG_S)


@pytest.mark.parametrize("engine", ENGINES, ids=["janusgraph", "janusgraph-cql"])
def test_serve_killed_mid_burst_five_times_loses_nothing_acknowledged(
    engine: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(engine))
    janusgraph_server.clear(url)
    acknowledged: list[str] = []
    for round_no in range(ROUNDS):
        server = start_server_process(url, {"TAGLINE_REQUEST_TIMEOUT_SECONDS": str(HANG_S)})
        assert server.process is not None
        burst = Burst(server.url, round_no)
        # Taking writes at once is what a start that works means: a lock left by the last round
        # would hold every write up here.
        burst.wait_for(2 + round_no)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=HANG_S)
        burst.join()
        acknowledged.extend(burst.acknowledged)
    last = start_server_process(url)
    assert last.process is not None
    try:
        answer = httpx.post(f"{last.url}/api/v1/lineage", json=event("after_the_kills"), timeout=HANG_S)
        assert answer.status_code == 201, answer.text
    finally:
        last.process.terminate()
        last.process.wait(timeout=HANG_S)
    stored = stored_keys(url, "d|hive://wh|lake.")
    missing = sorted(f"d|hive://wh|lake.{name}" for name in acknowledged if f"d|hive://wh|lake.{name}" not in stored)
    assert missing == []
    assert "d|hive://wh|lake.after_the_kills" in stored


@pytest.mark.parametrize("engine", ENGINES, ids=["janusgraph", "janusgraph-cql"])
def test_an_ingest_killed_mid_write_leaves_the_next_writer_free(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = str(request.getfixturevalue(engine))
    janusgraph_server.clear(url)
    folder = tmp_path / "etl"
    folder.mkdir()
    files = 40
    for i in range(files):
        columns = ", ".join(f"c{n} + {i} AS c{n}" for n in range(20))
        (folder / f"load_{i:02d}.sql").write_text(f"INSERT INTO mart.t{i} SELECT {columns} FROM shop.src;\n")
    ingest = [TAGLINE, "ingest", "sql", str(folder), "--dialect", "hive", "--namespace", "hive://wh", "--store", url]
    killed = subprocess.Popen(ingest, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + HANG_S
    while not stored_keys(url, "d|hive://wh|mart."):  # its first write has landed: others follow
        assert killed.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline, "the ingest wrote nothing"
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=HANG_S)
    finished = subprocess.run(ingest, capture_output=True, text=True, timeout=HANG_S, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert stored_keys(url, "d|hive://wh|mart.") == {f"d|hive://wh|mart.t{i}" for i in range(files)}
