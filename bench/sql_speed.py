"""Throughput of Tagline's SQL lineage against sqllineage, on the same corpus in the same run.

    pip install -e '.[bench]'     # sqllineage, for this benchmark only
    python bench/sql_speed.py [--corpus ../shared/corpus/sqllineage] [--rounds 3]

Every case of the corpus (column and table cases) goes through Tagline (``summarize_sql``: split,
parse, qualify, scope, trace, build the batch), sqllineage 1.5.9 with its default sqlfluff parser
and with its faster ``non-validating`` sqlparse mode, and sqlglot's own parse + qualify + scope of
each statement (the floor: what any sqlglot-based extractor has to pay). Three measures:

- start-up included: one fresh process per tool starts Python, imports that tool only and runs
  every case once (first use of each dialect included), timed from outside;
- first pass: in one process with every tool imported, each tool's first pass over the corpus
  (first use of each dialect, parser and cache included);
- warm: in the same process, ``--rounds`` more passes of every tool over the corpus, the order of
  the tools rotating from round to round.

Catalogs are built per case for every tool. Prints seconds and statements/s for each, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "sqllineage"


def read_cases(corpus: Path) -> list[dict]:
    cases = []
    for name in ("column_cases.jsonl", "table_cases.jsonl"):
        with open(corpus / name, encoding="utf-8") as f:
            cases.extend(json.loads(line) for line in f if line.strip())
    return cases


# Each tool is imported by its loader, so a fresh process (cold()) imports only the tool it measures.


def tagline() -> Callable[[dict], Callable[[], object]]:
    from tagline.ingest.catalog import Catalog
    from tagline.ingest.dialects import resolve_dialect
    from tagline.ingest.sql.summary import summarize_sql

    def prepare(case: dict) -> Callable[[], object]:
        catalog = Catalog.from_mapping(case["metadata"]) if case.get("metadata") else None
        if catalog is not None:
            catalog.find(("warm",), resolve_dialect(case["dialect"]))  # build its index outside the timing
        return lambda: summarize_sql(case["sql"], case["dialect"], catalog)

    return prepare


def sqlglot_floor() -> Callable[[dict], Callable[[], object]]:
    import sqlglot
    from sqlglot.errors import SqlglotError
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.optimizer.scope import build_scope

    from tagline.ingest.dialects import resolve_dialect

    def prepare(case: dict) -> Callable[[], object]:
        dialect = resolve_dialect(case["dialect"])

        def run() -> None:
            try:
                statements = sqlglot.parse(case["sql"], dialect=dialect)
            except SqlglotError:
                return
            for statement in statements:
                if statement is None:
                    continue
                try:
                    qualify(statement, dialect=dialect, schema=case.get("metadata"), validate_qualify_columns=False)
                    build_scope(statement)
                except SqlglotError:
                    pass

        return run

    return prepare


def sqllineage(parser: str) -> Callable[[dict], Callable[[], object]]:
    # The baseline, installed by `make bench-sql` only.
    from sqllineage.core.metadata_provider import MetaDataProvider  # pyright: ignore[reportMissingImports]
    from sqllineage.runner import LineageRunner  # pyright: ignore[reportMissingImports]

    class Metadata(MetaDataProvider):
        def __init__(self, tables: dict[str, list[str]]) -> None:
            super().__init__()
            self.tables = tables

        def _get_table_columns(self, schema: str, table: str, **kwargs: object) -> list[str]:
            return self.tables.get(f"{schema}.{table}", [])

    def prepare(case: dict) -> Callable[[], object]:
        dialect = case["dialect"] if parser == "sqlfluff" else "non-validating"
        metadata = Metadata(case.get("metadata") or {})

        def run() -> None:
            runner = LineageRunner(case["sql"], dialect=dialect, metadata_provider=metadata, silent_mode=True)
            try:
                runner.get_column_lineage()
                runner.source_tables  # noqa: B018 - computes the table lineage
                runner.target_tables  # noqa: B018
            except Exception:
                pass

        return run

    return prepare


TOOLS: dict[str, Callable[[], Callable[[dict], Callable[[], object]]]] = {
    "tagline": tagline,
    "sqlglot parse+qualify+scope (floor)": sqlglot_floor,
    "sqllineage 1.5.9 (sqlfluff)": lambda: sqllineage("sqlfluff"),
    "sqllineage 1.5.9 (non-validating)": lambda: sqllineage("non-validating"),
}
BASELINES = ("sqllineage 1.5.9 (sqlfluff)", "sqllineage 1.5.9 (non-validating)")
FLOOR = "sqlglot parse+qualify+scope (floor)"


def in_process(cases: list[dict], rounds: int) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Seconds of each tool's first pass over the corpus in this process (imported, but each
    dialect, parser and cache used for the first time), and seconds per case of ``rounds`` warm
    passes. Each round runs every tool over the whole corpus, in an order that rotates, so each tool
    pays for its own garbage collection."""
    runs = {name: [prepare(case) for case in cases] for name, prepare in ((n, load()) for n, load in TOOLS.items())}
    first: dict[str, float] = {}
    for name, run in runs.items():
        start = time.perf_counter()
        for case in run:
            case()
        first[name] = time.perf_counter() - start
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            for run in runs[name]:
                start = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - start)
    return first, times


def cold(corpus: Path, name: str) -> float:
    """Wall-clock seconds of a fresh process that starts Python, imports the tool and runs it once
    over the whole corpus: what a user pays to extract lineage of these inputs, start-up included."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--corpus", str(corpus), "--only", name], check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def run_once(corpus: Path, name: str) -> None:
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    prepare = TOOLS[name]()
    for case in read_cases(corpus):
        prepare(case)()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the corpus, in process")
    parser.add_argument("--only", choices=list(TOOLS), help=argparse.SUPPRESS)  # one cold run, for cold()
    args = parser.parse_args()
    if args.only:
        run_once(args.corpus, args.only)
        return 0
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    try:
        sqllineage("sqlfluff")
    except ImportError:
        print("sqllineage is not installed: pip install -e '.[bench]' (or make bench-sql)", file=sys.stderr)
        return 2
    cases = read_cases(args.corpus)
    started = {name: cold(args.corpus, name) for name in TOOLS}
    print(f"{len(cases)} cases (SQL inputs, most of one statement), one fresh process per tool, start-up included")
    for name, seconds in started.items():
        print(f"  {name:40s} {seconds:7.2f} s  ({len(cases) / seconds:5.0f} statements/s)")
    for name in BASELINES:
        print(f"tagline / {name}, start-up included: {started[name] / started['tagline']:.1f}x")
    first, times = in_process(cases, args.rounds)
    print("\nthe same cases in one process, first pass (first use of every dialect and parser included)")
    for name, seconds in first.items():
        print(f"  {name:40s} {seconds:7.2f} s  ({len(cases) / seconds:5.0f} statements/s)")
    for name in BASELINES:
        print(f"tagline / {name}, first pass: {first[name] / first['tagline']:.1f}x")
    rate = {name: len(spent) / sum(spent) for name, spent in times.items()}
    print(f"\nthe same cases x {args.rounds} rounds in one warm process")
    for name, value in rate.items():
        median = 1000 * statistics.median(times[name])
        print(f"  {name:40s} {value:7.0f} statements/s  (mean {1000 / value:6.2f} ms, median {median:6.2f} ms)")
    for name in BASELINES:
        print(f"tagline / {name}, warm: {rate['tagline'] / rate[name]:.1f}x")
    print(f"tagline / sqlglot floor, warm: {rate['tagline'] / rate[FLOOR]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
