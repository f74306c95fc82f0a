"""Change review speed: how long `tagline review` takes to answer, on the store's side.

1. **One changed job on a large warehouse** (``warehouse_gen.py``, the generator the lineage-index
   benchmark uses, at ``--columns``): a mid-level job's script with one output column dropped,
   reviewed against the store (parse, lay over the index, propagate, compare) — target ≤ 2 s at
   a million columns. The store is built once (~10 min at 1M; ``--store PATH`` keeps it for the
   next run) and the index loaded before timing.
2. **A dbt project of ``--models`` models with ``--changed`` changed** (generated here): the base
   manifest ingested, then `review dbt` of base against head — both manifests read and mapped,
   every model's lineage compared, the changed ones reviewed at once — target ≤ 60 s for 1,000
   models with 50 changed.

Usage::

    python bench/review.py                              # 100k columns, 1,000 models
    python bench/review.py --columns 1000000 --store /tmp/big.db
    python bench/review.py --only dbt --models 1000 --changed 50
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lineage_index import build_store
from warehouse_gen import generate, tables_for_columns

from tagline.api.services.dbt_ingestion import ingest_dbt_project, read_project
from tagline.api.services.ingestion import SqlOptions
from tagline.api.services.review import DbtArtifacts, review_dbt, review_sql, sql_lineage
from tagline.governance.policy import Policy
from tagline.graph.store import GraphStore
from tagline.ingest.catalog import Catalog
from tagline.ingest.dbt_artifacts import load_manifest

COLUMNS_PER_TABLE = 25  # as bench/lineage_index.py builds its store


def dropped_column(sql: str, dialect: str, catalog: dict[str, list[str]]) -> str:
    """The script with the last output column of its first INSERT taken out, and that column
    taken out of ``catalog`` (the target table as the change leaves it)."""
    statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    first = next(s for s in statements if isinstance(s, exp.Insert))
    select = first.expression
    assert isinstance(select, exp.Select), "the generated INSERT selects"
    dropped = select.expressions[-1].alias_or_name
    select.set("expressions", select.expressions[:-1])
    target = first.this.find(exp.Table)
    assert target is not None
    name = f"{target.db}.{target.name}"
    catalog[name] = [c for c in catalog[name] if c != dropped]
    return ";\n".join(s.sql(dialect=dialect) for s in statements) + ";\n"


def one_job(columns: int, seed: int, path: str | None, repeat: int) -> None:
    wh = generate(tables_for_columns(columns, COLUMNS_PER_TABLE), COLUMNS_PER_TABLE, seed=seed)
    store_path = path or str(Path(tempfile.mkdtemp(prefix="tagline-review-")) / "graph.db")
    if not Path(store_path).exists():
        build_store(store_path, columns, seed)
    store = GraphStore(store_path)
    try:
        started = time.perf_counter()
        counts = store.counts()
        print(
            f"warehouse: {counts['column']:,} columns, {counts['derives']:,} column edges, {counts['job']:,} jobs "
            f"(index loaded in {time.perf_counter() - started:.1f} s)"
        )
        job = next(j for j in wh.jobs if j.level == 2)
        catalog = wh.catalog()
        after = dropped_column(job.sql(), wh.dialect, catalog)
        options = SqlOptions(
            dialect=wh.dialect,
            namespace=wh.namespace,
            job_namespace=wh.job_namespace,
            job_name=job.name,
            catalog=Catalog.from_mapping(catalog),
        )
        times, parsing = [], []
        found: dict[str, object] = {}
        for _ in range(repeat):
            started = time.perf_counter()
            sql_lineage([(job.file_name, after)], options)
            parsing.append(time.perf_counter() - started)
            started = time.perf_counter()
            found = review_sql(store, [(job.file_name, after)], options, Policy())
            times.append(time.perf_counter() - started)
    finally:
        store.close()
    edges = found["edges"]
    downstream = found["downstream"]
    assert isinstance(edges, dict) and isinstance(downstream, dict)
    print(
        f"one changed job ({job.name}, {len(job.statements)} statements): "
        f"{len(edges['added'])} edges added, {len(edges['removed'])} removed, "
        f"{len(found['broken'])} broken, {len(downstream['columns']):,} downstream columns"  # type: ignore[arg-type]
    )
    print(
        f"  review: median {statistics.median(times):.2f} s, best {min(times):.2f} s, worst {max(times):.2f} s "
        f"over {repeat} runs (target ≤ 2 s at 1M columns); of it, parsing the script alone: "
        f"median {statistics.median(parsing):.2f} s"
    )


# ---- dbt -------------------------------------------------------------------------------------
DB = "analytics"
PER_MODEL = 8  # columns per model


def relation(schema: str, name: str) -> str:
    return f'"{DB}"."{schema}"."{name}"'


def dbt_manifest(models: int, changed: set[int], seed: int) -> dict[str, object]:
    """A layered project: 20 sources, then models each selecting from one or two earlier ones
    (a join on `id`); a changed model drops its last column and adds one from its second input."""
    rng = random.Random(seed)
    columns = [f"c{i}" for i in range(PER_MODEL)]
    sources = {}
    for n in range(20):
        uid = f"source.bench.raw.src_{n:03d}"
        sources[uid] = {
            "unique_id": uid, "resource_type": "source", "name": f"src_{n:03d}", "package_name": "bench",
            "database": DB, "schema": "raw", "identifier": f"src_{n:03d}", "relation_name": relation("raw", f"src_{n:03d}"),
            "columns": {c: {"name": c, "tags": ["pii"] if c == "c0" and n % 5 == 0 else []} for c in ["id", *columns]},
        }  # fmt: skip
    upstream = [(uid, relation("raw", node["name"])) for uid, node in sources.items()]  # type: ignore[index]
    nodes = {}
    for n in range(models):
        name = f"m_{n:04d}"
        uid = f"model.bench.{name}"
        first, second = rng.sample(upstream, 2)
        picked = columns[:-1] if n in changed else columns
        select = ", ".join(f"a.{c} AS {c}" for c in picked)
        if n in changed:
            select += ", b.c0 AS extra"
        sql = f"SELECT a.id AS id, {select} FROM {first[1]} a JOIN {second[1]} b ON a.id = b.id"
        nodes[uid] = {
            "unique_id": uid, "resource_type": "model", "name": name, "package_name": "bench", "database": DB,
            "schema": "marts", "alias": name, "relation_name": relation("marts", name), "columns": {},
            "config": {"materialized": "table"}, "depends_on": {"nodes": [first[0], second[0]]},
            "compiled_code": sql, "raw_code": sql,
        }  # fmt: skip
        upstream.append((uid, relation("marts", name)))
    metadata = {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                "generated_at": "2026-01-05T06:00:00Z", "adapter_type": "postgres", "project_name": "bench"}  # fmt: skip
    return {"metadata": metadata, "nodes": nodes, "sources": sources}


def dbt_project(models: int, changed_count: int, seed: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tagline-review-dbt-"))
    changed = set(random.Random(seed).sample(range(models), changed_count))
    (folder / "base.json").write_text(json.dumps(dbt_manifest(models, set(), seed)))
    (folder / "head.json").write_text(json.dumps(dbt_manifest(models, changed, seed)))
    store = GraphStore(str(folder / "graph.db"))
    try:
        started = time.perf_counter()
        ingest_dbt_project(store, read_project(folder / "base.json", None, None))
        print(f"dbt: base project of {models:,} models ingested in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        base = DbtArtifacts(load_manifest(folder / "base.json"))
        head = DbtArtifacts(load_manifest(folder / "head.json"))
        read = time.perf_counter() - started
        found = review_dbt(store, base, head, Policy())
        total = time.perf_counter() - started
    finally:
        store.close()
    edges = found["edges"]
    print(
        f"  review dbt, {changed_count} of {models:,} models changed: {total:.1f} s "
        f"({read:.1f} s reading both manifests); {len(edges['added'])} edges added, "
        f"{len(edges['removed'])} removed, {len(found['tags']['gained'])} tags gained (target ≤ 60 s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--columns", type=int, default=100_000, help="columns of the generated warehouse")
    parser.add_argument("--store", help="keep (or reuse) the warehouse's store at this path")
    parser.add_argument("--repeat", type=int, default=5, help="reviews of the changed job to time")
    parser.add_argument("--models", type=int, default=1_000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("job", "dbt"))
    args = parser.parse_args(argv)
    if args.only != "dbt":
        one_job(args.columns, args.seed, args.store, args.repeat)
    if args.only != "job":
        dbt_project(args.models, args.changed, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
