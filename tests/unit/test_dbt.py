"""dbt artifacts -> batches, on the hand-written fixture in tests/fixtures/dbt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagline.ingest.dbt import adapter_dialect, extract_dbt
from tagline.ingest.dbt_artifacts import ArtifactError, load_catalog, load_manifest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dbt"
NS = "postgres://db:5432"


@pytest.fixture(scope="module")
def project():
    return extract_dbt(load_manifest(FIXTURE / "manifest.json"), load_catalog(FIXTURE / "catalog.json"), namespace=NS)


def job(project, unique_id: str):
    return dict(project.jobs)[unique_id]


def test_datasets_are_named_as_in_the_warehouse(project) -> None:
    assert {(d.name, d.kind) for d in project.datasets.datasets} == {
        ("analytics.raw.customers", "table"),
        ("analytics.raw.orders", "table"),
        ("analytics.seeds.country_codes", "table"),
        ("analytics.staging.stg_customers", "view"),
        ("analytics.staging.stg_orders", "view"),
        ("analytics.marts.customer_orders", "table"),
    }
    assert {d.namespace for d in project.datasets.datasets} == {NS}
    assert project.dialect == "postgres"
    assert [name for name, _ in project.jobs] == [
        "model.shop.stg_customers",
        "model.shop.stg_orders",
        "model.shop.customer_orders",
    ]


def test_columns_carry_catalog_types_and_manifest_descriptions(project) -> None:
    columns = {(c.dataset, c.field): c for c in project.datasets.columns}
    email = columns[("analytics.raw.customers", "email")]
    assert (email.data_type, email.description) == ("text", "Login e-mail")
    assert columns[("analytics.marts.customer_orders", "order_count")].data_type == "bigint"


def test_column_tags_and_meta_become_declared_tags(project) -> None:
    assert {(t.column.dataset, t.column.field, t.tag) for t in project.datasets.tags} == {
        ("analytics.raw.customers", "email", "pii"),
        ("analytics.raw.customers", "email", "confidential"),
        ("analytics.raw.customers", "full_name", "pii"),
        ("analytics.marts.customer_orders", "email_hash", "internal"),
    }


def test_each_model_reads_its_refs_and_writes_itself(project) -> None:
    batch = job(project, "model.shop.customer_orders")
    assert {(r.job.namespace, r.job.name) for r in batch.reads} == {("dbt", "analytics.marts.shop.customer_orders")}
    assert {r.dataset.name for r in batch.reads} == {
        "analytics.staging.stg_customers",
        "analytics.staging.stg_orders",
        "analytics.seeds.country_codes",
    }
    assert [w.dataset.name for w in batch.writes] == ["analytics.marts.customer_orders"]
    assert batch.jobs[0].description == "The customer_orders model"


def test_column_lineage_through_cte_aggregate_and_hash(project) -> None:
    edges = {
        (
            e.source.dataset,
            e.source.field,
            e.target.field,
            e.transformation.type.value,
            e.transformation.subtype.value if e.transformation.subtype else None,
            e.transformation.masking,
        )
        for e in job(project, "model.shop.customer_orders").edges
    }
    assert ("analytics.staging.stg_orders", "amount", "revenue", "DIRECT", "AGGREGATION", False) in edges
    assert ("analytics.staging.stg_orders", "order_id", "order_count", "DIRECT", "AGGREGATION", True) in edges
    assert ("analytics.staging.stg_customers", "email", "email_hash", "DIRECT", "TRANSFORMATION", True) in edges
    assert ("analytics.staging.stg_orders", "customer_id", "revenue", "INDIRECT", "GROUP_BY", False) in edges
    assert ("analytics.seeds.country_codes", "code", "country_name", "INDIRECT", "JOIN", False) in edges


def test_a_model_that_does_not_parse_fails_alone(tmp_path: Path) -> None:
    manifest = json.loads((FIXTURE / "manifest.json").read_text())
    manifest["nodes"]["model.shop.stg_orders"]["compiled_code"] = "select id as from from where"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    project = extract_dbt(
        load_manifest(tmp_path / "manifest.json"), load_catalog(FIXTURE / "catalog.json"), namespace=NS
    )
    failed = {name: batch.failures for name, batch in project.jobs if batch.failures}
    assert list(failed) == ["model.shop.stg_orders"]
    failure = failed["model.shop.stg_orders"][0]
    assert failure.location == "models/stg_orders.sql" and "parse error" in failure.reason
    assert failure.payload.startswith('CREATE VIEW "analytics"."staging"."stg_orders" AS select id as from')
    assert job(project, "model.shop.customer_orders").edges


def test_namespace_defaults_to_the_adapter() -> None:
    project = extract_dbt(load_manifest(FIXTURE / "manifest.json"))
    assert project.namespace == "postgres"


def test_unsupported_manifest_version_is_refused(tmp_path: Path) -> None:
    manifest = json.loads((FIXTURE / "manifest.json").read_text())
    manifest["metadata"]["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/v7.json"
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="v10-v12"):
        load_manifest(tmp_path / "manifest.json")


def test_broken_artifacts_say_which_file(tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_text("{nope")
    with pytest.raises(ArtifactError, match=r"catalog\.json is not JSON"):
        load_catalog(tmp_path / "catalog.json")


@pytest.mark.parametrize(
    ("adapter", "dialect"), [("sqlserver", "tsql"), ("databricks", "databricks"), ("glue", "spark")]
)
def test_adapter_dialects(adapter: str, dialect: str) -> None:
    assert adapter_dialect(adapter) == dialect


def test_unknown_adapter_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="known adapters"):
        adapter_dialect("cobol")
