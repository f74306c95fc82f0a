"""The catalog the SQL extractor resolves names against: loading, lookup, normalisation, layering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagline.ingest.catalog import Catalog
from tagline.ingest.dialects import resolve_dialect

HIVE = resolve_dialect("hive")


def test_list_and_typed_forms_load_to_the_same_shape() -> None:
    catalog = Catalog.from_mapping({"db.a": ["x", "y"], "cat.db.b": {"z": "bigint"}})
    assert catalog.to_mapping() == {"db.a": {"x": None, "y": None}, "cat.db.b": {"z": "bigint"}}
    assert len(catalog) == 2


def test_from_file_and_json_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"shop.orders": {"ID": "int", "Total": "decimal(10,2)"}}))
    catalog = Catalog.from_file(path)
    assert Catalog.from_mapping(json.loads(catalog.to_json())).to_mapping() == catalog.to_mapping()


def test_find_folds_names_by_the_dialect() -> None:
    catalog = Catalog.from_mapping({"Shop.Orders": {"ID": "int", '"Mixed"': "text"}})
    assert catalog.find(("shop", "orders"), HIVE) == {"id": "int", "mixed": "text"}
    # Snowflake folds unquoted names to upper case; the canonical form is lower case in every dialect,
    # and a quoted name with lower-case letters keeps its case.
    assert catalog.find(("shop", "orders"), resolve_dialect("snowflake")) == {"id": "int", "Mixed": "text"}
    assert catalog.find(("shop", "orders"), resolve_dialect("postgres")) == {"id": "int", "Mixed": "text"}


def test_find_matches_shorter_or_longer_names_when_unique() -> None:
    catalog = Catalog.from_mapping({"prod.shop.orders": ["id"], "shop.items": ["sku"]})
    assert catalog.find(("orders",), HIVE) == {"id": None}
    assert catalog.find(("shop", "orders"), HIVE) == {"id": None}
    assert catalog.find(("hive", "shop", "items"), HIVE) == {"sku": None}
    assert catalog.find(("other", "orders"), HIVE) is None


def test_ambiguous_short_name_is_not_guessed() -> None:
    catalog = Catalog.from_mapping({"a.orders": ["id"], "b.orders": ["id"]})
    assert catalog.find(("orders",), HIVE) is None
    assert catalog.find(("b", "orders"), HIVE) == {"id": None}


def test_layer_reads_through_and_keeps_additions_to_itself() -> None:
    base = Catalog.from_mapping({"db.s": ["a"]})
    layer = base.layer()
    layer.add_table("db.n", {"b": "int"})
    assert layer.find(("db", "s"), HIVE) == {"a": None}
    assert layer.find(("db", "n"), HIVE) == {"b": "int"}
    assert base.find(("db", "n"), HIVE) is None
    assert layer.to_mapping() == {"db.s": {"a": None}, "db.n": {"b": "int"}}


def test_tables_added_after_a_lookup_are_found() -> None:
    catalog = Catalog()
    assert catalog.find(("db", "t"), HIVE) is None
    catalog.add_table("db.t", {"x": None})
    assert catalog.find(("db", "t"), HIVE) == {"x": None}


@pytest.mark.parametrize("mapping", [["db.t"], {"db.t": "x"}, {"": ["x"]}, {"db.t": 3}])
def test_malformed_catalogs_are_rejected(mapping: object) -> None:
    with pytest.raises(ValueError):
        Catalog.from_mapping(mapping)  # type: ignore[arg-type]


def test_bigquery_table_names_keep_their_case_and_columns_fold() -> None:
    catalog = Catalog.from_mapping({"proj.Raw.Users": ["Email"]})
    assert catalog.find(("proj", "Raw", "Users"), resolve_dialect("bigquery")) == {"email": None}
