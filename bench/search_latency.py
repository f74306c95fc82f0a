"""Search latency at a given number of columns: what `search` (GraphQL) and `/api/v1/search`
(Marquez) answer from, the lineage index's name index, timed in process.

The synthetic warehouse (``warehouse_gen.py``) is loaded into a lineage index directly as change
log entries (its datasets, columns and jobs; search reads no edges), so a million columns load
in about a minute instead of the quarter hour a store write takes. Then, for each kind of query,
many searches of a first page of 20:

- exact     a column's whole field name (`email_03`)
- prefix    the first three letters of a field name
- word      the start of a name's second word (`ord` in `orders_0042`)
- substring three letters from inside a word
- one char  a single letter: nearly every name matches (the worst case for ranking)
- none      a string no name holds

and the cost of the first search (the name index built) and of a search right after 1,000 new
columns arrived (taken in on the way).

Usage::

    python bench/search_latency.py --columns 1000000
    python bench/search_latency.py --columns 100000 --repeat 300
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from warehouse_gen import Warehouse, generate, tables_for_columns

from tagline.graph import schema
from tagline.graph.changelog import changes
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.index.name_index import words
from tagline.graph.model import column_key, dataset_key, job_key

ALL = (schema.DATASET, schema.COLUMN, schema.JOB)


def entries(wh: Warehouse) -> list[changes.Entry]:
    """The warehouse's vertices as the change log would carry them."""
    found: list[changes.Entry] = []
    for t in wh.tables:
        found.append(
            [
                changes.VERTEX,
                dataset_key(wh.namespace, t.full_name),
                schema.DATASET,
                {"namespace": wh.namespace, "name": t.full_name, "kind": "table"},
            ]
        )
        found.extend(
            [
                changes.VERTEX,
                column_key(wh.namespace, t.full_name, c),
                schema.COLUMN,
                {"namespace": wh.namespace, "dataset": t.full_name, "field": c},
            ]
            for c in t.columns
        )
    found.extend(
        [changes.VERTEX, job_key(wh.job_namespace, j.name), schema.JOB, {"namespace": wh.job_namespace, "name": j.name}]
        for j in wh.jobs
    )
    return found


def queries(wh: Warehouse, rng: random.Random, n: int) -> dict[str, list[str]]:
    fields = sorted({c for t in wh.tables for c in t.columns})
    tables = [t.full_name for t in wh.tables]
    second = [w for t in tables if len(ws := words(t.lower())) > 1 for w in ws[1:2] if len(w) >= 3]
    inner = [f[1:4] for f in fields if len(f) >= 5]
    return {
        "exact": rng.choices(fields, k=n),
        "prefix": [f[:3] for f in rng.choices(fields, k=n)],
        "word": [w[:3] for w in rng.choices(second, k=n)],
        "substring": rng.choices(inner, k=n),
        "one char": rng.choices("aeiost", k=n),
        "none": ["zqzqx"] * n,
    }


def timed_ms(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--columns", type=int, default=1_000_000, help="about this many columns")
    parser.add_argument("--repeat", type=int, default=200, help="searches per kind of query")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    started = time.perf_counter()
    wh = generate(tables_for_columns(args.columns, 25), 25, seed=args.seed)
    index = LineageIndex()
    index.apply_entries(entries(wh))
    load = time.perf_counter() - started
    names = len({c for t in wh.tables for c in t.columns} | {t.full_name for t in wh.tables})
    print(
        f"{wh.column_count:,} columns, {len(wh.tables):,} datasets, {len(wh.jobs):,} jobs, "
        f"{names:,} distinct names; generated and indexed in {load:.1f} s"
    )

    first_ms, _ = timed_ms(lambda: index.search("email", ALL, None, 0, 20))
    print(f"first search (name index built): {first_ms:.0f} ms")

    print("\n| query | p50 ms | p99 ms | max ms | hits (median) |\n|---|---|---|---|---|")
    for kind, texts in queries(wh, rng, args.repeat).items():
        times, totals = [], []
        for text in texts:
            ms, page = timed_ms(lambda text=text: index.search(text, ALL, None, 0, 20))  # type: ignore[misc]
            times.append(ms)
            totals.append(page.total)  # type: ignore[attr-defined]
        print(
            f"| {kind} | {pct(times, 50):.1f} | {pct(times, 99):.1f} | {max(times):.1f} | {int(statistics.median(totals)):,} |"
        )

    filtered = [
        timed_ms(lambda: index.search("ord", (schema.COLUMN,), wh.namespace, 0, 20))[0] for _ in range(args.repeat)
    ]
    print(
        f"| prefix, columns of one namespace | {pct(filtered, 50):.1f} | {pct(filtered, 99):.1f} | {max(filtered):.1f} | |"
    )
    deep = [timed_ms(lambda: index.search("e", ALL, None, 10_000, 20))[0] for _ in range(20)]
    print(f"| one char, page at offset 10,000 | {pct(deep, 50):.1f} | {pct(deep, 99):.1f} | {max(deep):.1f} | |")

    fresh = [
        [
            changes.VERTEX,
            column_key(wh.namespace, "new.table", f"fresh_name_{n}"),
            schema.COLUMN,
            {"namespace": wh.namespace, "dataset": "new.table", "field": f"fresh_name_{n}"},
        ]
        for n in range(1000)
    ]
    index.apply_entries(fresh)
    after_ms, page = timed_ms(lambda: index.search("fresh_name_99", ALL, None, 0, 20))
    print(f"\nsearch right after 1,000 new columns: {after_ms:.0f} ms ({page.total} hits)")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
