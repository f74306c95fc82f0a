"""Dependency and declared-source files, in YAML and JSON, and the errors they can give."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagline.api.services.config_files import ConfigError, read_dependency_file, read_sources_file
from tagline.graph.model import DatasetRef, JobRef


def test_yaml_dependencies_with_bare_names_and_other_namespaces(tmp_path: Path) -> None:
    file = tmp_path / "deps.yaml"
    file.write_text("# nightly\nnamespace: airflow\njobs:\n  b: [a, {namespace: dbt, name: m}]\n  a: []\n")
    assert read_dependency_file(file).configured() == {
        JobRef(namespace="airflow", name="b"): [
            JobRef(namespace="airflow", name="a"),
            JobRef(namespace="dbt", name="m"),
        ],
        JobRef(namespace="airflow", name="a"): [],
    }


def test_json_dependencies(tmp_path: Path) -> None:
    file = tmp_path / "deps.json"
    file.write_text('{"namespace": "airflow", "jobs": {"b": ["a"]}}')
    assert list(read_dependency_file(file).configured().values()) == [[JobRef(namespace="airflow", name="a")]]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("deps.yaml", "jobs:\n  b: [a]\n", "'namespace' is required: 'b'"),
        ("deps.json", '{"namespace": "x", "jobs": [1]', "deps.json line 1"),
        ("deps.yaml", "jobs: [oops", "not valid YAML"),
        ("deps.yaml", "namespace: x\njobs: 3\n", "jobs: Input should be a valid dictionary"),
    ],
)
def test_bad_files_say_where_and_why(tmp_path: Path, name: str, text: str, message: str) -> None:
    file = tmp_path / name
    file.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_dependency_file(file)


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_dependency_file(tmp_path / "nope.yaml")


def test_sources_file_maps_namespaces_to_names(tmp_path: Path) -> None:
    file = tmp_path / "sources.yaml"
    file.write_text("mysql://orders-db:3306: [shop.customers, shop.orders]\n")
    assert read_sources_file(file).refs() == [
        DatasetRef(namespace="mysql://orders-db:3306", name="shop.customers"),
        DatasetRef(namespace="mysql://orders-db:3306", name="shop.orders"),
    ]
