"""Generated Hive ETL scripts through Tagline's SQL lineage, edge for edge against their plan.

    python bench/sql_etl.py [--tables 200] [--columns 20] [--seed 7]

``warehouse_gen.py`` plans a warehouse (staging, core, wide, marts, roll-ups) and renders each job
as a multi-statement Hive script (``WITH ... INSERT OVERWRITE TABLE ... SELECT`` with joins, CTEs,
hashes, CASE and aggregates); the same plan states the lineage each script stands for. Each script
goes through ``extract_sql`` with the warehouse's catalog, and its edges (source, target, type,
subtype, masking) must equal the planned ones. Prints scripts and statements read, failures, edges
matched, missing and extra, and the time taken.
"""

from __future__ import annotations

import argparse
import sys
import time

from warehouse_gen import generate

from tagline.graph.model import ColumnEdge
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql

Key = tuple[str, str, str, str | None, bool]


def key(edge: ColumnEdge) -> Key:
    subtype = edge.transformation.subtype.value if edge.transformation.subtype else None
    return (edge.source.key, edge.target.key, edge.transformation.type.value, subtype, edge.transformation.masking)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    warehouse = generate(args.tables, args.columns, seed=args.seed)
    catalog = Catalog.from_mapping(warehouse.catalog())
    failures, matched, missing, extra, statements, spent = 0, 0, 0, 0, 0, 0.0
    for job, script in warehouse.sql_scripts():
        start = time.perf_counter()
        batch = extract_sql(
            script, dialect="hive", namespace=warehouse.namespace, job=warehouse.job_ref(job), catalog=catalog
        )
        spent += time.perf_counter() - start
        statements += batch.statements
        planned = {key(e) for e in warehouse.job_batch(job).edges}
        found = {key(e) for e in batch.edges}
        matched += len(planned & found)
        missing += len(planned - found)
        extra += len(found - planned)
        for failure in batch.failures:
            failures += 1
            print(f"  FAIL {job.file_name} {failure.location}: {failure.reason}")
        if planned != found:
            print(f"  DIFF {job.file_name}: missing {sorted(planned - found)[:3]}, extra {sorted(found - planned)[:3]}")
    print(
        f"hive etl: {len(warehouse.jobs)} scripts, {statements} statements, {failures} failures;"
        f" {matched} planned edges found, {missing} missing, {extra} extra;"
        f" {1000 * spent / max(statements, 1):.1f} ms per statement"
    )
    return 1 if failures or missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
