"""Files operators keep in their own repositories: a scheduler's configured dependencies and the
declared sources. JSON or YAML (any name not ending in .json is read as YAML, a superset of JSON).

Dependencies::

    namespace: airflow             # the namespace of every job named by a bare string
    jobs:
      build_fact_orders: [sync_orders, build_dim_customer]
      report_exec_kpis:
        - build_revenue_by_country_month
        - {namespace: dbt, name: marts.customer_lifetime_value}   # a job of another namespace

Declared sources, namespace -> dataset names::

    mysql://orders-db:3306: [shop.customers, shop.orders]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, RootModel, ValidationError, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tagline.errors import InvalidInput
from tagline.graph.model import DatasetRef, JobRef


class ConfigError(InvalidInput):
    """A configuration file that cannot be used, with where and why."""


class DependencyFile(BaseModel):
    namespace: str | None = Field(None, description="namespace of the jobs named by a bare string")
    jobs: dict[str, list[str | JobRef]]

    @model_validator(mode="after")
    def _bare_names_need_a_namespace(self) -> DependencyFile:
        if self.namespace is None:
            bare = [name for name, deps in self.jobs.items() for d in [name, *deps] if isinstance(d, str)]
            if bare:
                raise ValueError(f"'namespace' is required: {bare[0]!r} is named without one")
        return self

    def ref(self, entry: str | JobRef) -> JobRef:
        return entry if isinstance(entry, JobRef) else JobRef(namespace=self.namespace or "", name=entry)

    def configured(self) -> dict[JobRef, list[JobRef]]:
        """Each job with its configured dependencies, in file order."""
        return {self.ref(name): [self.ref(d) for d in deps] for name, deps in self.jobs.items()}


class SourcesFile(RootModel[dict[str, list[str]]]):
    def refs(self) -> list[DatasetRef]:
        return [DatasetRef(namespace=ns, name=name) for ns, names in self.root.items() for name in names]


def read_document(path: Path) -> Any:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return YAML(typ="safe", pure=True).load(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from exc


def _validated(path: Path, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(read_document(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from exc


def read_dependency_file(path: Path) -> DependencyFile:
    return _validated(path, DependencyFile)


def read_sources_file(path: Path) -> SourcesFile:
    return _validated(path, SourcesFile)
