"""What the cost model charges the nested lineage queries of the benchmarks, priced flat (ten edges
per hop, as before the graph was asked) and by the graph (the start column's measured fan-out,
api/gql/fanout.py), beside what the answers really hold, on a synthetic warehouse.

For each query and a sample of start columns it prints the flat price, the graph price (min,
median, max), the objects really in the answer (min, median, max) and how many of the sampled
columns the default budget (TAGLINE_MAX_QUERY_COST) would refuse under each model.

Usage::

    python bench/query_cost.py                      # ~20k columns, 30 columns per query
    python bench/query_cost.py --target-columns 100000 --samples 50
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphql import parse
from lineage_latency import nested_query
from warehouse_gen import generate, tables_for_columns

from tagline.api.gql.context import Context
from tagline.api.gql.cost import graph_regions, operation_cost
from tagline.api.gql.schema import build_schema
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings
from tagline.graph.model import ColumnRef
from tagline.graph.store import GraphStore

DIRECT_FIVE = (
    "query ($ns: String!, $ds: String!, $f: String!) { column(namespace: $ns, dataset: $ds, field: $f) { "
    + "upstream(directOnly: true) { source { dataset field " * 5
    + "} } " * 5
    + "} }"
)


def objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(objects(v) for v in value)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-columns", type=int, default=20_000)
    parser.add_argument("--columns", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args(argv)

    wh = generate(tables_for_columns(args.target_columns, args.columns), args.columns, seed=args.seed)
    batch = wh.lineage_batch()
    print(f"warehouse: {wh.describe()}; {len(batch.edges):,} column edges (seed {args.seed})")
    rng = random.Random(args.seed)
    last = [wh.column_ref(t, c) for t in wh.level(wh.last_level) for c in t.columns]
    fed = {e.source.key for e in batch.edges}
    sources = [ref for t in wh.level(0) for c in t.columns if (ref := wh.column_ref(t, c)).key in fed]
    queries = [
        ("up nested x5 (bench)", nested_query("upstream", 5), rng.sample(last, min(len(last), args.samples))),
        ("up directOnly x5, dataset field", DIRECT_FIVE, rng.sample(last, min(len(last), args.samples))),
        ("down nested x5 (bench)", nested_query("downstream", 5), rng.sample(sources, min(len(sources), args.samples))),
    ]
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="tagline-cost-") as tmp:
        path = str(Path(tmp) / "tagline.db")
        store = GraphStore(path)
        try:
            store.write(batch, kind="bench")
        finally:
            store.close()
        settings = Settings(store=path)
        schema = build_schema(settings)
        thread = StoreThread(path)
        try:
            print(f"{'query':<34} {'flat':>9} {'graph min/med/max':>22} {'answer min/med/max':>22} refused flat/graph")
            for name, document, starts in queries:
                parsed = parse(document)
                flat = operation_cost(schema._schema, parsed, None, variables(starts[0]))
                priced, held = [], []
                for ref in starts:
                    context = Context(thread=thread, settings=settings)
                    priced.append(operation_cost(schema._schema, parsed, None, variables(ref), graph_regions(context)))
                    result = asyncio.run(schema.execute(document, variables(ref), context))
                    held.append(objects(result.data) if result.data else -1)
                budget = settings.max_query_cost
                print(
                    f"{name:<34} {flat:>9,} {spread(priced):>22} {spread(held):>22} "
                    f"{len(starts) if flat > budget else 0}/{sum(p > budget for p in priced)} of {len(starts)}"
                )
        finally:
            thread.close()
    return 0


def variables(ref: ColumnRef) -> dict[str, str]:
    return {"ns": ref.namespace, "ds": ref.dataset, "f": ref.field}


def spread(values: list[int]) -> str:
    return f"{min(values):,}/{int(statistics.median(values)):,}/{max(values):,}"


if __name__ == "__main__":
    raise SystemExit(main())
