"""How soon a GraphQL subscription hears of a write made by another process.

A real `tagline serve` process on an embedded store, a `lineageChanged` subscription over
graphql-transport-ws (the `websockets` client), and rounds of writes by this process (another
process than the server, as a `tagline ingest` is), each one column edge into a new table. Per
round, the delay from the write's commit to the event's arrival. (The end-to-end test,
tests/e2e/test_subscriptions.py, has `tagline ingest sql` write; its process's start-up and exit
would only blur the figure here.)

The delay is bounded by ``TAGLINE_SUBSCRIPTION_POLL_SECONDS`` (the feed reads the log's tail that
often while a subscription is open) plus the index catching up and the send.

Usage::

    python bench/subscriptions.py --rounds 20
    python bench/subscriptions.py --rounds 20 --poll 0.05
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.read_your_writes import NS, edge
from tagline.graph.store import GraphStore
from tests.e2e.conftest import start_server_process, stop_server

SUBSCRIPTION = "subscription ($ns: String!) { lineageChanged(namespace: $ns) { dataset position } }"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--poll", type=float, default=None, help="TAGLINE_SUBSCRIPTION_POLL_SECONDS")
    args = parser.parse_args()
    env = {"TAGLINE_SUBSCRIPTION_POLL_SECONDS": str(args.poll)} if args.poll else {}
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "graph.db")
        server = start_server_process(store, env=env)
        try:
            url = server.url.replace("http://", "ws://") + "/graphql"
            with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
                ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
                ws.send(
                    json.dumps(
                        {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION, "variables": {"ns": NS}}}
                    )
                )
                delays = []
                writer = GraphStore(store)
                try:
                    for n in range(1, args.rounds + 2):
                        writer.write(edge(n))
                        committed = time.perf_counter()
                        while True:
                            message = json.loads(ws.recv(timeout=60))
                            data = message["payload"]["data"]["lineageChanged"]
                            if message["type"] == "next" and data["dataset"] == f"db.t{n}":
                                break
                        if n > 1:  # the first round also waits for the subscription to start
                            delays.append(time.perf_counter() - committed)
                finally:
                    writer.close()
        finally:
            stop_server(server)
    delays.sort()
    print(f"rounds {len(delays)}, poll {args.poll or 'default'} s")
    print(
        f"delay from the write's commit to the event: p50 {statistics.median(delays) * 1000:.0f} ms, "
        f"p90 {delays[int(len(delays) * 0.9) - 1] * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
