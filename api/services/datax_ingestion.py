"""The application service for DataX job files: each file is a job, named after the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tagline.api.services.ingestion import IngestReport, write_batch
from tagline.graph.model import Failure, JobRef, LineageBatch
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow
from tagline.ingest.datax import KIND, job_batch
from tagline.ingest.definitions import defined_by


def ingest_datax_files(
    store: GraphStore,
    paths: list[Path],
    job_namespace: str,
    namespace_map: dict[str, str],
    on_done: Callable[[Path], None] = lambda path: None,
) -> IngestReport:
    """Each file's lineage in a transaction of its own; a file that cannot be read fails alone."""
    report = IngestReport()
    for path in paths:
        job = JobRef(namespace=job_namespace, name=path.stem)
        # A job file is the job's whole definition: it replaces what the file said before.
        write_batch(store, defined_by(read_job(path, job, namespace_map), job, utcnow(), tables=True), KIND, report)
        on_done(path)
    return report


def read_job(path: Path, job: JobRef, namespace_map: dict[str, str]) -> LineageBatch:
    """The lineage of the DataX job in ``path`` (also what a replay of its failure reads again)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        options = {"path": str(path), "job": job.model_dump(), "namespace_map": namespace_map}
        failure = Failure(
            source=str(path), location="whole file", reason=f"cannot read it: {exc}", payload="", options=options
        )
        return LineageBatch(failures=[failure])
    return job_batch(text, str(path), job, namespace_map)
