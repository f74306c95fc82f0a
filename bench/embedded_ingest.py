"""Ingest into the embedded store by the CLI, in column edges per CPU-second, beside its floors.

One run, three figures:

  tagline   ``tagline ingest sql <folder> --catalog ...`` on a generated warehouse, a fresh
            GremLite file: the CPU time of the whole process (start-up, parsing, writing, tag
            propagation), and the column edges (``derives``) it created.
  parse     ``extract_sql`` alone over the same scripts, in this process: the share that is
            parsing, which no store can remove.
  floor     the rows the CLI left in the store (GremLite's quads, strings and graphelts tables)
            inserted again into a fresh file with the same tables and indexes, by plain SQLite
            ``executemany`` in one transaction: what writing those rows costs at least.

Usage::

    python bench/embedded_ingest.py                      # 400 tables, about 19k column edges
    python bench/embedded_ingest.py --tagline /other/checkout/.venv/bin/tagline   # before/after

Everything happens in a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from warehouse_gen import generate

from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql

TABLES = ("strings", "graphelts", "quads")


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    return time.process_time()


def run_cli(command: list[str]) -> tuple[float, float]:
    """CPU seconds and wall seconds of one CLI run."""
    cpu, wall = child_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, "TERM": "dumb"})
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return child_cpu() - cpu, time.perf_counter() - wall


def derives_count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT id FROM strings WHERE v = 'derives'").fetchone()
        return int(con.execute("SELECT count(*) FROM quads WHERE p = ?", [-row[0]]).fetchone()[0]) if row else 0
    finally:
        con.close()


def floor(source: Path, target: Path) -> tuple[int, float]:
    """Rows of GremLite's tables copied into a fresh GremLite file by executemany: (rows, CPU s)."""
    from gremlite import SQLiteConnection

    SQLiteConnection(target).close()  # GremLite's own tables and indexes
    con = sqlite3.connect(source)
    rows = {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    con.close()
    rows["strings"] = [r for r in rows["strings"] if r[0] != 3]  # the empty string every file starts with
    con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    started = own_cpu()
    con.execute("BEGIN IMMEDIATE")
    for table, found in rows.items():
        if found:
            marks = ",".join("?" * len(found[0]))
            con.executemany(f"INSERT INTO {table} VALUES ({marks})", found)
    con.execute("COMMIT")
    spent = own_cpu() - started
    con.close()
    return sum(len(r) for r in rows.values()), spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=400)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each figure; the least CPU counts (the machine is shared)"
    )
    parser.add_argument("--tagline", default=str(Path(sys.executable).parent / "tagline"), help="the CLI to run")
    args = parser.parse_args(argv)

    wh = generate(args.tables, args.columns, seed=args.seed)
    load = os.getloadavg()[0]
    print(f"warehouse: {wh.describe()}; load {load:.1f} on {os.cpu_count()} cores; least CPU of {args.repeat} runs")
    with tempfile.TemporaryDirectory(prefix="tagline-bench-") as tmp:
        folder = Path(tmp) / "sql"
        wh.write(folder)
        start_cpu = min(run_cli([args.tagline, "--help"])[0] for _ in range(args.repeat))
        runs = []
        for attempt in range(args.repeat):
            store = Path(tmp) / f"tagline-{attempt}.db"
            runs.append(
                run_cli(
                    [
                        *(args.tagline, "ingest", "sql", str(folder), "--dialect", wh.dialect),
                        *("--namespace", wh.namespace, "--catalog", str(folder / "catalog.json")),
                        *("--store", str(store), "--create"),
                    ]
                )
            )
        cpu, wall = min(runs)
        edges = derives_count(store)

        catalog = Catalog.from_mapping(wh.catalog())
        parse_runs = []
        for _ in range(args.repeat):
            started = own_cpu()
            for job, text in wh.sql_scripts():
                extract_sql(text, dialect=wh.dialect, namespace=wh.namespace, source=job.file_name, catalog=catalog)
            parse_runs.append(own_cpu() - started)
        parse_cpu = min(parse_runs)

        rows, floor_cpu = min(floor(store, Path(tmp) / f"floor-{i}.db") for i in range(args.repeat))

    def per_cpu(seconds: float) -> str:
        return f"{edges / seconds:>9,.0f}" if seconds > 0 else "        -"

    print(f"{'':<44} {'CPU s':>7} {'edges/CPU-s':>12}")
    print(f"{'tagline ingest sql (whole process)':<44} {cpu:>7.2f} {per_cpu(cpu):>12}   wall {wall:.1f} s")
    print(f"{'  of which start-up (tagline --help)':<44} {start_cpu:>7.2f}")
    print(f"{'parse alone (extract_sql, in process)':<44} {parse_cpu:>7.2f} {per_cpu(parse_cpu):>12}")
    print(
        f"{'floor: the same rows by raw SQLite':<44} {floor_cpu:>7.2f} {per_cpu(floor_cpu):>12}"
        f"   {rows:,} rows, {rows / floor_cpu:,.0f} rows/CPU-s"
    )
    print(
        f"summary: {edges:,} column edges; Tagline {edges / cpu:,.0f} column edges per CPU-second of the CLI, "
        f"raw SQLite inserts of its rows {edges / floor_cpu:,.0f} ({floor_cpu / cpu:.0%} of the CLI's CPU)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
