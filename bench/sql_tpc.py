"""TPC-H and TPC-DS through Tagline's SQL lineage: every query as a CTAS, against the real schemas.

    pip install -e '.[bench]'     # duckdb and its tpch / tpcds extensions, for this benchmark only
    python bench/sql_tpc.py

The 22 TPC-H and 99 TPC-DS queries and their schemas are not copied into this repository: they are
read at benchmark time from DuckDB's ``tpch`` and ``tpcds`` extensions, installed from PyPI as the
``duckdb-ext-tpch`` / ``duckdb-ext-tpcds`` packages (MIT; the queries and schemas are the TPC's
benchmark specifications, TPC-H and TPC-DS, as DuckDB ships them). ``CALL dbgen(sf = 0)`` and
``CALL dsdgen(sf = 0)`` create the empty tables, whose columns and types become the catalog.

Each query ``N`` runs as ``CREATE TABLE tpch_qN AS <query>`` (dialect duckdb). A query passes when it
has no failure, every output column has a source of its value (DIRECT, or the WINDOW/CONDITIONAL
columns of ``rank() OVER (...)`` and ``sum(CASE WHEN ...)``; constants excepted), and every source
column of every edge is a column of the schema (or ``table.*``, which ``COUNT(*)`` reads). A hand-checked sample of queries is compared edge by edge, DIRECT and
INDIRECT. Prints failures, per-suite totals and the time taken.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tagline.graph.model import LineageBatch, Subtype
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import extract_sql

_VALUE = (Subtype.WINDOW, Subtype.CONDITIONAL)
"""INDIRECT subtypes that still decide one output's value: ``rank() OVER (...)``, ``sum(CASE WHEN c THEN 1 ...)``."""

SUITES = {"tpch": ("tpch_queries", "dbgen"), "tpcds": ("tpcds_queries", "dsdgen")}

HAND_CHECKED: dict[str, set[tuple[str, str, str]]] = {
    # TPC-H Q6: one aggregate of two columns, filtered by three.
    "tpch_q06": {
        ("lineitem.l_extendedprice", "revenue", "AGGREGATION"),
        ("lineitem.l_discount", "revenue", "AGGREGATION"),
        ("lineitem.l_shipdate", "revenue", "FILTER"),
        ("lineitem.l_discount", "revenue", "FILTER"),
        ("lineitem.l_quantity", "revenue", "FILTER"),
    },
    # TPC-DS Q3: a three-way join in WHERE, grouped and ordered.
    "tpcds_q03": {
        ("date_dim.d_year", "d_year", "IDENTITY"),
        ("item.i_brand_id", "brand_id", "IDENTITY"),
        ("item.i_brand", "brand", "IDENTITY"),
        ("store_sales.ss_ext_sales_price", "sum_agg", "AGGREGATION"),
        *(
            (source, target, kind)
            for target in ("d_year", "brand_id", "brand", "sum_agg")
            for source, kind in (
                ("date_dim.d_date_sk", "FILTER"),
                ("store_sales.ss_sold_date_sk", "FILTER"),
                ("store_sales.ss_item_sk", "FILTER"),
                ("item.i_item_sk", "FILTER"),
                ("item.i_manufact_id", "FILTER"),
                ("date_dim.d_moy", "FILTER"),
                ("date_dim.d_year", "GROUP_BY"),
                ("item.i_brand", "GROUP_BY"),
                ("item.i_brand_id", "GROUP_BY"),
                ("date_dim.d_year", "SORT"),
                ("store_sales.ss_ext_sales_price", "SORT"),
                ("item.i_brand_id", "SORT"),
            )
        ),
    },
}
"""Query -> every (source column, target column, subtype) edge, worked out by hand from the SQL."""


@dataclass
class Result:
    name: str
    batch: LineageBatch
    seconds: float
    problems: list[str]


def suite(name: str) -> tuple[Catalog, list[tuple[int, str]]]:
    """The schema (as a catalog) and the queries of one suite, from a fresh in-memory DuckDB that
    loads the extension from its installed package (nothing is downloaded)."""
    import duckdb  # pyright: ignore[reportMissingImports]
    import duckdb_ext  # pyright: ignore[reportMissingImports]

    queries, generator = SUITES[name]
    connection = duckdb.connect(config={"allow_unsigned_extensions": "true", "autoinstall_known_extensions": "false"})
    (extension,) = Path(next(iter(duckdb_ext.__path__))).glob(f"extensions/*/*/{name}.duckdb_extension")
    connection.execute(f"LOAD '{extension}'")
    connection.execute(f"CALL {generator}(sf = 0)")
    columns = connection.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY table_name, ordinal_position"
    ).fetchall()
    schema: dict[str, dict[str, str]] = {}
    for table, column, data_type in columns:
        schema.setdefault(table, {})[column] = data_type
    rows = connection.execute(f"SELECT query_nr, query FROM {queries}() ORDER BY query_nr").fetchall()
    return Catalog.from_mapping(schema), rows


def check(name: str, query: str, catalog: Catalog) -> Result:
    sql = f"CREATE TABLE {name} AS\n{query.strip().rstrip(';')}"
    start = time.perf_counter()
    batch = extract_sql(sql, dialect="duckdb", namespace="tpc", catalog=catalog)
    seconds = time.perf_counter() - start
    problems = [f"failure: {f.location}: {f.reason}" for f in batch.failures]
    known = set(_catalog_columns(catalog))
    targets = [c.field for c in batch.columns if c.dataset == name]
    fed = {
        e.target.field
        for e in batch.edges
        if e.transformation.type.value == "DIRECT" or e.transformation.subtype in _VALUE
    }
    constants = _constant_outputs(query)
    for column in targets:
        if column not in fed and column not in constants:
            problems.append(f"output {column} has no source of its value")
    for edge in batch.edges:
        if (edge.source.dataset, edge.source.field) not in known:
            problems.append(f"edge from {edge.source.dataset}.{edge.source.field}, not a column of the schema")
    expected = HAND_CHECKED.get(name)
    if expected is not None:
        got = {
            (f"{e.source.dataset}.{e.source.field}", e.target.field, e.transformation.subtype.value)
            for e in batch.edges
            if e.transformation.subtype is not None
        }
        if got != expected:
            problems.append(f"hand-checked: missing {sorted(expected - got)}, extra {sorted(got - expected)}")
    return Result(name, batch, seconds, problems)


def _catalog_columns(catalog: Catalog) -> Iterator[tuple[str, str]]:
    """Every (table, column) of the schema, and (table, ``*``): ``COUNT(*)`` depends on whole rows."""
    for table, columns in catalog.to_mapping().items():
        yield table, "*"
        for column in columns:
            yield table, column


def _constant_outputs(query: str) -> set[str]:
    """Outputs that are literals (``'store' AS channel``): no column feeds them, rightly."""
    import sqlglot

    names: set[str] = set()
    for select in sqlglot.parse_one(query, read="duckdb").find_all(sqlglot.exp.Select):
        for projection in select.expressions:
            if not any(True for _ in projection.find_all(sqlglot.exp.Column)) and not projection.find(sqlglot.exp.Star):
                names.add(projection.alias_or_name)
    return names


def main() -> int:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    failed = 0
    for name in SUITES:
        try:
            catalog, queries = suite(name)
        except ImportError:
            print("duckdb and its tpch/tpcds extensions are not installed: pip install -e '.[bench]'", file=sys.stderr)
            return 2
        results = [check(f"{name}_q{number:02d}", query, catalog) for number, query in queries]
        bad = [r for r in results if r.problems]
        failed += len(bad)
        edges = sum(len(r.batch.edges) for r in results)
        spent = sum(r.seconds for r in results)
        print(
            f"{name}: {len(results) - len(bad)}/{len(results)} queries pass, {len(bad)} failures;"
            f" {edges} edges; {1000 * spent / len(results):.1f} ms per query ({spent:.2f} s in all)"
        )
        for result in bad:
            print(f"  FAIL {result.name}")
            for problem in result.problems[:5]:
                print(f"       {problem}")
        checked = [r.name for r in results if r.name in HAND_CHECKED]
        if checked:
            print(f"  hand-checked edge by edge: {', '.join(checked)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
