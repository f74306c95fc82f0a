"""How long dependency recommendation, checks and the health report (with its redundant jobs) take on a synthetic warehouse.

A layered warehouse: LAYERS layers of WIDTH jobs; each job reads FAN_IN tables of the layer below
and writes one table of COLUMNS columns, with column lineage from each input. Prints one line per
question with the median of REPEAT runs.

    .venv/bin/python bench/governance_latency.py [--layers 6] [--width 40]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from tagline.governance.health_scan import scan_health
from tagline.governance.redundancy import find_redundant_jobs
from tagline.governance.scheduling import check_dependencies, recommend_dependencies
from tagline.graph.model import (
    ColumnEdge,
    ColumnRef,
    DatasetAccess,
    DatasetRef,
    JobRef,
    LineageBatch,
    LineageType,
    Subtype,
    Transformation,
)
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow

COLUMNS = 8
FAN_IN = 3
REPEAT = 5
IDENTITY = Transformation(type=LineageType.DIRECT, subtype=Subtype.IDENTITY)


def table(layer: int, i: int) -> DatasetRef:
    return DatasetRef(namespace="wh", name=f"l{layer}.t{i}")


def job(layer: int, i: int) -> JobRef:
    return JobRef(namespace="bench", name=f"l{layer}_j{i}")


def build(store: GraphStore, layers: int, width: int) -> None:
    rng = random.Random(7)
    for layer in range(1, layers + 1):
        for i in range(width):
            inputs = rng.sample(range(width), FAN_IN)
            target = table(layer, i)
            edges = [
                ColumnEdge(
                    source=ColumnRef(namespace="wh", dataset=table(layer - 1, s).name, field=f"c{c}"),
                    target=ColumnRef(namespace="wh", dataset=target.name, field=f"c{c}"),
                    transformation=IDENTITY,
                    job=job(layer, i),
                )
                for s in inputs
                for c in range(COLUMNS)
            ]
            store.write(
                LineageBatch(
                    edges=edges,
                    reads=[DatasetAccess(job=job(layer, i), dataset=table(layer - 1, s)) for s in inputs],
                    writes=[DatasetAccess(job=job(layer, i), dataset=target)],
                )
            )


def median_ms(fn) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--width", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = GraphStore(str(Path(folder) / "bench.db"))
        start = time.perf_counter()
        build(store, args.layers, args.width)
        counts = store.counts()
        print(
            f"warehouse: {counts['job']} jobs, {counts['dataset']} datasets, {counts['column']} columns, "
            f"{counts['derives']} column edges (built in {time.perf_counter() - start:.1f} s)"
        )
        now = utcnow()
        top = job(args.layers, 0)
        print(
            f"recommend (top layer, {args.layers} layers upstream): "
            f"{median_ms(lambda: recommend_dependencies(store, top, now, 14)):.0f} ms"
        )
        print(f"recommend --direct-only: {median_ms(lambda: recommend_dependencies(store, top, now, 14, True)):.0f} ms")
        configured = [job(args.layers - 1, i) for i in range(FAN_IN)]
        print(f"check: {median_ms(lambda: check_dependencies(store, top, configured, now, 14)):.0f} ms")
        print(f"health (whole warehouse): {median_ms(lambda: scan_health(store, now, 30)):.0f} ms")
        print(f"  of which redundant jobs (fingerprints): {median_ms(lambda: find_redundant_jobs(store)):.0f} ms")
        store.close()


if __name__ == "__main__":
    main()
