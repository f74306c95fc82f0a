"""Lineage latency over HTTP: how long a real ``tagline serve`` takes to answer deep lineage
questions about a warehouse of about 20,000 columns.

1. Plans a synthetic warehouse (``warehouse_gen``), builds its ``LineageBatch`` directly (no SQL
   parsing) and writes it with ``GraphStore.write`` into a temporary store; prints how long that took.
2. Starts ``tagline serve`` on that store, on a free port of 127.0.0.1, and waits for ``/healthz``.
3. After a warm-up, sends each query below for a sample of columns, one request at a time, and
   reports latency (p50, p95, max, mean), lineage edges in the answer and store round trips per query
   (the change of ``tagline_store_calls_total`` on ``/metrics`` around each request):

   up nested     ``column { upstream { source { upstream { source { ... } } } } }``, 5 levels,
                 from columns of the last level (mart roll-ups, five hops from the sources)
   up flat       ``column { upstream(depth: 5) { ... } }`` from the same columns
   down nested   the same as ``up nested`` with ``downstream``/``target``, from source columns
   down flat     ``downstream(depth: 5)`` from the same source columns

   A nested answer repeats a subtree each time it is reached by another path, so its edge count is
   the number of edge objects in the JSON; a flat answer lists each edge once.
4. Stops the server and removes the store.

Usage::

    python bench/lineage_latency.py                 # ~20k columns, 50 columns per query
    python bench/lineage_latency.py --target-columns 5000 --samples 20
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from warehouse_gen import generate, tables_for_columns

from tagline.graph.model import ColumnRef
from tagline.graph.store import GraphStore

HOST = "127.0.0.1"
TAGLINE = Path(sys.executable).parent / "tagline"
EDGE_FIELDS = "transformation { type subtype masking }"


def nested_query(direction: str, levels: int) -> str:
    """``upstream { source { upstream { ... } } }`` (or downstream/target), ``levels`` deep."""
    far = "source" if direction == "upstream" else "target"
    body = "dataset field"
    for _ in range(levels):
        body = f"dataset field {direction} {{ {EDGE_FIELDS} {far} {{ {body} }} }}"
    return (
        "query ($ns: String!, $ds: String!, $f: String!) {\n"
        f"  column(namespace: $ns, dataset: $ds, field: $f) {{ {body} }}\n}}"
    )


def flat_query(direction: str, depth: int) -> str:
    return (
        "query ($ns: String!, $ds: String!, $f: String!) {\n"
        f"  column(namespace: $ns, dataset: $ds, field: $f) {{ {direction}(depth: {depth}) {{\n"
        f"    source {{ dataset field }} target {{ dataset field }} {EDGE_FIELDS} }} }}\n}}"
    )


def count_nested_edges(node: dict, direction: str) -> int:
    far = "source" if direction == "upstream" else "target"
    edges = node.get(direction) or []
    return len(edges) + sum(count_nested_edges(e[far], direction) for e in edges)


@dataclass
class Kind:
    name: str
    query: str
    direction: str
    nested: bool
    columns: list[ColumnRef]
    latencies_ms: list[float] = field(default_factory=list)
    edges: list[int] = field(default_factory=list)
    store_calls: list[float] = field(default_factory=list)
    response_kb: list[float] = field(default_factory=list)
    errors: int = 0
    skipped: int = 0

    def edge_count(self, column: dict) -> int:
        if self.nested:
            return count_nested_edges(column, self.direction)
        return len(column[self.direction])


# ---- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(store: str, log: Path, timeout_s: float = 60, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(TAGLINE), "serve", "--store", store, "--host", HOST, "--port", str(port), "--workers", str(workers)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tagline serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"tagline serve did not answer /healthz within {timeout_s:.0f} s:\n{log.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


STORE_CALLS = re.compile(r"^tagline_store_calls_total (\S+)$", re.M)


def store_calls(client: httpx.Client) -> float:
    found = STORE_CALLS.search(client.get("/metrics").text)
    return float(found.group(1)) if found else float("nan")


# ---- measuring -----------------------------------------------------------------------------------


def ask(client: httpx.Client, kind: Kind, col: ColumnRef) -> tuple[float, dict, int]:
    payload = {"query": kind.query, "variables": {"ns": col.namespace, "ds": col.dataset, "f": col.field}}
    started = time.perf_counter()
    response = client.post("/graphql", json=payload)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return elapsed_ms, response.json(), len(response.content)


def measure(client: httpx.Client, kind: Kind, deadline: float) -> None:
    for col in kind.columns:
        if time.monotonic() > deadline:
            kind.skipped += 1
            continue
        before = store_calls(client)
        elapsed_ms, answer, size = ask(client, kind, col)
        after = store_calls(client)
        column = (answer.get("data") or {}).get("column")
        if answer.get("errors") or column is None:
            kind.errors += 1
            continue
        kind.latencies_ms.append(elapsed_ms)
        kind.store_calls.append(after - before)
        kind.edges.append(kind.edge_count(column))
        kind.response_kb.append(size / 1024)


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(kinds: list[Kind]) -> None:
    header = (
        f"{'query':<26} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'mean ms':>8} "
        f"{'edges mean':>10} {'edges max':>9} {'store calls':>11} {'KB mean':>8}"
    )
    print(header)
    print("-" * len(header))
    for k in kinds:
        if not k.latencies_ms:
            print(f"{k.name:<26} {0:>3}  no answers ({k.errors} errors, {k.skipped} skipped)")
            continue
        lat = k.latencies_ms
        calls = f"{statistics.mean(k.store_calls):.1f}"
        if min(k.store_calls) != max(k.store_calls):
            calls = f"{min(k.store_calls):.0f}-{max(k.store_calls):.0f}"
        extra = f"  ({k.errors} errors, {k.skipped} skipped: time budget)" if k.errors or k.skipped else ""
        print(
            f"{k.name:<26} {len(lat):>3} {statistics.median(lat):>8.1f} {pct(lat, 95):>8.1f} {max(lat):>8.1f} "
            f"{statistics.mean(lat):>8.1f} {statistics.mean(k.edges):>10.1f} {max(k.edges):>9} {calls:>11} "
            f"{statistics.mean(k.response_kb):>8.1f}{extra}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-columns", type=int, default=20_000, help="about this many columns [20000]")
    parser.add_argument("--columns", type=int, default=25, help="about this many columns per table [25]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=50, help="columns asked about per query [50]")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up requests per query, on other columns [5]")
    parser.add_argument("--depth", type=int, default=5, help="lineage depth [5]")
    parser.add_argument("--budget", type=float, default=300, help="seconds allowed for all measured requests [300]")
    args = parser.parse_args(argv)

    wh = generate(tables_for_columns(args.target_columns, args.columns), args.columns, seed=args.seed)
    batch = wh.lineage_batch()
    print(f"warehouse: {wh.describe()}; {len(batch.edges):,} column edges (seed {args.seed}, {os.cpu_count()} cores)")

    rng = random.Random(args.seed)
    last = [wh.column_ref(t, c) for t in wh.level(wh.last_level) for c in t.columns]
    fed = {e.source.key for e in batch.edges}
    sources = [ref for t in wh.level(0) for c in t.columns if (ref := wh.column_ref(t, c)).key in fed]
    picked_last = rng.sample(last, min(len(last), args.samples + args.warmup))
    picked_src = rng.sample(sources, min(len(sources), args.samples + args.warmup))

    with tempfile.TemporaryDirectory(prefix="tagline-bench-") as tmp:
        path = str(Path(tmp) / "tagline.db")
        started = time.perf_counter()
        store = GraphStore(path)
        try:
            written = store.write(batch, kind="bench")
        finally:
            store.close()
        load_s = time.perf_counter() - started
        db_mb = sum(f.stat().st_size for f in Path(tmp).glob("tagline.db*")) / 1e6
        print(
            f"load: GraphStore.write of one batch took {load_s:.1f} s: {written.vertices_created:,} vertices and "
            f"{written.edges_created:,} edges ({(written.vertices_created + written.edges_created) / load_s:,.0f} "
            f"elements/s), {db_mb:.1f} MB"
        )

        kinds = [
            Kind(
                f"up nested x{args.depth} (last)",
                nested_query("upstream", args.depth),
                "upstream",
                True,
                picked_last[args.warmup :],
            ),
            Kind(
                f"up flat depth {args.depth} (last)",
                flat_query("upstream", args.depth),
                "upstream",
                False,
                picked_last[args.warmup :],
            ),
            Kind(
                f"down nested x{args.depth} (src)",
                nested_query("downstream", args.depth),
                "downstream",
                True,
                picked_src[args.warmup :],
            ),
            Kind(
                f"down flat depth {args.depth} (src)",
                flat_query("downstream", args.depth),
                "downstream",
                False,
                picked_src[args.warmup :],
            ),
        ]
        warm = {"upstream": picked_last[: args.warmup], "downstream": picked_src[: args.warmup]}

        log = Path(tmp) / "serve.log"
        started = time.perf_counter()
        process, url = start_server(path, log)
        print(f"server: tagline serve on {url}, /healthz answered after {time.perf_counter() - started:.1f} s")
        try:
            with httpx.Client(base_url=url, timeout=120) as client:
                for kind in kinds:
                    for col in warm[kind.direction]:
                        ask(client, kind, col)
                deadline = time.monotonic() + args.budget
                started = time.perf_counter()
                for kind in kinds:
                    measure(client, kind, deadline)
                measured_s = time.perf_counter() - started
        finally:
            stop_server(process)

    print()
    report(kinds)
    print()
    answered = sum(len(k.latencies_ms) for k in kinds)
    worst = max((k for k in kinds if k.latencies_ms), key=lambda k: pct(k.latencies_ms, 95), default=None)
    print(
        f"summary: {answered} queries in {measured_s:.1f} s over {wh.column_count:,} columns / {len(batch.edges):,} "
        f"edges (loaded in {load_s:.1f} s); "
        + "; ".join(f"{k.name} p50 {statistics.median(k.latencies_ms):.0f} ms" for k in kinds if k.latencies_ms)
        + (f"; slowest p95: {worst.name} {pct(worst.latencies_ms, 95):.0f} ms" if worst else "")
    )
    return 0 if all(k.latencies_ms for k in kinds) else 1


if __name__ == "__main__":
    sys.exit(main())
