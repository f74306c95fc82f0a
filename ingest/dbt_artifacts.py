"""dbt's ``manifest.json`` (schema v10-v12) and ``catalog.json``, read into typed models.

Only the parts Tagline uses are typed; everything else in the artifacts is ignored, so newer dbt
versions that add keys still load. The manifest's schema version is checked up front, because the
node shapes (``compiled_code``, ``depends_on``, ``relation_name``) are those of v10-v12.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tagline.errors import InvalidInput

SUPPORTED_VERSIONS = range(10, 13)
_VERSION = re.compile(r"/manifest/v(\d+)\.json$")


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ManifestColumn(_Lenient):
    name: str
    description: str | None = None
    data_type: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)


class DependsOn(_Lenient):
    nodes: list[str] = Field(default_factory=list)


class ManifestNode(_Lenient):
    """A model, seed, snapshot or source (sources carry ``identifier`` instead of ``alias``)."""

    unique_id: str
    resource_type: str
    name: str
    package_name: str = ""
    database: str | None = None
    schema_: str | None = Field(None, alias="schema")
    alias: str | None = None
    identifier: str | None = None
    relation_name: str | None = None
    description: str | None = None
    columns: dict[str, ManifestColumn] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)
    depends_on: DependsOn = Field(default_factory=DependsOn)
    compiled_code: str | None = None
    raw_code: str | None = None
    original_file_path: str | None = None

    @property
    def materialized(self) -> str | None:
        return self.config.get("materialized")

    @property
    def relation(self) -> str:
        """The name the warehouse knows it by, as dbt renders it (quoted where the adapter quotes)."""
        if self.relation_name:
            return self.relation_name
        parts = [self.database, self.schema_, self.identifier or self.alias or self.name]
        return ".".join(p for p in parts if p)


class ManifestMetadata(_Lenient):
    dbt_schema_version: str = ""
    generated_at: datetime | None = None
    adapter_type: str | None = None
    project_name: str | None = None


class Manifest(_Lenient):
    metadata: ManifestMetadata
    nodes: dict[str, ManifestNode] = Field(default_factory=dict)
    sources: dict[str, ManifestNode] = Field(default_factory=dict)


class CatalogColumn(_Lenient):
    name: str
    type: str | None = None
    comment: str | None = None


class CatalogTableMetadata(_Lenient):
    database: str | None = None
    schema_: str | None = Field(None, alias="schema")
    name: str
    type: str | None = None
    comment: str | None = None


class CatalogTable(_Lenient):
    metadata: CatalogTableMetadata
    columns: dict[str, CatalogColumn] = Field(default_factory=dict)


class DbtCatalog(_Lenient):
    nodes: dict[str, CatalogTable] = Field(default_factory=dict)
    sources: dict[str, CatalogTable] = Field(default_factory=dict)

    def table(self, unique_id: str) -> CatalogTable | None:
        return self.nodes.get(unique_id) or self.sources.get(unique_id)


class ArtifactError(InvalidInput):
    """An artifact that cannot be read: says which file and why."""


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ArtifactError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ArtifactError(f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ArtifactError(f"{path}: {where}: {first['msg']}") from exc


def load_manifest(path: Path) -> Manifest:
    data = _load_json(path)
    version = str((data.get("metadata") or {}).get("dbt_schema_version", "")) if isinstance(data, dict) else ""
    found = _VERSION.search(version)
    if found is None or int(found.group(1)) not in SUPPORTED_VERSIONS:
        raise ArtifactError(
            f"{path}: manifest schema {version or 'unknown'} is not supported; Tagline reads manifest v10-v12 "
            "(dbt 1.6 and later)"
        )
    return _validate(Manifest, data, path)


def load_catalog(path: Path) -> DbtCatalog:
    return _validate(DbtCatalog, _load_json(path), path)
