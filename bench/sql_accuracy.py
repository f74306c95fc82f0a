"""Accuracy of Tagline's SQL lineage on sqllineage's own test cases.

    python bench/sql_accuracy.py [--corpus ../shared/corpus/sqllineage] [--verbose]

A column case matches when the set of (source column, target column) pairs whose value flows into
the target equals the expected set: DIRECT edges, plus CONDITIONAL and WINDOW columns (they appear
inside the output expression), joined end to end across the statements of a script as sqllineage
reports them. Table and column names are compared case-insensitively (unquoted identifiers are
case-insensitive in every dialect of the corpus; Tagline's canonical form is lower case). A table case matches
when the sets of tables read and written are the expected ones. Every miss is printed with its
reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import ExtractOptions
from tagline.ingest.sql.summary import summarize_sql

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "sqllineage"
VALUE_SUBTYPES = {"WINDOW", "CONDITIONAL"}
LATERAL_ENV = "SQLLINEAGE_LATERAL_COLUMN_ALIAS_REFERENCE"

Pair = tuple[tuple[str | None, str], tuple[str, str]]

_COLUMN = "tests/sql/column/"
KNOWN_DIFFERENCES: dict[str, str] = {
    _COLUMN + "test_column_select_column.py::test_select_unqualified_column_from_join_is_unresolved#1": (
        "deliberate: `col1` could come from either joined table and no catalog says which; Tagline"
        " reports the ambiguity (naming both tables) rather than an edge from an unknown table"
    ),
}
"""Case id -> why we answer differently: ``deliberate`` (we think the expectation is wrong) or
``unsupported`` (a known gap). Explained in the README."""


def read_cases(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def options_for(case: dict) -> tuple[Catalog | None, ExtractOptions]:
    catalog = Catalog.from_mapping(case["metadata"]) if case.get("metadata") else None
    lateral = True if (case.get("env") or {}).get(LATERAL_ENV) == "1" else None
    return catalog, ExtractOptions(lateral_alias=lateral)


def _table(name: str | None) -> str | None:
    return None if name is None else name.lower()


def column_pairs(result: dict) -> set[Pair]:
    """The value-carrying edges, as the first and last column of every path through them: sqllineage
    reports a script's end-to-end lineage, Tagline one edge per hop (the graph joins the hops)."""
    hops = {
        ((_table(e["source"]["dataset"]), e["source"]["field"].lower()),
         (_table(e["target"]["dataset"]), e["target"]["field"].lower()))
        for e in result["edges"]
        if e["type"] == "DIRECT" or e["subtype"] in VALUE_SUBTYPES
    }  # fmt: skip
    return end_to_end(hops)


def end_to_end(hops: set[Pair]) -> set[Pair]:
    loops = {(s, t) for s, t in hops if s == t}
    out: dict = {}
    has_input = set()
    for source, target in hops - loops:
        out.setdefault(source, set()).add(target)
        has_input.add(target)
    pairs = set(loops)
    for start in set(out) - has_input:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            for nxt in out.get(node, ()):
                if nxt in seen:
                    continue
                seen.add(nxt)
                if nxt in out:
                    stack.append(nxt)
                else:
                    pairs.add((start, nxt))
    return pairs


def expected_pairs(case: dict) -> set[Pair]:
    return {((_table(s[0]), s[1].lower()), (_table(t[0]), t[1].lower())) for s, t in case["expected"]}


def table_set(items: list) -> set[str]:
    names = set()
    for item in items:
        if isinstance(item, str):
            names.add(item.lower())
        elif "path" in item:
            names.add(item["path"].lower())
        else:
            names.add(".".join(p for p in (item.get("schema"), item["table"]) if p).lower())
    return names


def check_column(case: dict) -> str | None:
    """``None`` when the case matches, else why not."""
    catalog, options = options_for(case)
    result = summarize_sql(case["sql"], case["dialect"], catalog, options)
    got, want = column_pairs(result), expected_pairs(case)
    if got == want:
        return None
    reason = f"error: {result['error']}; " if result["error"] else ""
    return f"{reason}missing {sorted(want - got, key=str)}, extra {sorted(got - want, key=str)}"


def check_table(case: dict) -> str | None:
    catalog, options = options_for(case)
    result = summarize_sql(case["sql"], case["dialect"], catalog, options)
    got_reads, got_writes = table_set(result["reads"]), table_set(result["writes"])
    want_reads, want_writes = table_set(case["source_tables"]), table_set(case["target_tables"])
    if (got_reads, got_writes) == (want_reads, want_writes):
        return None
    reason = f"error: {result['error']}; " if result["error"] else ""
    return (
        f"{reason}reads {sorted(got_reads)} (want {sorted(want_reads)}),"
        f" writes {sorted(got_writes)} (want {sorted(want_writes)})"
    )


def score(kind: str, cases: list[dict], check, verbose: bool) -> float:
    misses = []
    for case in cases:
        try:
            reason = check(case)
        except Exception as error:
            reason = f"crashed: {type(error).__name__}: {error}"
        if reason is not None:
            misses.append((case, reason))
    matched = len(cases) - len(misses)
    share = 100.0 * matched / len(cases) if cases else 0.0
    print(f"{kind} cases: {matched}/{len(cases)} match ({share:.1f}%)")
    groups: Counter[str] = Counter()
    for case, reason in misses:
        known = KNOWN_DIFFERENCES.get(case["id"])
        groups[known.split(":")[0] if known else "unexplained"] += 1
        print(f"  MISS {case['id']} [{case['dialect']}]")
        print(f"       {known or reason}")
        if verbose or not known:
            print(f"       got: {reason}")
        if verbose:
            print("       " + case["sql"].replace("\n", "\n       "))
    if misses:
        print(f"  misses by reason: {', '.join(f'{n} {why}' for why, n in sorted(groups.items()))}")
    return share


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the sqllineage cases")
    parser.add_argument("--verbose", action="store_true", help="print the SQL of every miss")
    args = parser.parse_args()
    columns = read_cases(args.corpus / "column_cases.jsonl")
    tables = read_cases(args.corpus / "table_cases.jsonl")
    column_share = score("column", columns, check_column, args.verbose)
    table_share = score("table", tables, check_table, args.verbose)
    print(
        f"\ncolumn lineage: {column_share:.1f}% of {len(columns)} cases; table lineage: {table_share:.1f}% of {len(tables)} cases"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
