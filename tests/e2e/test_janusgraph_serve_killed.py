"""`tagline serve` on JanusGraph (BerkeleyJE) killed with SIGKILL in the middle of a burst of
OpenLineage events, five times running: every next start works, and every event a killed server
acknowledged (201) is in JanusGraph.

Once, one run of two left BerkeleyJE's environment invalid and no `tagline serve` would start until
JanusGraph was restarted; before that, a killed client's session was dropped by the server without a
rollback, keeping its locks (see tests/store/test_janusgraph_recovery.py)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tagline.graph.model import DatasetRef
from tests import janusgraph_server
from tests.e2e.conftest import Server, start_server_process, stop_server
from tests.e2e.test_janusgraph_writers import stored_keys

pytestmark = pytest.mark.engine

ROUNDS = 5
POSTERS = 3
# Events acknowledged in a round before its server is killed: the kill lands mid-burst, with
# requests in flight on every poster.
ACKNOWLEDGED_BEFORE_KILL = 4
NAMESPACE = "hive://wh"


def output_name(round_: int, poster: int, n: int) -> str:
    return f"lake.r{round_}_p{poster}_{n}"


def event(round_: int, poster: int, n: int) -> dict[str, object]:
    """An event of its own output dataset, two columns fed from one shared source table."""
    fields = {f: {"inputFields": [{"namespace": NAMESPACE, "name": "shop.orders", "field": f}]} for f in ("id", "name")}
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-03-01T00:00:00Z",
        "producer": "https://example.com/emitter",
        "run": {"runId": f"0190f3a2-0000-7000-8000-{round_:04d}{poster:04d}{n:04d}"},
        "job": {"namespace": "spark", "name": f"copy_{poster}"},
        "inputs": [{"namespace": NAMESPACE, "name": "shop.orders"}],
        "outputs": [
            {
                "namespace": NAMESPACE,
                "name": output_name(round_, poster, n),
                "facets": {"columnLineage": {"fields": fields}},
            }
        ],
    }


def ready(server: Server, timeout_s: float = 120) -> None:
    """Wait until the server's store answers (`/readyz`; `/healthz` never touches the store)."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{server.url}/readyz", timeout=10)
            if response.status_code == 200:
                return
            last = response.text
        except httpx.TransportError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise AssertionError(f"tagline serve on JanusGraph was not ready within {timeout_s} s: {last}\n{server.output()}")


def burst_then_kill(server: Server, round_: int) -> list[str]:
    """Post events from several threads until enough are acknowledged, kill the server with
    SIGKILL while requests are in flight; the output datasets of the acknowledged events."""
    acknowledged: list[str] = []
    enough = threading.Event()

    def post(poster: int) -> None:
        n = 0
        while True:
            try:
                response = httpx.post(f"{server.url}/api/v1/lineage", json=event(round_, poster, n), timeout=60)
            except httpx.TransportError:
                return  # the server is gone: this event was not acknowledged
            if response.status_code == 201:
                acknowledged.append(output_name(round_, poster, n))
                if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    enough.set()
            n += 1

    posters = [threading.Thread(target=post, args=(p,), daemon=True) for p in range(POSTERS)]
    for thread in posters:
        thread.start()
    assert enough.wait(timeout=300), f"round {round_}: only {len(acknowledged)} events acknowledged\n{server.output()}"
    assert server.process is not None
    server.process.kill()
    server.process.wait(timeout=30)
    for thread in posters:
        thread.join(timeout=120)
    return list(acknowledged)


def test_serve_killed_mid_burst_five_times_starts_again_and_keeps_what_it_acknowledged(janusgraph_url: str) -> None:
    janusgraph_server.clear(janusgraph_url)
    acknowledged: list[str] = []
    for round_ in range(ROUNDS):
        server = start_server_process(janusgraph_url)
        ready(server)
        acknowledged += burst_then_kill(server, round_)
    server = start_server_process(janusgraph_url)
    try:
        ready(server)
        # and it writes: one more event is taken
        response = httpx.post(f"{server.url}/api/v1/lineage", json=event(ROUNDS, 0, 0), timeout=120)
        assert response.status_code == 201, response.text
    finally:
        stop_server(server)
    keys = stored_keys(janusgraph_url)
    missing = [name for name in acknowledged if DatasetRef(namespace=NAMESPACE, name=name).key not in keys]
    assert missing == []
    assert [k for k, n in keys.items() if n > 1] == []
