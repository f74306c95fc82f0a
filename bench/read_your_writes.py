"""What reading your writes costs on the embedded store, per request.

Every request a server answers first reads the change log's head (one indexed read on a
connection of its own) and compares it with its lineage index's position; only when another
process has written since does it apply the log's tail before answering. This measures:

- check     the head read and comparison alone, when nothing was written (every request pays it)
- request   a small GraphQL query over HTTP to a real server, nothing written meanwhile
- after a write   the same query right after another process's GraphStore wrote one statement's
            lineage (the request applies that transaction first), and how many answers were stale

Baseline: before each request caught up, a server applied other processes' writes every
``TAGLINE_INDEX_REFRESH_SECONDS`` (0.5 s), so an answer right after a write was stale that long.

Usage::

    python bench/read_your_writes.py --log 20000 --rounds 300
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tagline.graph.model import ColumnEdge, ColumnRef, JobRef, LineageBatch, LineageType, Transformation
from tagline.graph.store import GraphStore
from tests.e2e.conftest import start_server, stop_server

NS = "hive://bench"
QUERY = 'query ($d: String!) { column(namespace: "hive://bench", dataset: $d, field: "v") { upstream { source { field } } } }'


def edge(n: int) -> LineageBatch:
    """Table ``t<n>`` from ``t<n-1>``: one transaction of the change log."""
    return LineageBatch(
        edges=[
            ColumnEdge(
                source=ColumnRef(namespace=NS, dataset=f"db.t{n - 1}", field="v"),
                target=ColumnRef(namespace=NS, dataset=f"db.t{n}", field="v"),
                transformation=Transformation(type=LineageType.DIRECT),
                job=JobRef(namespace="bench", name="chain"),
            )
        ]
    )


def spread(samples: list[float], unit: str = "us") -> str:
    """Median and 99th percentile, in microseconds (``us``) or milliseconds (``ms``)."""
    ordered, scale = sorted(samples), 1e6 if unit == "us" else 1e3
    median, p99 = statistics.median(ordered) * scale, ordered[int(len(ordered) * 0.99)] * scale
    return f"median {median:8.1f} {unit}   p99 {p99:8.1f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", type=int, default=20_000, help="transactions in the change log first")
    parser.add_argument("--rounds", type=int, default=300, help="write-then-read rounds over HTTP")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tagline-ryw-"))
    location = str(folder / "graph.db")
    writer = GraphStore(location)
    print(f"writing {args.log:,} transactions ...", flush=True)
    for n in range(1, args.log + 1):
        writer.write(edge(n))

    reader = writer.log_reader()
    assert reader is not None
    checks = []
    for _ in range(20_000):
        started = time.perf_counter()
        writer.has_passed(writer.log_head(reader))
        checks.append(time.perf_counter() - started)
    print(f"check (head read + compare), log of {args.log:,}:  {spread(checks)}")

    server = start_server(location, {"TAGLINE_INDEX_REFRESH_SECONDS": "3600"})
    try:
        with httpx.Client(base_url=server.url, timeout=600) as client:
            quiet, after, stale = [], [], 0
            for _ in range(args.rounds):
                started = time.perf_counter()
                client.post("/graphql", json={"query": QUERY, "variables": {"d": f"db.t{args.log}"}})
                quiet.append(time.perf_counter() - started)
            for n in range(args.log + 1, args.log + args.rounds + 1):
                writer.write(edge(n))
                started = time.perf_counter()
                answer = client.post("/graphql", json={"query": QUERY, "variables": {"d": f"db.t{n}"}}).json()
                after.append(time.perf_counter() - started)
                stale += answer["data"]["column"] is None
    finally:
        stop_server(server)
        writer.close()
    print(f"request, nothing written:          {spread(quiet, 'ms')}")
    print(f"request right after a write:       {spread(after, 'ms')}")
    print(f"stale answers: {stale} of {args.rounds}   (baseline: up to 0.5 s stale, the refresh interval)")


if __name__ == "__main__":
    main()
