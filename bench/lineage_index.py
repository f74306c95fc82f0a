"""The lineage index at warehouse scale: every target of the index, with a plain-dict BFS beside it.

One run, on one store (about a million columns by default; built once and kept with ``--store``):

1. store      the warehouse written job by job through ``GraphStore.write`` (no SQL parsing: the
              CLI's SQL ingest rate is ``bench/ingest_throughput.py``'s), its size per million edges
2. index      rebuilt from the whole change log, saved as a snapshot, loaded back; array bytes and
              the process's resident memory with the index loaded
3. baseline   the same walks as plain Python: a dict of lists built from the index, a BFS per
              question, no HTTP (what the machine allows for the algorithm itself)
4. server     ``tagline serve`` started on the store (from the snapshot): seconds to /healthz and
              its resident memory
5. latency    over HTTP, one request at a time: nested 5-level upstream from mart roll-up columns,
              flat ``upstream(depth: 5)`` from the same, flat ``downstream(depth: 5)`` from sources
6. clients    1, 4 and 16 concurrent clients asking nested and flat questions: requests/s, p99
7. governance full tag propagation, one new edge, one new declaration, the health report

Usage::

    python bench/lineage_index.py                                   # ~1M columns; builds the store (~15 min)
    python bench/lineage_index.py --store /tmp/tagline-1m.db        # keeps the store for the next run
    python bench/lineage_index.py --target-columns 20000            # a quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lineage_latency import flat_query, nested_query, pct, start_server, stop_server
from warehouse_gen import generate, tables_for_columns

from tagline.graph import schema
from tagline.graph.model import ColumnRef, DeclaredTag, LineageBatch
from tagline.graph.store import GraphStore

DEPTH = 5


def rss_mb(pid: int | None = None) -> float:
    """Resident memory now (of another process when ``pid`` is given), in MB."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def timed(what: str, fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    print(f"  {what}: {seconds:.2f} s")
    return seconds, value


def build_store(path: str, target_columns: int, seed: int) -> None:
    wh = generate(tables_for_columns(target_columns, 25), 25, seed=seed)
    print(f"store: writing {wh.describe()} into {path}")
    store = GraphStore(path)
    started = time.perf_counter()
    edges = 0
    try:
        for n, job in enumerate(wh.jobs, 1):
            batch = wh.job_batch(job)
            store.write(batch, kind="bench")
            edges += len(batch.edges)
            if n % max(len(wh.jobs) // 10, 1) == 0:
                elapsed = time.perf_counter() - started
                print(f"  {n}/{len(wh.jobs)} jobs, {edges:,} column edges, {edges / elapsed:,.0f} edges/s")
    finally:
        store.close()
    elapsed = time.perf_counter() - started
    print(
        f"  written: {edges:,} column edges in {elapsed:.0f} s ({edges / elapsed:,.0f} edges/s through GraphStore.write)"
    )


def sample_columns(store: GraphStore, rng: random.Random, n: int) -> tuple[list[ColumnRef], list[ColumnRef]]:
    """Mart columns with the most lineage within five hops upstream (the roll-ups, five hops from
    the sources: the heaviest nested answers), and source columns (feeding, not fed)."""
    index = store.index
    table = index.tables[schema.DERIVES]
    fed = set(table.dst.view[table.alive.view].tolist())
    feeding = set(table.src.view[table.alive.view].tolist())
    marts = [v for v in sorted(fed - feeding) if str(index.props.get(v, "dataset")).startswith("mart.")]
    candidates = rng.sample(marts, min(4 * n, len(marts)))
    weight = {v: len(index.walk([v], "in", DEPTH)[0]) for v in candidates}
    deepest = sorted(candidates, key=lambda v: -weight[v])[:n]
    sources = rng.sample(sorted(feeding - fed), min(n, len(feeding - fed)))

    def refs(ids: list[int]) -> list[ColumnRef]:
        found = []
        for v in ids:
            p = index.record(v).props
            found.append(ColumnRef(namespace=p["namespace"], dataset=p["dataset"], field=p["field"]))
        return found

    return refs(deepest), refs(sources)


def plain_dict_baseline(store: GraphStore, last: list[ColumnRef], sources: list[ColumnRef]) -> dict[str, list[float]]:
    """Plain Python: dict of lists, BFS per question; the answers' edge sets are checked against the index."""
    index = store.index
    table = index.tables[schema.DERIVES]
    into: dict[int, list[tuple[int, int]]] = {}
    out: dict[int, list[tuple[int, int]]] = {}
    alive = table.alive.view
    for e, (s, t) in enumerate(zip(table.src.view.tolist(), table.dst.view.tolist(), strict=True)):
        if alive[e]:
            into.setdefault(t, []).append((s, e))
            out.setdefault(s, []).append((t, e))

    def bfs(adjacency: dict[int, list[tuple[int, int]]], start: int) -> set[int]:
        seen, frontier, edges = {start}, [start], set()
        for _ in range(DEPTH):
            nxt = []
            for v in frontier:
                for w, e in adjacency.get(v, ()):
                    edges.add(e)
                    if w not in seen:
                        seen.add(w)
                        nxt.append(w)
            frontier = nxt
        return edges

    times: dict[str, list[float]] = {"up": [], "down": []}
    for name, adjacency, refs, direction in (("up", into, last, "in"), ("down", out, sources, "out")):
        for ref in refs:
            start = index.ids[ref.key]
            began = time.perf_counter()
            found = bfs(adjacency, start)
            times[name].append((time.perf_counter() - began) * 1000)
            walked, _, _ = index.walk([start], direction, DEPTH)  # type: ignore[arg-type]
            assert found == set(walked.tolist()), f"index and plain BFS disagree from {ref}"
    return times


def row(name: str, values: list[float], extra: str = "") -> None:
    print(
        f"  {name:<34} n={len(values):<4} p50 {statistics.median(values):8.2f} ms   p99 {pct(values, 99):8.2f} ms  {extra}"
    )


def http_latency(url: str, kind: str, query: str, refs: list[ColumnRef]) -> list[float]:
    found = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for ref in refs[:3]:
            client.post(
                "/graphql", json={"query": query, "variables": {"ns": ref.namespace, "ds": ref.dataset, "f": ref.field}}
            )
        for ref in refs:
            payload = {"query": query, "variables": {"ns": ref.namespace, "ds": ref.dataset, "f": ref.field}}
            began = time.perf_counter()
            answer = client.post("/graphql", json=payload).json()
            found.append((time.perf_counter() - began) * 1000)
            assert "errors" not in answer and answer["data"]["column"], (kind, answer)
    return found


async def clients(
    url: str, queries: list[tuple[str, ColumnRef]], concurrency: int, seconds: float
) -> tuple[float, list[float]]:
    """``concurrency`` clients asking round-robin for ``seconds``: requests/s and latencies."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120) as http:
            i = n
            while time.monotonic() < deadline:
                query, ref = queries[i % len(queries)]
                i += concurrency
                began = time.perf_counter()
                r = await http.post(
                    "/graphql",
                    json={"query": query, "variables": {"ns": ref.namespace, "ds": ref.dataset, "f": ref.field}},
                )
                latencies.append((time.perf_counter() - began) * 1000)
                # A refusal (COST_LIMIT, a timeout) comes back as errors inside an HTTP 200: counted
                # as a success it would inflate the rate.
                if r.status_code != 200 or "errors" in r.json():
                    raise RuntimeError(f"a request failed ({r.status_code}): {r.text[:500]}")

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(concurrency)))
    return len(latencies) / (time.perf_counter() - began), latencies


def wrk_script(mix: list[tuple[str, ColumnRef]], folder: Path) -> Path:
    """A wrk script that sends the mix's requests round-robin."""
    bodies = [json.dumps({"query": q, "variables": {"ns": r.namespace, "ds": r.dataset, "f": r.field}}) for q, r in mix]
    lua = [
        "bodies = {",
        *(f"  {json.dumps(b)}," for b in bodies),
        "}",
        "n = 0",
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        "request = function()",
        "  n = n % #bodies + 1",
        '  return wrk.format(nil, "/graphql", nil, bodies[n])',
        "end",
        # GraphQL errors inside an HTTP 200 (a COST_LIMIT refusal) are counted per thread and
        # summed at the end: wrk itself only counts non-2xx answers.
        "threads = {}",
        "setup = function(thread) table.insert(threads, thread) end",
        "init = function(args) graphql_errors = 0 end",
        "response = function(status, headers, body)",
        "  if string.find(body, '\"errors\"', 1, true) then graphql_errors = graphql_errors + 1 end",
        "end",
        "done = function(summary, latency, requests)",
        "  local total = 0",
        "  for _, t in ipairs(threads) do total = total + t:get('graphql_errors') end",
        '  io.write(string.format("GraphQL errors: %d\\n", total))',
        "end",
    ]
    script = folder / "mix.lua"
    script.write_text("\n".join(lua))
    return script


def with_wrk(url: str, script: Path, clients_n: int, seconds: float) -> tuple[float, float, float]:
    """Requests/s, p50 and p99 in ms from wrk (a C load generator, so the clients cost the two
    cores little next to a Python client)."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(clients_n, 2)),
            "-c",
            str(clients_n),
            "-d",
            f"{seconds:.0f}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"GraphQL errors: (\d+)", out)
    if "Non-2xx" in out or errors is None or int(errors.group(1)):
        raise RuntimeError(f"wrk saw errors (non-2xx, or GraphQL errors inside a 200):\n{out}")
    return rate, ms("50%"), ms("99%")


def concurrency(url: str, mix: list[tuple[str, ColumnRef]], seconds: float) -> None:
    """1, 4 and 16 concurrent clients: with wrk where it is installed (``apt-get install wrk``),
    else with Python clients in this process (which then compete with the server for the cores)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = wrk_script(mix, Path(tmp)) if shutil.which("wrk") else None
        for n in (1, 4, 16):
            if script is not None:
                rate, p50, p99 = with_wrk(url, script, n, seconds)
                how = "wrk"
            else:
                rate, lat = asyncio.run(clients(url, mix, n, seconds))
                p50, p99, how = statistics.median(lat), pct(lat, 99), "httpx"
            print(f"  {n:>2} clients ({how}): {rate:7.0f} req/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms")


def measure_clients(path: str, tmp: Path, last: list[ColumnRef], seconds: float, workers: int) -> None:
    """Concurrent clients asking nested and flat upstream questions, alternating, against one
    server process and against ``workers`` processes."""
    nested, flat = nested_query("upstream", DEPTH), flat_query("upstream", DEPTH)
    mix = [(q, ref) for ref in last for q in (nested, flat)]
    for n in sorted({1, workers}):
        process, url = start_server(path, tmp / "serve.log", timeout_s=300, workers=n)
        try:
            print(f"concurrent clients (nested and flat upstream, alternating), tagline serve --workers {n}:")
            concurrency(url, mix, seconds)
            print(f"  server resident after the run: {rss_mb(process.pid):.0f} MB (parent process)")
        finally:
            stop_server(process)


def governance(
    store: GraphStore, sources: list[ColumnRef], last: list[ColumnRef], rng: random.Random, share: float
) -> None:
    from tagline.api.settings import load_policy
    from tagline.governance.health_scan import scan_health
    from tagline.governance.service import Governance
    from tagline.graph.model import ColumnEdge, LineageType, Subtype, Transformation

    gov = Governance(store, load_policy())
    index = store.index
    table = index.tables[schema.DERIVES]
    all_sources = sorted(set(table.src.view.tolist()) - set(table.dst.view.tolist()))
    picked = rng.sample(all_sources, max(int(len(all_sources) * share), 1))
    tagged = []
    for v in picked:
        p = index.record(v).props
        tagged.append(ColumnRef(namespace=p["namespace"], dataset=p["dataset"], field=p["field"]))
    timed(
        f"declare pii on {len(tagged):,} source columns ({share:.0%}) and propagate",
        lambda: gov.declare_many([DeclaredTag(column=c, tag="pii") for c in tagged], "bench"),
    )
    print(f"    {len(store.column_keys(having='tags_effective')):,} columns carry tags")
    columns = len(store.column_keys())
    timed(f"full propagation over {columns:,} columns", lambda: gov.propagate_full("bench"))
    edge = ColumnEdge(
        source=tagged[0],
        target=last[0],
        transformation=Transformation(type=LineageType.DIRECT, subtype=Subtype.IDENTITY),
    )

    def one_edge() -> object:
        batch = LineageBatch(edges=[edge])
        return gov.after_write(store.write(batch), "bench")

    timed("incremental: one new edge (write + propagate)", one_edge)
    fresh = sources[-1]
    timed("incremental: one new declaration", lambda: gov.declare(fresh, "pii.email", "bench"))
    timed("incremental: removal of that declaration", lambda: gov.remove(fresh, "pii.email", "bench"))
    _, scan = timed("health report", lambda: scan_health(store, datetime.now(UTC), 30))
    print(f"    ({len(scan.orphans)} orphans, {len(scan.zombies)} zombies, {len(scan.unused)} unused datasets)")  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-columns", type=int, default=1_000_000)
    parser.add_argument("--store", help="store file to build once and reuse (default: a temporary one)")
    parser.add_argument("--samples", type=int, default=200, help="questions per kind [200]")
    parser.add_argument("--seconds", type=float, default=10, help="seconds per concurrency level [10]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2, help="also measure clients against --workers N [2]")
    parser.add_argument("--skip-governance", action="store_true")
    parser.add_argument("--only", choices=("clients", "governance"), help="measure only this part")
    parser.add_argument(
        "--tagged-share",
        type=float,
        default=0.01,
        help="share of the source columns declared pii before the propagation figures [0.01]",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="tagline-bench-") as tmp:
        path = args.store or str(Path(tmp) / "tagline.db")
        if not Path(path).exists():
            build_store(path, args.target_columns, args.seed)
        size = sum(
            f.stat().st_size for f in Path(path).parent.glob(Path(path).name + "*") if not f.name.endswith(".index")
        )

        if args.only:
            store = GraphStore(path)
            last, sources = sample_columns(store, rng, args.samples)
            if args.only == "clients":
                store.close()
                measure_clients(path, Path(tmp), last, args.seconds, args.workers)
            else:
                try:
                    governance(store, sources, last, rng, args.tagged_share)
                finally:
                    store.close(snapshot_after=1)
            return 0

        print("index:")
        Path(path + ".index").unlink(missing_ok=True)
        before = rss_mb()
        store = GraphStore(path)
        timed("rebuilt from the whole change log", lambda: store.index)
        counts = store.counts()
        print(
            f"  {counts['column']:,} columns, {counts['derives']:,} derives edges, {sum(counts.values()):,} elements; "
            f"arrays {store.index.memory_bytes() / 1e6:.0f} MB; process grew by {rss_mb() - before:.0f} MB to {rss_mb():.0f} MB"
        )
        held = store.index_footprint()
        assert held is not None
        print(
            f"  index, everything included: {held.total / 1e6:,.0f} MB = {held.per_column_edge:.0f} bytes per column "
            f"edge (target 48): arrays {held.arrays / 1e6:,.0f} MB, keys {held.keys / 1e6:,.0f} MB, "
            f"values {held.values / 1e6:,.0f} MB"
        )
        print(
            f"  store: {size / 1e6:,.0f} MB, {size / 1e6 / (counts['derives'] / 1e6):,.0f} MB per million derives edges"
        )
        timed("snapshot saved", store.save_snapshot)
        timed("snapshot loaded", lambda: GraphStore(path).index)

        last, sources = sample_columns(store, rng, args.samples)
        print("plain-dict baseline (in process, no HTTP):")
        base = plain_dict_baseline(store, last, sources)
        row(f"upstream depth {DEPTH} (mart roll-ups)", base["up"])
        row(f"downstream depth {DEPTH} (sources)", base["down"])
        store.close()

        print("server:")
        log = Path(tmp) / "serve.log"
        began = time.perf_counter()
        process, url = start_server(path, log, timeout_s=300)
        print(
            f"  started from the snapshot, /healthz after {time.perf_counter() - began:.1f} s; "
            f"resident {rss_mb(process.pid):.0f} MB"
        )
        try:
            nested = nested_query("upstream", DEPTH)
            up = flat_query("upstream", DEPTH)
            down = flat_query("downstream", DEPTH)
            print("latency over HTTP, one client:")
            row(f"nested x{DEPTH} upstream", http_latency(url, "nested", nested, last))
            row(f"flat upstream(depth: {DEPTH})", http_latency(url, "flat up", up, last))
            row(f"flat downstream(depth: {DEPTH})", http_latency(url, "flat down", down, sources))
            print(f"  server resident after the run: {rss_mb(process.pid):.0f} MB")
        finally:
            stop_server(process)
        measure_clients(path, Path(tmp), last, args.seconds, args.workers)

        if not args.skip_governance:
            print("governance (in process):")
            store = GraphStore(path)
            try:
                governance(store, sources, last, rng, args.tagged_share)
            finally:
                store.close(snapshot_after=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
