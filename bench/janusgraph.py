"""JanusGraph (one local server, on BerkeleyJE + Lucene and on Cassandra + Lucene) beside GremLite,
in the same run: ingest rate and lineage latency over HTTP on the same synthetic warehouse.

1. Plans a warehouse with ``warehouse_gen`` and builds its ``LineageBatch`` (no SQL parsing).
2. For each engine: an empty store (a temporary GremLite file; a JanusGraph Server started from
   deploy/janusgraph on a free port with a temporary data folder, as the tests do, its graph in
   BerkeleyJE or in a one-node Cassandra 5.0 started from deploy/cassandra), then
   ``GraphStore.write`` of the batch in chunks of ``--chunk`` column edges, one transaction each,
   timed: column edges/s and elements (vertices + edges) /s; then, on the same JanusGraph Server,
   plain gremlinpython writing the same vertices and edges (same properties, under other keys) in
   requests of ``--raw-request`` elements, each its own transaction, with no look-up and no change
   log: what the server itself takes, beside what Tagline gets of it.
3. ``tagline serve`` on that store and the four lineage queries of ``lineage_latency.py`` (nested
   and flat, upstream from mart columns and downstream from source columns), the same columns on
   both engines; p50/p95 and store round trips per query.

Usage::

    python bench/janusgraph.py                          # ~3,000 columns, 20 columns per query
    python bench/janusgraph.py --target-columns 10000 --samples 50
    python bench/janusgraph.py --storage cql            # GremLite and JanusGraph on Cassandra only
    python bench/janusgraph.py --storage berkeleyje --ingest-only   # the write rates alone
    python bench/janusgraph.py --storage cql --ingest-only --writers 1 --writers 4   # 1 and 4 writer processes
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import __
from janusgraph_python.driver.serializer import JanusGraphBinarySerializersV1

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lineage_latency import Kind, ask, flat_query, measure, nested_query, pct, report, start_server, stop_server
from warehouse_gen import generate, tables_for_columns

from tagline.graph import schema
from tagline.graph.model import LineageBatch
from tagline.graph.store import GraphStore
from tagline.graph.writers.batch import edge_specs, vertex_specs
from tests import cassandra_node, janusgraph_server


@dataclass
class Ingest:
    engine: str
    edges: int
    elements: int
    seconds: float
    disk_mb: float = 0.0
    # What the disk figure holds: on JanusGraph, Tagline's elements and the plain writer's together.
    elements_on_disk: int = 0

    @property
    def edges_per_s(self) -> float:
        return self.edges / self.seconds

    @property
    def ms_per_edge(self) -> float:
        return self.seconds * 1000 / self.edges


def chunks(batch: LineageBatch, size: int) -> list[LineageBatch]:
    return [LineageBatch(edges=batch.edges[i : i + size]) for i in range(0, len(batch.edges), size)]


def ingest(engine: str, location: str, parts: list[LineageBatch]) -> Ingest:
    store = GraphStore(location)
    edges = elements = 0
    started = time.perf_counter()
    try:
        for part in parts:
            written = store.write(part, kind="bench")
            edges += sum(1 for e in part.edges)
            elements += written.vertices_created + written.edges_created
    finally:
        store.close()
    return Ingest(engine, edges, elements, time.perf_counter() - started)


def _write_share(location: str, parts: list[LineageBatch]) -> tuple[int, int]:
    """One writer process's share of a parallel ingest: its column edges and elements written."""
    store = GraphStore(location)
    edges = elements = 0
    try:
        for part in parts:
            written = store.write(part, kind="bench")
            edges += len(part.edges)
            elements += written.vertices_created + written.edges_created
    finally:
        store.close()
    return edges, elements


def parallel_ingest(engine: str, location: str, parts: list[LineageBatch], writers: int) -> Ingest:
    """``writers`` processes, each with its own store and connection, writing every ``writers``-th
    transaction: the wall time from the first start to the last end."""
    if writers == 1:
        return ingest(engine, location, parts)
    shares = [parts[n::writers] for n in range(writers)]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(writers) as pool:
        done = pool.starmap(_write_share, [(location, share) for share in shares])
    seconds = time.perf_counter() - started
    return Ingest(f"{engine} x{writers}", sum(e for e, _ in done), sum(n for _, n in done), seconds)


def raw_ingest(engine: str, url: str, parts: list[LineageBatch], per_request: int) -> Ingest:
    """The same vertices and edges as Tagline writes (a column's `has_column` edge included), with
    plain gremlinpython: chained addV/addE in requests of ``per_request`` elements, each request its
    own transaction; keys prefixed so they do not meet Tagline's."""
    remote = DriverRemoteConnection(url, "g", message_serializer=JanusGraphBinarySerializersV1())
    g = traversal().with_remote(remote)
    ids: dict[str, object] = {}
    edges = elements = 0
    started = time.perf_counter()
    try:
        for part in parts:
            now = "2026-01-01T00:00:00Z"
            vertices = [(k, v) for k, v in vertex_specs(part).items() if k not in ids]
            for i in range(0, len(vertices), per_request):
                chunk = vertices[i : i + per_request]
                step: Any = g  # a traversal source, then the traversal it starts
                for n, (key, spec) in enumerate(chunk):
                    step = step.add_v(spec.label).property("vlabel", spec.label).property("first_seen", now)
                    for name, value in {**spec.props, "uid": "raw|" + key}.items():
                        step = step.property(name, value)
                    step = step.as_(f"v{n}")
                names = [f"v{n}" for n in range(len(chunk))]
                found = step.select(*names).by(__.id_()).next() if len(names) > 1 else {"v0": step.id_().next()}
                ids.update((key, found[f"v{n}"]) for n, (key, _) in enumerate(chunk))
            new_edges = [
                (schema.HAS_COLUMN, schema.dataset_key_of_column(v.props), k, {})
                for k, v in vertices
                if v.label == schema.COLUMN
            ]
            for key, spec in edge_specs(part, now).items():
                props = {**spec.props, "uid": "raw|" + key, "first_seen": now, "last_seen": now, "ingested_at": now}
                new_edges.append((spec.label, spec.out_key, spec.in_key, {n: v for n, v in props.items() if v}))
            for i in range(0, len(new_edges), per_request):
                step = g
                for n, (label, out_key, in_key, props) in enumerate(new_edges[i : i + per_request]):
                    step = step.V(ids[out_key]).as_(f"a{n}").V(ids[in_key]).as_(f"b{n}")
                    step = step.add_e(label).from_(f"a{n}").to(f"b{n}").property("elabel", label)
                    for name, value in props.items():
                        step = step.property(name, value)
                step.iterate()
            edges += len(part.edges)
            elements += len(vertices) + len(new_edges)
    finally:
        remote.close()
    return Ingest(engine, edges, elements, time.perf_counter() - started)


def disk_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def query(location: str, kinds: list[Kind], warm: dict[str, list], log: Path, budget_s: float) -> None:
    process, url = start_server(location, log)
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            for kind in kinds:
                for col in warm[kind.direction]:
                    ask(client, kind, col)
            deadline = time.monotonic() + budget_s
            for kind in kinds:
                measure(client, kind, deadline)
    finally:
        stop_server(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-columns", type=int, default=3_000, help="about this many columns [3000]")
    parser.add_argument("--columns", type=int, default=25, help="about this many columns per table [25]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=500, help="column edges per write transaction [500]")
    parser.add_argument("--samples", type=int, default=20, help="columns asked about per query [20]")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up requests per query [3]")
    parser.add_argument("--depth", type=int, default=5, help="lineage depth [5]")
    parser.add_argument("--budget", type=float, default=120, help="seconds allowed per engine for queries [120]")
    parser.add_argument(
        "--storage",
        action="append",
        choices=["berkeleyje", "cql"],
        help="JanusGraph's storage backends to measure, one per option [berkeleyje and cql]",
    )
    parser.add_argument(
        "--raw-request", type=int, default=250, help="elements per request of the plain gremlinpython writer [250]"
    )
    parser.add_argument("--ingest-only", action="store_true", help="measure the writes, skip the lineage queries")
    parser.add_argument(
        "--writers",
        type=int,
        action="append",
        help="also write the warehouse again (other keys: a fresh server) with this many writer processes "
        "in parallel, one option per count [none]",
    )
    args = parser.parse_args(argv)
    if not janusgraph_server.available():
        print(janusgraph_server.MISSING, file=sys.stderr)
        return 2

    wh = generate(tables_for_columns(args.target_columns, args.columns), args.columns, seed=args.seed)
    batch = wh.lineage_batch()
    parts = chunks(batch, args.chunk)
    print(
        f"warehouse: {wh.describe()}; {len(batch.edges):,} column edges in {len(parts)} transactions "
        f"(seed {args.seed}, {os.cpu_count()} cores)"
    )
    rng = random.Random(args.seed)
    last = [wh.column_ref(t, c) for t in wh.level(wh.last_level) for c in t.columns]
    fed = {e.source.key for e in batch.edges}
    sources = [ref for t in wh.level(0) for c in t.columns if (ref := wh.column_ref(t, c)).key in fed]
    picked_last = rng.sample(last, min(len(last), args.samples + args.warmup))
    picked_src = rng.sample(sources, min(len(sources), args.samples + args.warmup))
    warm = {"upstream": picked_last[: args.warmup], "downstream": picked_src[: args.warmup]}

    def kinds() -> list[Kind]:
        d = args.depth
        return [
            Kind(f"up nested x{d} (last)", nested_query("upstream", d), "upstream", True, picked_last[args.warmup :]),
            Kind(f"up flat depth {d} (last)", flat_query("upstream", d), "upstream", False, picked_last[args.warmup :]),
            Kind(
                f"down nested x{d} (src)", nested_query("downstream", d), "downstream", True, picked_src[args.warmup :]
            ),
            Kind(
                f"down flat depth {d} (src)",
                flat_query("downstream", d),
                "downstream",
                False,
                picked_src[args.warmup :],
            ),
        ]

    results: list[tuple[Ingest, list[Kind]]] = []
    with tempfile.TemporaryDirectory(prefix="tagline-bench-") as tmp:
        gremlite = str(Path(tmp) / "tagline.db")
        loaded = ingest("GremLite", gremlite, parts)
        loaded.disk_mb = sum(f.stat().st_size for f in Path(tmp).glob("tagline.db*")) / 1e6
        asked = [] if args.ingest_only else kinds()
        if asked:
            query(gremlite, asked, warm, Path(tmp) / "serve-gremlite.log", args.budget)
        results.append((loaded, asked))

        for storage in args.storage or ["berkeleyje", "cql"]:
            engine = "JanusGraph BDB" if storage == "berkeleyje" else "JanusGraph CQL"
            node = None
            started = time.perf_counter()
            if storage == "cql":
                node = cassandra_node.start(Path(tmp) / "cassandra")
                print(f"Cassandra answered after {time.perf_counter() - started:.1f} s")
            server = janusgraph_server.start(Path(tmp) / f"janusgraph-{storage}", node.port if node else None)
            print(f"JanusGraph Server ({storage}) answered after {time.perf_counter() - started:.1f} s")
            try:
                loaded = ingest(engine, server.url, parts)
                raw = raw_ingest(f"{engine} raw", server.url, parts, args.raw_request)
                loaded.elements_on_disk = loaded.elements + raw.elements
                results.append((raw, []))
                asked = [] if args.ingest_only else kinds()
                if asked:
                    query(server.url, asked, warm, Path(tmp) / f"serve-janusgraph-{storage}.log", args.budget)
                results.insert(-1, (loaded, asked))
                for writers in args.writers or []:
                    janusgraph_server.clear(server.url)  # the same keys again, on an empty graph
                    results.append((parallel_ingest(engine, server.url, parts, writers), []))
            finally:
                server.stop()
                if node is not None:
                    node.stop()  # Cassandra flushes its memtables as it stops: its tables are on disk after
            graph_disk = (
                disk_mb(server.data / "berkeleyje") if node is None else disk_mb(node.data / "data" / "tagline")
            )
            loaded.disk_mb = graph_disk + disk_mb(server.data / "lucene")

    print()
    print(
        f"{'engine':<14} {'column edges':>12} {'elements':>9} {'seconds':>8} {'edges/s':>8} {'ms/edge':>8} "
        f"{'disk MB':>8} {'B/element':>9}"
    )
    for loaded, _ in results:
        print(
            f"{loaded.engine:<14} {loaded.edges:>12,} {loaded.elements:>9,} {loaded.seconds:>8.1f} "
            f"{loaded.edges_per_s:>8,.0f} {loaded.ms_per_edge:>8.2f} {loaded.disk_mb:>8.1f} "
            f"{loaded.disk_mb * 1e6 / max(loaded.elements_on_disk or loaded.elements, 1):>9,.0f}"
        )
    for loaded, asked in results:
        if asked:
            print(f"\nlineage over HTTP, {loaded.engine}:")
            report(asked)
    print(
        "\nsummary: "
        + "; ".join(
            ", ".join(
                [f"{loaded.engine} ingest {loaded.edges_per_s:,.0f} column edges/s"]
                + [
                    f"{k.name} p50 {statistics.median(k.latencies_ms):.0f} ms p95 {pct(k.latencies_ms, 95):.0f} ms"
                    for k in asked
                    if k.latencies_ms
                ]
            )
            for loaded, asked in results
        )
    )
    tagline = {i.engine: i for i, _ in results}
    for raw, _ in results:
        if raw.engine.endswith(" raw"):
            mine = tagline[raw.engine.removesuffix(" raw")]
            print(
                f"{mine.engine}: Tagline writes {mine.elements / mine.seconds:,.0f} elements/s, "
                f"{100 * (mine.elements / mine.seconds) / (raw.elements / raw.seconds):.0f} % of plain gremlinpython's "
                f"{raw.elements / raw.seconds:,.0f}"
            )
    return 0 if all(k.latencies_ms for _, asked in results for k in asked) else 1


if __name__ == "__main__":
    sys.exit(main())
