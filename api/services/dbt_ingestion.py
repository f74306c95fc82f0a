"""The application service for dbt artifacts: datasets first, then one transaction per model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tagline.api.services.ingestion import IngestReport, write_batch
from tagline.graph.model import LineageBatch
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow
from tagline.ingest.dbt import DEFAULT_JOB_NAMESPACE, DbtProject, extract_dbt
from tagline.ingest.dbt_artifacts import load_catalog, load_manifest

KIND = "dbt"


def read_project(
    manifest: Path, catalog: Path | None, namespace: str | None, job_namespace: str = DEFAULT_JOB_NAMESPACE
) -> DbtProject:
    """Load and map the artifacts; ``ArtifactError``/``ValueError`` say which file is wrong and how."""
    return extract_dbt(
        load_manifest(manifest),
        load_catalog(catalog) if catalog else None,
        namespace=namespace,
        job_namespace=job_namespace,
        at=utcnow(),
    )


def ingest_dbt_project(
    store: GraphStore, project: DbtProject, on_done: Callable[[str, LineageBatch], None] = lambda name, batch: None
) -> IngestReport:
    """Write the datasets, then each model; a model whose SQL fails is dead-lettered, the rest land."""
    report = IngestReport()
    write_batch(store, project.datasets, KIND, report)
    for name, batch in project.jobs:
        write_batch(store, batch, KIND, report)
        on_done(name, batch)
    return report
