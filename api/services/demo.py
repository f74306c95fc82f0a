"""Loading the demo warehouse described by ``examples/warehouse.json``.

The examples are package data (``tagline/examples`` links to the repository's ``examples/``, and the
wheel carries a copy), so ``tagline demo`` works from any folder, in a checkout or an installed wheel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

import tagline
from tagline.api.services.config_files import read_sources_file
from tagline.api.services.ingestion import IngestReport, SqlOptions, sql_batch, write_batch
from tagline.api.services.tag_file import read_tag_file
from tagline.api.settings import load_policy
from tagline.governance.service import Governance
from tagline.graph.model import Job
from tagline.graph.store import GraphStore
from tagline.ingest.catalog import Catalog

PACKAGED_EXAMPLES = Path(tagline.__file__).parent / "examples"


class DemoJob(BaseModel):
    name: str
    namespace: str
    sql: str
    dialect: str
    default_namespace: str
    namespace_map: dict[str, str] = Field(default_factory=dict)
    schedule: str | None = None
    description: str | None = None


class DemoManifest(BaseModel):
    description: str = ""
    catalog: str | None = None
    tags: str | None = None
    sources: str | None = None
    jobs: list[DemoJob]


def default_examples_dir() -> Path:
    return PACKAGED_EXAMPLES


def read_manifest(examples: Path) -> DemoManifest:
    path = examples / "warehouse.json"
    if not path.is_file():
        raise FileNotFoundError(f"no demo manifest at {path}; pass --examples DIR pointing at the examples folder")
    return DemoManifest.model_validate(json.loads(path.read_text()))


def load_demo(store: GraphStore, examples: Path, on_job: Callable[[DemoJob], None] = lambda job: None) -> IngestReport:
    """Ingest every job of the demo in order, each as the scheduled job it stands for."""
    manifest = read_manifest(examples)
    catalog = Catalog.from_file(examples / manifest.catalog) if manifest.catalog else None
    report = IngestReport()
    for job in manifest.jobs:
        options = SqlOptions(
            dialect=job.dialect,
            namespace=job.default_namespace,
            job_namespace=job.namespace,
            job_name=job.name,
            catalog=catalog,
            namespace_map=job.namespace_map,
        )
        batch = sql_batch((examples / job.sql).read_text(), job.sql, options)
        batch.jobs.append(
            Job(namespace=job.namespace, name=job.name, schedule=job.schedule, description=job.description)
        )
        write_batch(store, batch, "sql", report)
        on_job(job)
    if manifest.tags:
        tags = read_tag_file(examples / manifest.tags)
        outcome = Governance(store, load_policy()).declare_many(tags, f"import:{manifest.tags}", "demo tags file")
        report.tags_changed += outcome.columns_changed
    if manifest.sources:
        store.declare_sources(read_sources_file(examples / manifest.sources).refs())
    return report
