"""Lineage over time at warehouse scale, in one process against the lineage index (no HTTP): what
lifetimes cost current answers, what `asOf` and a whole-warehouse diff cost, and the index memory
per closed edge.

1. store      the synthetic warehouse written job by job, each job's batch its definition (day 1)
2. before     nested-lineage walks (upstream, 5 hops) from the heaviest mart columns: p50/p99
3. redefine   10 % of the jobs report again on day 10 without every other column edge
4. after      the same walks over current edges; the same walks `asOf` day 5; a one-day diff of the
              whole warehouse; array bytes per closed edge

Usage::

    python bench/lineage_lifetimes.py --target-columns 20000
    python bench/lineage_lifetimes.py --target-columns 1000000 --store /tmp/tagline-1m-life.db
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lineage_latency import pct
from warehouse_gen import generate, tables_for_columns

from tagline.graph import schema
from tagline.graph.store import GraphStore
from tagline.ingest.definitions import defined_by

DEPTH = 5
DAY_1 = datetime(2026, 1, 1, tzinfo=UTC)
DAY_5 = datetime(2026, 1, 5, tzinfo=UTC)
DAY_10 = datetime(2026, 1, 10, tzinfo=UTC)
DAY_9_NOON = datetime(2026, 1, 9, 12, tzinfo=UTC)
DAY_10_NOON = datetime(2026, 1, 10, 12, tzinfo=UTC)


def walks(store: GraphStore, starts: list[int], rounds: int, as_of: datetime | None) -> list[float]:
    """Milliseconds per nested-lineage walk (the index's part of an `upstream(depth: 5)` answer)."""
    index = store.index
    moment = None if as_of is None else as_of.timestamp()
    timings = []
    for _ in range(rounds):
        for vertex in starts:
            started = time.perf_counter()
            index.walk_in_key_order(vertex, "in", DEPTH, False, time.time(), moment)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target-columns", type=int, default=20_000)
    parser.add_argument("--store", help="GremLite file to build (or reuse, if it exists)")
    parser.add_argument("--share", type=float, default=0.1, help="share of jobs redefined")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="tagline-life-")
    path = args.store or str(Path(folder) / "graph.db")
    wh = generate(tables_for_columns(args.target_columns, 25), 25, seed=args.seed)
    rng = random.Random(args.seed)
    fresh = not Path(path).exists()
    store = GraphStore(path)
    try:
        if fresh:
            print(f"store: writing {wh.describe()} into {path}")
            started = time.perf_counter()
            for job in wh.jobs:
                store.write(defined_by(wh.job_batch(job), wh.job_ref(job), DAY_1, tables=True), kind="bench")
            print(f"  written in {time.perf_counter() - started:.0f} s")
        index = store.index
        table = index.tables[schema.DERIVES]
        fed = set(table.dst.view[table.alive.view].tolist())
        feeding = set(table.src.view[table.alive.view].tolist())
        marts = [v for v in sorted(fed - feeding) if str(index.props.get(v, "dataset")).startswith("mart.")]
        candidates = rng.sample(marts, min(4 * args.samples, len(marts)))
        weight = {v: len(index.walk([v], "in", DEPTH)[0]) for v in candidates}
        starts = sorted(candidates, key=lambda v: -weight[v])[: args.samples]
        before = walks(store, starts, args.rounds, None)
        bytes_before = index.memory_bytes()

        redefined = rng.sample(wh.jobs, max(1, int(len(wh.jobs) * args.share)))
        started = time.perf_counter()
        for job in redefined:
            batch = wh.job_batch(job)
            batch.edges = batch.edges[::2]
            store.write(defined_by(batch, wh.job_ref(job), DAY_10, tables=True), kind="bench")
        print(f"redefine: {len(redefined)} of {len(wh.jobs)} jobs in {time.perf_counter() - started:.1f} s")
        after = walks(store, starts, args.rounds, None)
        as_of = walks(store, starts, args.rounds, DAY_5)
        started = time.perf_counter()
        _, removed, _ = store.lineage_changes(DAY_9_NOON, DAY_10_NOON)
        diff_seconds = time.perf_counter() - started
        closed = len(removed)
        bytes_after = index.memory_bytes()
        edges = table.live
        print(f"warehouse: {len(index.keys):,} vertices, {edges:,} column edges, {closed:,} closed on day 10")
        for name, found in (("current before", before), ("current after", after), ("asOf day 5", as_of)):
            print(f"  {name:15} walk p50 {pct(found, 50):.2f} ms  p99 {pct(found, 99):.2f} ms")
        print(f"  one-day diff of the whole warehouse: {diff_seconds * 1000:.0f} ms")
        per_closed = (bytes_after - bytes_before) / max(closed, 1)
        print(f"  index arrays: {bytes_before:,} -> {bytes_after:,} bytes ({per_closed:.1f} bytes per closed edge)")
    finally:
        store.close(snapshot_after=10**12)


if __name__ == "__main__":
    main()
