"""Query-log ingest: throughput and memory on a synthetic log written for the run.

    python bench/querylog_ingest.py [--queries 20000]

The log mixes scheduled jobs' INSERT ... SELECT, ad-hoc SELECTs by users, ad-hoc CTAS (expiring
lineage) and 1% broken statements, over a few hundred tables. Prints queries/s, edges, failures,
and the peak resident memory, read once after a tenth of the log and once at the end: a streamed
ingest keeps it flat however long the log is.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from tagline.api.services.querylog import QueryLogReport, ingest_querylog
from tagline.graph.store import GraphStore
from tagline.ingest.querylog import QueryLogOptions


def synthetic_log(path: Path, queries: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    tables = [f"s{i % 20}.t{i}" for i in range(300)]
    with open(path, "w", encoding="utf-8") as f:
        for n in range(queries):
            src, dst = rng.sample(tables, 2)
            cols = ", ".join(f"c{rng.randrange(12)} AS o{k}" for k in range(rng.randrange(1, 6)))
            kind = rng.random()
            if kind < 0.01:
                line = {"sql": f"INSERT INTO {dst} SELECT FROM", "user": "fuzz"}
            elif kind < 0.4:
                line = {"sql": f"INSERT INTO {dst} SELECT {cols} FROM {src} WHERE c1 > {n}", "job": f"job{n % 50}"}
            elif kind < 0.5:
                line = {"sql": f"CREATE TABLE sandbox.u{n} AS SELECT {cols} FROM {src}", "user": f"user{n % 30}"}
            else:
                line = {"sql": f"SELECT {cols} FROM {src} JOIN {dst} ON {src}.c1 = {dst}.c1", "user": f"user{n % 30}"}
            line.update(dialect="hive", namespace="hive://bench", ts="2030-01-01T00:00:00Z", query_id=f"q{n}")
            f.write(json.dumps(line) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "queries.jsonl"
        synthetic_log(log, args.queries)
        store = GraphStore(str(Path(folder) / "graph.db"))
        early: list[float] = []

        def progress(done: int, report: QueryLogReport) -> None:
            if not early and report.queries >= args.queries // 10:
                early.append(peak_rss_mb())

        started = time.perf_counter()
        report = ingest_querylog(store, log, QueryLogOptions(), on_progress=progress)
        elapsed = time.perf_counter() - started
        store.close()
        size = log.stat().st_size / 1e6
    print(f"{report.queries} queries ({size:.1f} MB) in {elapsed:.1f} s: {report.queries / elapsed:.0f} queries/s")
    print(
        f"{report.statements} statements, {report.edges} column edges, {report.reads} reads, {len(report.failures)} failures"
    )
    print(f"peak RSS: {early[0] if early else 0:.0f} MB after 10% of the log, {peak_rss_mb():.0f} MB at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
