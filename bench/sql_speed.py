"""Throughput of Tagline's SQL lineage against sqllineage, on the same corpus in the same run.

    pip install -e '.[bench]'     # sqllineage, for this benchmark only
    python bench/sql_speed.py [--corpus ../shared/corpus/sqllineage] [--rounds 3]

Every case of the corpus (column and table cases) goes through, one after another so that both
tools see the same machine load: Tagline (``summarize_sql``: split, parse, qualify, scope, trace,
build the batch), sqllineage 1.5.9 with its default sqlfluff parser and with its faster
``non-validating`` sqlparse mode, and sqlglot's own parse + qualify + scope of each statement (the
floor: what any sqlglot-based extractor has to pay). Catalogs are built once, outside the timing,
for every tool. Prints statements/s for each and the ratios.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import sqlglot
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope

from tagline.ingest.catalog import Catalog
from tagline.ingest.dialects import resolve_dialect
from tagline.ingest.sql_summary import summarize_sql

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "sqllineage"


def read_cases(corpus: Path) -> list[dict]:
    cases = []
    for name in ("column_cases.jsonl", "table_cases.jsonl"):
        with open(corpus / name, encoding="utf-8") as f:
            cases.extend(json.loads(line) for line in f if line.strip())
    return cases


def tagline(case: dict) -> Callable[[], object]:
    catalog = Catalog.from_mapping(case["metadata"]) if case.get("metadata") else None
    if catalog is not None:
        catalog.find(("warm",), resolve_dialect(case["dialect"]))  # build its index outside the timing
    return lambda: summarize_sql(case["sql"], case["dialect"], catalog)


def sqlglot_floor(case: dict) -> Callable[[], object]:
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the corpus")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    cases = read_cases(args.corpus)
    tools: dict[str, Callable[[dict], Callable[[], object]]] = {
        "tagline": tagline,
        "sqlglot parse+qualify+scope (floor)": sqlglot_floor,
    }
    try:
        tools["sqllineage 1.5.9 (sqlfluff)"] = sqllineage("sqlfluff")
        tools["sqllineage 1.5.9 (non-validating)"] = sqllineage("non-validating")
    except ImportError:
        print("sqllineage is not installed: pip install -e '.[bench]' (or make bench-sql)", file=sys.stderr)
        return 2
    runs = {name: [prepare(case) for case in cases] for name, prepare in tools.items()}
    for run in runs.values():  # warm up: dialect tables, parsers, caches
        run[0]()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for index in range(len(cases)):
            for name, run in runs.items():
                start = time.perf_counter()
                run[index]()
                times[name].append(time.perf_counter() - start)
    rate = {name: len(spent) / sum(spent) for name, spent in times.items()}
    print(f"{len(cases)} cases (SQL inputs, most of one statement) x {args.rounds} rounds, interleaved case by case")
    for name, value in rate.items():
        median = 1000 * statistics.median(times[name])
        print(f"  {name:40s} {value:7.0f} statements/s  (mean {1000 / value:6.2f} ms, median {median:6.2f} ms)")
    ours = rate["tagline"]
    for name in ("sqllineage 1.5.9 (sqlfluff)", "sqllineage 1.5.9 (non-validating)"):
        print(f"tagline / {name}: {ours / rate[name]:.1f}x")
    print(f"tagline / sqlglot floor: {ours / rate['sqlglot parse+qualify+scope (floor)']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
