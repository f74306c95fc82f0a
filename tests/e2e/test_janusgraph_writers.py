"""Two `tagline ingest sql` processes and two `tagline serve` processes writing one JanusGraph at
the same moment: lock conflicts are retried, every write lands, and every key stays one vertex."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.traversal import P
from janusgraph_python.driver.serializer import JanusGraphBinarySerializersV1

from tagline.graph import schema
from tests import janusgraph_server
from tests.e2e.conftest import TAGLINE, start_server_process, stop_server

pytestmark = pytest.mark.engine

TABLES = 6
# Only a hang fails the test: how long the writers take on a busy machine is not its business.
HANG_S = 600


def script(i: int) -> str:
    return f"INSERT INTO mart.t{i} SELECT id, upper(name) AS name, amount FROM shop.s{i % 2};\n"


def event(i: int) -> dict[str, object]:
    """The same events sent to both servers: the same run, job, datasets and column lineage."""
    fields = {f: {"inputFields": [{"namespace": "hive://wh", "name": "shop.s0", "field": f}]} for f in ("id", "name")}
    return {
        "eventType": "COMPLETE",
        "eventTime": f"2026-03-01T00:00:0{i}Z",
        "producer": "https://example.com/emitter",
        "run": {"runId": f"0190f3a2-0000-7000-8000-00000000010{i}"},
        "job": {"namespace": "spark", "name": f"copy_{i}"},
        "inputs": [{"namespace": "hive://wh", "name": "shop.s0"}],
        "outputs": [
            {"namespace": "hive://wh", "name": f"lake.copy{i}", "facets": {"columnLineage": {"fields": fields}}}
        ],
    }


def post_as_an_emitter(url: str, body: dict[str, object], attempts: int = 30) -> int:
    """Post as OpenLineage's HTTP transport is configured to: a 503 (four writers contending for
    BerkeleyJE's locks past the store's own retries) is sent again — as often as a busy machine
    needs, since a 503 leaves nothing written."""
    status = 0
    for _ in range(attempts):
        status = httpx.post(url, json=body, timeout=HANG_S).status_code
        if status != 503:
            break
        time.sleep(1)
    return status


def stored_keys(url: str) -> Counter[str]:
    """Every key of a dataset, column or job vertex, counted in JanusGraph itself (the lineage
    index, keyed by key, would fold duplicates into one)."""
    remote = DriverRemoteConnection(url, "g", message_serializer=JanusGraphBinarySerializersV1())
    try:
        g = traversal().with_remote(remote)
        labels = list(schema.VERTEX_LABELS)
        keys = g.V().has(schema.VERTEX_LABEL_COPY, P.within(labels)).values(schema.KEY).to_list()
    finally:
        remote.close()
    return Counter(str(k) for k in keys)


@pytest.mark.parametrize("server", ["janusgraph_url", "janusgraph_cql_url"], ids=["janusgraph", "janusgraph-cql"])
def test_two_ingests_and_two_servers_at_once_keep_every_key_one_vertex(
    server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    janusgraph_url = str(request.getfixturevalue(server))
    janusgraph_server.clear(janusgraph_url)
    folder = tmp_path / "etl"
    folder.mkdir()
    for i in range(TABLES):
        (folder / f"load_t{i}.sql").write_text(script(i))
    generous = {"TAGLINE_REQUEST_TIMEOUT_SECONDS": str(HANG_S)}
    servers = [start_server_process(janusgraph_url, generous) for _ in range(2)]
    try:
        ingest = ["ingest", "sql", str(folder), "--dialect", "hive", "--namespace", "hive://wh", "--store"]
        ingests = [
            subprocess.Popen([TAGLINE, *ingest, janusgraph_url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(2)
        ]
        answers: list[int] = []

        def post_all(server_url: str) -> None:
            for i in range(3):
                answers.append(post_as_an_emitter(f"{server_url}/api/v1/lineage", event(i)))

        posting = [threading.Thread(target=post_all, args=(s.url,)) for s in servers]
        for thread in posting:
            thread.start()
        outputs = [p.communicate(timeout=HANG_S)[0].decode() for p in ingests]
        for thread in posting:
            thread.join(timeout=HANG_S)
        assert [p.returncode for p in ingests] == [0, 0], outputs
        assert answers == [201] * 6
    finally:
        for running in servers:
            stop_server(running)
    keys = stored_keys(janusgraph_url)
    assert [k for k, n in keys.items() if n > 1] == []
    datasets = {k for k in keys if k.startswith("d|")}
    # shop.s0, shop.s1, mart.t0..t5, lake.copy0..2
    assert len(datasets) == 2 + TABLES + 3, sorted(datasets)
    columns = {k for k in keys if k.startswith("c|")}
    assert len(columns) == 2 * 3 + TABLES * 3 + 3 * 2, sorted(columns)
