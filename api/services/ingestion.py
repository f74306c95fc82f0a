"""The application service for ingest: source -> batch (``ingest/``) -> store (``graph/``).

The CLI and the HTTP routes both come through here, so a batch is written the same way whoever
sent it, and its failures always reach the dead letter in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from tagline.api.services import domain_metrics
from tagline.api.settings import DEFAULT_CLOSED_LINEAGE_DAYS, load_policy
from tagline.governance.service import Governance, Outcome
from tagline.graph.model import Failure, JobRef, LineageBatch
from tagline.graph.records import WriteResult
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow
from tagline.ingest.catalog import Catalog
from tagline.ingest.definitions import defined_by
from tagline.ingest.sql.extract import extract_sql
from tagline.ingest.text import UndecodableText

DEFAULT_NAMESPACE = "default"
DEFAULT_JOB_NAMESPACE = "default"
STDIN = "-"


@dataclass
class IngestReport:
    statements: int = 0
    edges_created: int = 0
    edges_refreshed: int = 0
    vertices_created: int = 0
    failures: list[Failure] = field(default_factory=list)
    tags_changed: int = 0
    rejected_tags: list[str] = field(default_factory=list)

    @property
    def partial(self) -> int:
        """Failures whose input landed in part (a statement's tables, not all its columns)."""
        return sum(1 for failure in self.failures if failure.partial)

    def add_tags(self, outcome: Outcome) -> None:
        """What propagation made of a batch: columns whose tags changed, tags it refused."""
        self.tags_changed += outcome.columns_changed
        self.rejected_tags.extend(outcome.rejected)

    def add(self, batch: LineageBatch, vertices: int, created: int, refreshed: int) -> None:
        self.statements += batch.statements
        self.vertices_created += vertices
        self.edges_created += created
        self.edges_refreshed += refreshed
        self.failures.extend(batch.failures)


@dataclass(frozen=True)
class SqlOptions:
    dialect: str
    namespace: str = DEFAULT_NAMESPACE
    job_namespace: str = DEFAULT_JOB_NAMESPACE
    job_name: str | None = None
    catalog: Catalog | None = None
    namespace_map: dict[str, str] = field(default_factory=dict)

    def job_for(self, source: str) -> JobRef:
        """The job of a file: the one named on the command line, else the file's stem."""
        name = self.job_name or (Path(source).stem if source != STDIN else "stdin")
        return JobRef(namespace=self.job_namespace, name=name)


def govern_written(store: GraphStore, result: WriteResult, actor: str) -> Outcome:
    """After lineage lands: the tags the source declared, then propagation over the new edges.

    Every path that writes lineage (ingest, event, replay) ends here, so tags never lag behind it,
    and the lineage written is counted here (api/services/domain_metrics.py).
    """
    domain_metrics.count_written(result)
    with domain_metrics.timed_propagation():
        return Governance(store, load_policy()).after_write(result, actor=actor)


def purge_expired(store: GraphStore, actor: str) -> int:
    """Remove expired ad-hoc lineage, then withdraw the tags that only it carried; how many edges."""
    removed = store.purge_expired()
    Governance(store, load_policy()).after_edges_removed(removed, actor)
    return removed


def purge_closed(store: GraphStore, days: int = DEFAULT_CLOSED_LINEAGE_DAYS) -> int:
    """Remove lineage that stopped being current more than ``days`` ago (kept until then for asOf
    and diffs); how many edges. No tag rides on it, so none changes."""
    return store.purge_closed(utcnow() - timedelta(days=days))


def write_batch(store: GraphStore, batch: LineageBatch, kind: str, report: IngestReport) -> None:
    result = store.write(batch, kind=kind)
    report.add(batch, result.vertices_created, result.edges_created, result.edges_refreshed)
    report.add_tags(govern_written(store, result, actor=f"ingest:{kind}"))


def sql_options_of(options: SqlOptions, source: str) -> dict[str, object]:
    """What replaying a failure of ``source`` needs to know of the options it was ingested with."""
    job = options.job_for(source)
    return {
        "dialect": options.dialect,
        "namespace": options.namespace,
        "job": {"namespace": job.namespace, "name": job.name},
        "catalog": options.catalog.to_mapping() if options.catalog is not None else None,
        "namespace_map": dict(options.namespace_map) or None,
    }


def unreadable_file(path: str, error: UndecodableText, options: SqlOptions) -> Failure:
    """A SQL file that could not be read as text: kept, so that replay reads it again from disk."""
    return Failure(
        source=path,
        location="whole file",
        reason=str(error),
        payload="",
        options={**sql_options_of(options, path), "path": path},
    )


def sql_batch(text: str, source: str, options: SqlOptions) -> LineageBatch:
    """The lineage of a SQL text; when the job is named (``--job``), the text is the job's whole
    definition and replaces what it said before (see ingest/definitions.py)."""
    job = options.job_for(source)
    batch = extract_sql(
        text,
        dialect=options.dialect,
        namespace=options.namespace,
        source=source,
        catalog=options.catalog,
        job=job,
        namespace_map=options.namespace_map,
    )
    return defined_by(batch, job, utcnow(), tables=True) if options.job_name else batch


def ingest_sql_texts(
    store: GraphStore,
    texts: Iterable[tuple[str, str]],
    options: SqlOptions,
    on_done: Callable[[str, LineageBatch], None] = lambda source, batch: None,
) -> IngestReport:
    """Ingest ``(source name, SQL text)`` pairs, one transaction per source."""
    report = IngestReport()
    for source, text in texts:
        batch = sql_batch(text, source, options)
        write_batch(store, batch, "sql", report)
        on_done(source, batch)
    return report
