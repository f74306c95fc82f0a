"""A real ``dbt-ol run`` of a small dbt project on DuckDB posting to Tagline, compared with
``tagline ingest dbt`` of the same project's artifacts into a second store.

The project (tests/fixtures/dbt_duckdb) has two raw tables (seeded, declared as sources), a view
``stg_customers`` and a table ``customer_orders`` with a join, a filter, aggregates and a hashed
e-mail. dbt-ol names datasets ``duckdb://<database file>`` + ``<database>.<schema>.<table>``;
``tagline ingest dbt --namespace duckdb://<database file>`` is given the same namespace, and then
both ways must describe the same datasets, columns and direct column lineage.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import dbt_ol
from tests.e2e.conftest import Server, run_cli, start_server, stop_server
from tests.engines import need

pytestmark = pytest.mark.engine

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "dbt_duckdb"
MODELS = ("shop.main.stg_customers", "shop.main.customer_orders")
SOURCES = ("shop.main.raw_customers", "shop.main.raw_orders")


@dataclass(frozen=True)
class BothWays:
    emitted: Server
    """The store dbt-ol's events were posted to."""
    ingested: Server
    """The store `tagline ingest dbt` wrote."""
    namespace: str
    dbt_ol_output: str


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BothWays]:
    """dbt seed, dbt-ol run (to one Tagline), dbt docs generate, tagline ingest dbt (to another);
    skipped without dbt-ol, unless TAGLINE_REQUIRE_DBT=1 makes that a failure."""
    need(dbt_ol.available(), dbt_ol.REQUIRE_ENV, dbt_ol.MISSING)
    root = tmp_path_factory.mktemp("dbt")
    project = root / "shop"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb"))
    namespace = f"duckdb://{project / 'shop.duckdb'}"
    emitted = start_server(str(root / "emitted.db"))
    ingested = start_server(str(root / "ingested.db"))
    try:
        dbt_ol.run(project, "dbt", "seed")
        output = dbt_ol.run(project, "dbt-ol", "run", env={"OPENLINEAGE_URL": emitted.url})
        dbt_ol.run(project, "dbt", "docs", "generate")
        run_cli(
            "ingest", "dbt", "--manifest", str(project / "target" / "manifest.json"),
            "--catalog", str(project / "target" / "catalog.json"),
            "--namespace", namespace, "--store", ingested.store,
        )  # fmt: skip
        yield BothWays(emitted=emitted, ingested=ingested, namespace=namespace, dbt_ol_output=output)
    finally:
        stop_server(emitted)
        stop_server(ingested)


DATASET = """
query ($ns: String!, $name: String!) {
  dataset(namespace: $ns, name: $name) {
    columns { field upstream(directOnly: true) { source { namespace dataset field } } }
    writers { namespace name }
    readers { namespace name }
  }
}
"""


def dataset(server: Server, namespace: str, name: str) -> dict[str, Any]:
    answer = server.graphql(DATASET, {"ns": namespace, "name": name})
    assert "errors" not in answer, answer
    found = answer["data"]["dataset"]  # type: ignore[index]
    assert found is not None, f"{server.store} has no dataset {namespace} {name}"
    return found


def direct_lineage(found: dict[str, Any]) -> dict[str, set[tuple[str, str, str]]]:
    """Each column's direct upstream columns (namespace, dataset, field)."""
    return {
        c["field"]: {(e["source"]["namespace"], e["source"]["dataset"], e["source"]["field"]) for e in c["upstream"]}
        for c in found["columns"]
    }


def jobs(found: dict[str, Any], role: str) -> set[tuple[str, str]]:
    return {(j["namespace"], j["name"]) for j in found[role]}


def test_dbt_ol_posted_every_model_run(both: BothWays) -> None:
    assert "Emitted 6 OpenLineage events" in both.dbt_ol_output  # START and COMPLETE of the run and of each model


def test_both_ways_give_the_same_datasets_and_columns(both: BothWays) -> None:
    for name in (*MODELS, *SOURCES):
        emitted = dataset(both.emitted, both.namespace, name)
        ingested = dataset(both.ingested, both.namespace, name)
        emitted_fields = {c["field"] for c in emitted["columns"]}
        ingested_fields = {c["field"] for c in ingested["columns"]}
        if name in MODELS:
            assert emitted_fields == ingested_fields, name
        else:  # the events name the source columns the models read; the catalog names them all
            assert emitted_fields <= ingested_fields, name


def test_both_ways_give_the_same_direct_column_lineage(both: BothWays) -> None:
    ns = both.namespace
    expected = {
        "shop.main.stg_customers": {
            "customer_id": {(ns, "shop.main.raw_customers", "id")},
            "email": {(ns, "shop.main.raw_customers", "email")},
            "full_name": {(ns, "shop.main.raw_customers", "full_name")},
            "country_code": {(ns, "shop.main.raw_customers", "country_code")},
        },
        "shop.main.customer_orders": {
            "customer_id": {(ns, "shop.main.stg_customers", "customer_id")},
            "email_hash": {(ns, "shop.main.stg_customers", "email")},
            "order_count": {(ns, "shop.main.raw_orders", "id")},
            "total_amount": {(ns, "shop.main.raw_orders", "amount")},
        },
    }
    for name, columns in expected.items():
        assert direct_lineage(dataset(both.emitted, ns, name)) == columns, f"dbt-ol: {name}"
        assert direct_lineage(dataset(both.ingested, ns, name)) == columns, f"ingest dbt: {name}"


def test_a_models_job_is_named_by_database_schema_package_and_model_both_ways(both: BothWays) -> None:
    """The rule found in dbt-ol's events, which ``tagline ingest dbt`` follows: namespace
    ``OPENLINEAGE_NAMESPACE`` (default ``dbt``), name ``<database>.<schema>.<package>.<model>``."""
    for found in (both.emitted, both.ingested):
        assert jobs(dataset(found, both.namespace, "shop.main.stg_customers"), "writers") == {
            ("dbt", "shop.main.shop.stg_customers")
        }


def test_both_ways_give_the_same_jobs(both: BothWays) -> None:
    for name in (*MODELS, *SOURCES):
        emitted = dataset(both.emitted, both.namespace, name)
        ingested = dataset(both.ingested, both.namespace, name)
        assert jobs(emitted, "writers") == jobs(ingested, "writers"), name
        assert jobs(emitted, "readers") == jobs(ingested, "readers"), name
