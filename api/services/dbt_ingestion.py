"""The application service for dbt artifacts: datasets first, then one transaction per model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tagline.api.services.ingestion import IngestReport, write_batch
from tagline.graph import schema
from tagline.graph.model import DatasetRef, JobRef, LineageBatch
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
    retired = project.retired(_jobs_and_outputs(store, project.job_namespace))
    if retired.definitions:
        write_batch(store, retired, KIND, report)
    return report


def _jobs_and_outputs(store: GraphStore, namespace: str) -> dict[JobRef, list[DatasetRef]]:
    """The jobs of a namespace, each with the datasets it currently writes."""
    jobs = store.in_namespace(schema.JOB, namespace)
    writes: dict[int, list[DatasetRef]] = {}
    for hop in store.hops([j.id for j in jobs], "out", [schema.WRITES]):
        props = hop.neighbour.props
        writes.setdefault(hop.edge.out_id, []).append(DatasetRef(namespace=props["namespace"], name=props["name"]))
    return {JobRef(namespace=namespace, name=j.props["name"]): writes.get(j.id, []) for j in jobs}
