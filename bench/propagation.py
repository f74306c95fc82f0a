"""Tag propagation on a generated warehouse: a full recomputation, and the incremental cost of one
new edge, one new declaration and one removal near a source.

    .venv/bin/python bench/propagation.py --columns 100000

The warehouse has layers of 20-column datasets; each column is derived from 1 to 5 columns of the
layer above (fan-in; 1 input for 70% of them), with every transformation kind (masking and
INDIRECT edges included), a few edges back to earlier layers (cycles), and 2% of the source
columns (``--tagged``) declared pii / confidential / restricted. Lineage is written without propagation, so the
first full pass computes everything from scratch.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from tagline.governance.service import Governance
from tagline.graph.model import (
    Column,
    ColumnEdge,
    ColumnRef,
    DeclaredTag,
    JobRef,
    LineageBatch,
    LineageType,
    Subtype,
    Transformation,
)
from tagline.graph.store import GraphStore

KINDS = [
    (LineageType.DIRECT, Subtype.IDENTITY, False, 45),
    (LineageType.DIRECT, Subtype.TRANSFORMATION, False, 20),
    (LineageType.DIRECT, Subtype.AGGREGATION, False, 8),
    (LineageType.DIRECT, Subtype.TRANSFORMATION, True, 10),
    (LineageType.DIRECT, Subtype.AGGREGATION, True, 5),
    (LineageType.INDIRECT, Subtype.JOIN, False, 5),
    (LineageType.INDIRECT, Subtype.FILTER, False, 4),
    (LineageType.INDIRECT, Subtype.GROUP_BY, False, 3),
]
WIDTH = 20
LAYERS = 6


def warehouse(columns: int, rng: random.Random) -> tuple[list[list[ColumnRef]], list[ColumnEdge]]:
    per_layer = columns // LAYERS
    layers = [
        [
            ColumnRef(namespace="bench://wh", dataset=f"l{layer}.t{n // WIDTH}", field=f"c{n % WIDTH}")
            for n in range(per_layer)
        ]
        for layer in range(LAYERS)
    ]
    kinds = [k[:3] for k in KINDS]
    weights = [k[3] for k in KINDS]
    edges = []
    for layer in range(1, LAYERS):
        above = layers[layer - 1]
        for n, target in enumerate(layers[layer]):
            fan_in = 1 if rng.random() < 0.7 else rng.choice([2, 2, 2, 3, 5])
            centre = n + rng.randrange(-200, 200)
            for _ in range(fan_in):
                source = above[(centre + rng.randrange(-40, 40)) % len(above)]
                edges.append(_edge(source, target, rng.choices(kinds, weights)[0], f"job_l{layer}_{n // WIDTH}"))
            if layer >= 2 and rng.random() < 0.005:  # a feedback edge: makes cycles
                back = layers[layer - 2][min(n, per_layer - 1)]
                edges.append(_edge(target, back, kinds[0], f"feedback_{layer}_{n}"))
    return layers, edges


def _edge(source: ColumnRef, target: ColumnRef, kind: tuple, job: str) -> ColumnEdge:
    t = Transformation(type=kind[0], subtype=kind[1], masking=kind[2])
    return ColumnEdge(source=source, target=target, transformation=t, job=JobRef(namespace="bench", name=job))


def timed(label: str, fn):
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    elapsed = time.perf_counter() - started
    spent = time.process_time() - cpu
    detail = (
        f"  ({result.columns_changed} columns changed, {result.audit_entries} audit entries)"
        if hasattr(result, "columns_changed")
        else ""
    )
    print(f"{label:<58} {elapsed * 1000:>10.1f} ms  (CPU {spent * 1000:.1f} ms){detail}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--columns", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tagged", type=float, default=0.02, help="share of source columns tagged [0.02]")
    parser.add_argument("--store", help="GremLite file to use [default: a temporary file]")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    layers, edges = warehouse(args.columns, rng)
    sources = layers[0]
    tagged = rng.sample(sources, max(1, round(len(sources) * args.tagged)))
    path = args.store or str(Path(tempfile.mkdtemp()) / "bench.db")
    store = GraphStore(path)
    gov = Governance(store)
    n_columns = sum(len(layer) for layer in layers)
    print(
        f"warehouse: {n_columns} columns, {len(edges)} derives edges, {len(tagged)} tagged source columns; "
        f"store {path}; load {os.getloadavg()[0]:.1f}"
    )

    started = time.perf_counter()
    for layer in layers:
        store.write(LineageBatch(columns=[Column(**c.model_dump()) for c in layer]))
    gov.declare_many(
        [
            DeclaredTag(column=c, tag=t)
            for c in tagged
            for t in rng.sample(["pii", "confidential", "restricted", "pci"], 2)
        ],
        "bench",
    )
    for n in range(0, len(edges), 5000):
        store.write(LineageBatch(edges=edges[n : n + 5000]))
    print(
        f"{'load (lineage written without propagation)':<58} {(time.perf_counter() - started) * 1000:>10.1f} ms",
        flush=True,
    )

    timed("full recomputation, first (computes and writes all)", lambda: gov.propagate_full("bench"))
    timed("full recomputation, again (reads + computes, no change)", lambda: gov.propagate_full("bench"))

    mid = layers[2][len(layers[2]) // 2]
    new_edge = _edge(tagged[0], mid, KINDS[0][:3], "bench_new_edge")

    def ingest_one_edge():
        batch = LineageBatch(edges=[new_edge])
        return gov.after_write(store.write(batch), "ingest:bench")

    timed("incremental: one new edge (write + propagate)", ingest_one_edge)
    fresh = rng.choice([c for c in sources if c not in tagged])
    timed("incremental: one new declaration on a source column", lambda: gov.declare(fresh, "pii.email", "bench"))
    timed("incremental: removal of that declaration", lambda: gov.remove(fresh, "pii.email", "bench"))
    timed(
        "incremental: removal of a declaration on a tagged source",
        lambda: gov.remove(tagged[1], store_declared(store, tagged[1]), "bench"),
    )
    store.close()


def store_declared(store: GraphStore, column: ColumnRef) -> str:
    from tagline.governance.state import column_states

    return sorted(column_states(store, [column.key])[column.key].declared)[0]


if __name__ == "__main__":
    main()
