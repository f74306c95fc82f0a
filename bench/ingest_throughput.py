"""Ingest throughput: how fast lineage gets into the embedded store, next to what GremLite itself
can write.

Three measurements in one run, printed side by side:

  raw       GremLite through gremlinpython 3.7, no Tagline code: single ``addV`` and ``addE``
            traversals, one per element, inside one transaction on a fresh file (the floor every
            write of Tagline is built from).
  ingest    SQL text -> ``extract_sql`` -> ``GraphStore.write``, one transaction per job script,
            into a fresh store: column edges (``derives``) created per second and statements per
            second, with extraction and writing timed apart.
  re-ingest the same scripts again, through a newly opened store (a second ``tagline ingest sql``
            run): nothing is created, every edge is found and its ``last_seen`` refreshed.

Usage::

    python bench/ingest_throughput.py                  # default size, about 20-60 s on 2 cores
    python bench/ingest_throughput.py --tables 40      # smaller warehouse
    python bench/ingest_throughput.py --profile 25     # also profile the first ingest's writes

Everything happens in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from warehouse_gen import generate

from tagline.graph import schema
from tagline.graph.model import JobRef, LineageBatch
from tagline.graph.store import GraphStore

DEFAULT_TABLES = 200
DEFAULT_COLUMNS = 20
DEFAULT_RAW_WRITES = 3000


# ---- (a) raw GremLite ------------------------------------------------------------------------------


@dataclass
class Row:
    phase: str
    what: str
    count: int
    seconds: float
    unit: str
    note: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else float("inf")


def raw_gremlite(path: Path, n: int) -> list[Row]:
    """Single-element writes through gremlinpython into GremLite, all in one transaction.

    Vertices: ``g.add_v('column').property(...)`` with one property, then with the six a Tagline
    column vertex carries. Edges: ``addE`` between existing vertices, bare and with the nine
    properties of a Tagline ``derives`` edge. Edges name their ends the way GremLite accepts
    (``V(a).as_('a').V(b).as_('b').add_e(...).from_('a').to('b')``).
    """
    from gremlin_python.process.anonymous_traversal import traversal
    from gremlite import SQLiteConnection

    remote = SQLiteConnection(path)
    try:
        remote.con.execute("PRAGMA journal_mode=WAL")
        remote.con.execute("PRAGMA synchronous=NORMAL")
        g = traversal().with_remote(remote)
        rows: list[Row] = []
        remote.con.execute("BEGIN IMMEDIATE")

        started = time.perf_counter()
        for i in range(n):
            g.add_v("column").property(schema.KEY, f"v|{i}").iterate()
        rows.append(Row("raw", "addV, 1 property", n, time.perf_counter() - started, "vertices"))

        ids = []
        started = time.perf_counter()
        for i in range(n):
            ids.append(
                g.add_v("column")
                .property(schema.KEY, f"c|hive://wh|dw.t|f{i}")
                .property("namespace", "hive://wh")
                .property("dataset", "dw.t")
                .property("field", f"f{i}")
                .property("first_seen", "2024-01-01T00:00:00.000Z")
                .property("data_type", "string")
                .id_()
                .next()
            )
        rows.append(
            Row(
                "raw",
                "addV, 6 properties",
                n,
                time.perf_counter() - started,
                "vertices",
                "a column vertex; id read back",
            )
        )

        started = time.perf_counter()
        for i in range(n):
            a, b = ids[i], ids[(i * 7 + 1) % n]
            g.V(a).as_("a").V(b).as_("b").add_e("derives").from_("a").to("b").iterate()
        rows.append(Row("raw", "addE, no property", n, time.perf_counter() - started, "edges"))

        started = time.perf_counter()
        for i in range(n):
            a, b = ids[i], ids[(i * 11 + 3) % n]
            (
                g.V(a)
                .as_("a")
                .V(b)
                .as_("b")
                .add_e("derives")
                .from_("a")
                .to("b")
                .property(schema.KEY, f"e|{i}")
                .property("first_seen", "2024-01-01T00:00:00.000Z")
                .property("last_seen", "2024-01-01T00:00:00.000Z")
                .property("job", "j|airflow|build")
                .property("type", "DIRECT")
                .property("subtype", "TRANSFORMATION")
                .property("masking", False)
                .property("description", "")
                .property("expression", "lower(trim(a.email))")
                .iterate()
            )
        rows.append(Row("raw", "addE, 9 properties", n, time.perf_counter() - started, "edges", "a derives edge"))

        started = time.perf_counter()
        remote.con.commit()
        rows.append(
            Row("raw", "commit", 4 * n, time.perf_counter() - started, "elements", "the one commit of the rows above")
        )
        return rows
    finally:
        remote.close()


# ---- (b), (c) Tagline ingest -----------------------------------------------------------------------


@dataclass
class Pass:
    statements: int = 0
    failures: int = 0
    derives_created: int = 0
    derives_seen: int = 0  # distinct derives edges the batches named
    edges_created: int = 0  # all labels
    edges_refreshed: int = 0  # all labels
    vertices_created: int = 0
    extract_s: float = 0.0
    write_s: float = 0.0
    failure_reasons: list[str] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return self.extract_s + self.write_s


def ingest_pass(
    store: GraphStore,
    scripts: list[tuple[str, str, JobRef]],
    catalog: object,
    namespace: str,
    extract: Callable[..., LineageBatch],
    profiler: cProfile.Profile | None = None,
) -> Pass:
    """Extract and write each script as its own transaction, timing the two apart."""
    result = Pass()
    for source, text, job in scripts:
        started = time.perf_counter()
        batch = extract(
            text, dialect="hive", namespace=namespace, source=source, catalog=catalog, job=job, namespace_map={}
        )
        extracted = time.perf_counter()
        if profiler:
            profiler.enable()
        written = store.write(batch, kind="sql")
        if profiler:
            profiler.disable()
        result.write_s += time.perf_counter() - extracted
        result.extract_s += extracted - started

        keys = {e.key for e in batch.edges}
        created = {e.key for e in written.new_column_edges}
        result.statements += batch.statements
        result.failures += len(batch.failures)
        result.failure_reasons += [f"{f.source} {f.location}: {f.reason}" for f in batch.failures]
        result.derives_seen += len(keys)
        result.derives_created += len(created)
        result.edges_created += written.edges_created
        result.edges_refreshed += written.edges_refreshed
        result.vertices_created += written.vertices_created
    return result


def load_extractor() -> tuple[Callable[..., LineageBatch], Callable[[dict[str, list[str]]], object]]:
    try:
        from tagline.ingest.catalog import Catalog
        from tagline.ingest.sql.extract import extract_sql
    except ImportError as exc:
        raise SystemExit(f"the SQL extractor is not importable yet ({exc}); nothing to measure") from exc
    return extract_sql, Catalog.from_mapping


# ---- output ----------------------------------------------------------------------------------------


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def print_table(rows: list[Row]) -> None:
    header = f"{'phase':<10} {'what':<34} {'count':>8} {'seconds':>8} {'per second':>12}  unit"
    print(header)
    print("-" * len(header))
    for r in rows:
        note = f"  ({r.note})" if r.note else ""
        print(f"{r.phase:<10} {r.what:<34} {r.count:>8,} {r.seconds:>8.2f} {fmt_rate(r.rate):>12}  {r.unit}{note}")


def pass_rows(phase: str, p: Pass, edges: int, edge_unit: str) -> list[Row]:
    elements = p.vertices_created + p.edges_created + p.edges_refreshed
    return [
        Row(phase, "extract_sql", p.statements, p.extract_s, "statements"),
        Row(phase, "GraphStore.write", edges, p.write_s, edge_unit),
        Row(
            phase,
            "GraphStore.write",
            elements,
            p.write_s,
            "elements",
            "vertices + edges of all labels, created or refreshed",
        ),
        Row(phase, "total (extract + write)", edges, p.total_s, edge_unit),
        Row(phase, "total (extract + write)", p.statements, p.total_s, "statements"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tables", type=int, default=DEFAULT_TABLES, help=f"tables in the warehouse [{DEFAULT_TABLES}]"
    )
    parser.add_argument(
        "--columns", type=int, default=DEFAULT_COLUMNS, help=f"about this many columns per table [{DEFAULT_COLUMNS}]"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--raw-writes", type=int, default=DEFAULT_RAW_WRITES, help=f"writes per raw GremLite row [{DEFAULT_RAW_WRITES}]"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile GraphStore.write during the first ingest and print the top N entries",
    )
    args = parser.parse_args(argv)

    extract_sql, make_catalog = load_extractor()
    wh = generate(args.tables, args.columns, seed=args.seed)
    catalog = make_catalog(wh.catalog())
    scripts = [(job.file_name, text, wh.job_ref(job)) for job, text in wh.sql_scripts()]
    planned = {e.key for e in wh.lineage_batch().edges}
    print(
        f"warehouse: {wh.describe()}; {len(planned):,} column edges planned (seed {args.seed}, {os.cpu_count()} cores)"
    )

    with tempfile.TemporaryDirectory(prefix="tagline-bench-") as tmp:
        rows = raw_gremlite(Path(tmp) / "raw.db", args.raw_writes)

        path = str(Path(tmp) / "tagline.db")
        profiler = cProfile.Profile() if args.profile else None
        store = GraphStore(path)
        try:
            first = ingest_pass(store, scripts, catalog, wh.namespace, extract_sql, profiler)
            after_first = store.counts()
        finally:
            store.close()
        store = GraphStore(path)  # a second run starts with an empty id cache, like a new CLI process
        try:
            second = ingest_pass(store, scripts, catalog, wh.namespace, extract_sql)
            after_second = store.counts()
        finally:
            store.close()
        db_mb = sum(f.stat().st_size for f in Path(tmp).glob("tagline.db*")) / 1e6

    rows += pass_rows("ingest", first, first.derives_created, "derives created")
    rows += pass_rows("re-ingest", second, second.derives_seen - second.derives_created, "derives refreshed")
    print()
    print_table(rows)
    print()
    idempotent = after_first == after_second and second.derives_created == 0
    print(
        f"store after ingest: {after_first['column']:,} columns, {after_first['derives']:,} derives, "
        f"{sum(after_first[label] for label in schema.EDGE_LABELS):,} edges in all, {db_mb:.1f} MB; "
        f"all labels written in the first pass: {first.vertices_created:,} vertices + {first.edges_created:,} edges; "
        f"re-ingest {'changed no count' if idempotent else 'CHANGED COUNTS: ' + str(after_second)}"
    )
    print(
        f"extracted vs planned lineage: {first.derives_seen:,} derives edges extracted, {len(planned):,} planned; "
        f"{first.failures} statements failed"
    )
    for reason in first.failure_reasons[:5]:
        print(f"  failed: {reason}")

    raw_edge = next(r for r in rows if r.what == "addE, 9 properties")
    print(
        f"summary: {first.derives_created / first.total_s:,.0f} column edges/s and "
        f"{first.statements / first.total_s:,.1f} statements/s ingested "
        f"(extract {first.extract_s:.1f} s + write {first.write_s:.1f} s); "
        f"re-ingest {(second.derives_seen - second.derives_created) / second.total_s:,.0f} edges/s refreshed; "
        f"raw GremLite addE {raw_edge.rate:,.0f}/s"
    )

    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
        stats.print_stats(args.profile)
        print(f"\nprofile of GraphStore.write, first ingest (top {args.profile} by cumulative time):")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
