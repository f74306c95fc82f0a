"""CLI commands for OpenLineage event files, dbt artifacts and the event log.

Registered on the ``tagline`` app by :func:`register`; the shared helpers (store option, progress
bar, report) come from :mod:`tagline.api.cli.common`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tagline.api.cli import common as cli
from tagline.api.services.dbt_ingestion import ingest_dbt_project, read_project
from tagline.api.services.lineage_events import ingest_event_file, replay_event_log
from tagline.api.settings import Settings
from tagline.ingest.dbt import DEFAULT_JOB_NAMESPACE

eventlog_app = typer.Typer(
    help="The OpenLineage event log: every accepted event, kept before it is applied.", no_args_is_help=True
)


def ingest_openlineage(
    path: Annotated[
        str, typer.Argument(help="File of events: one JSON per line, or a JSON array; '-' reads standard input.")
    ],
    store: cli.StoreOption = None,
    create: cli.CreateOption = False,
) -> None:
    """Load OpenLineage events (RunEvent, DatasetEvent, JobEvent) from a file."""
    if path == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise cli.fail(f"cannot read {path}: {exc}") from exc
    graph = cli.open_store(store, create)
    try:
        with cli.progress_bar() as progress:
            task = progress.add_task("ingest openlineage", total=None, detail="")
            report = ingest_event_file(
                graph,
                path,
                text,
                Settings().event_time_skew_seconds,
                on_done=lambda entry: progress.update(task, advance=1, detail=entry.location),
            )
    finally:
        graph.close()
    cli.print_report(report, unit="events", position=graph.last_write)


def ingest_dbt(
    manifest: Annotated[Path, typer.Option(help="dbt's target/manifest.json (schema v10-v12).")],
    catalog: Annotated[
        Path | None, typer.Option(help="dbt's target/catalog.json (from `dbt docs generate`): column types.")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option(help="Namespace of the datasets, e.g. postgres://db:5432 (default: the adapter name).")
    ] = None,
    job_namespace: Annotated[str, typer.Option(help="Namespace of the jobs (one per model).")] = DEFAULT_JOB_NAMESPACE,
    store: cli.StoreOption = None,
    create: cli.CreateOption = False,
) -> None:
    """Load a dbt project: models, seeds, snapshots and sources, with column lineage from compiled SQL."""
    try:
        project = read_project(manifest, catalog, namespace, job_namespace)
    except ValueError as exc:
        raise cli.fail(str(exc)) from exc
    graph = cli.open_store(store, create)
    try:
        with cli.progress_bar() as progress:
            task = progress.add_task("ingest dbt", total=len(project.jobs), detail="")
            report = ingest_dbt_project(
                graph, project, on_done=lambda name, batch: progress.update(task, advance=1, detail=name)
            )
    finally:
        graph.close()
    cli.console.print(f"dialect {project.dialect}, namespace {project.namespace}, {len(project.jobs)} models")
    cli.print_report(report, unit="models", position=graph.last_write)
    if namespace is None and "://" not in project.namespace and project.namespace != "bigquery":
        cli.errors.print(
            f"Datasets went to namespace {project.namespace!r}; pass --namespace (e.g. postgres://host:5432) "
            "so they meet the same tables from OpenLineage emitters."
        )


@eventlog_app.command("list")
def eventlog_list(
    limit: Annotated[int, typer.Option(min=1, help="At most this many events.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many events first (the next page).")] = 0,
    status: Annotated[str | None, typer.Option(help="Only events in this state: received, applied or failed.")] = None,
    store: cli.StoreOption = None,
) -> None:
    """Show the logged events, oldest first, a page at a time: id, status, deliveries, size, when received."""
    graph = cli.open_store(store)
    try:
        logged = graph.events(offset=offset, limit=limit + 1, status=status)
    finally:
        graph.close()
    if not logged:
        cli.console.print("No events in the log." if not offset else "No events beyond that offset.")
        return
    table = Table("id", "kind", "status", "received", "bytes", "first received")
    for event in logged[:limit]:
        table.add_row(
            event.id, event.kind, event.status, str(event.times_received), f"{event.size:,}", event.received_at
        )
    cli.console.print(table)
    if len(logged) > limit:
        cli.console.print(f"More events follow: --offset {offset + limit}")


@eventlog_app.command("show")
def eventlog_show(
    event_id: Annotated[str, typer.Argument(help="The id `eventlog list` shows.")], store: cli.StoreOption = None
) -> None:
    """Print one logged event as it was received."""
    graph = cli.open_store(store)
    try:
        found = graph.event_payloads([event_id])
    finally:
        graph.close()
    if event_id not in found:
        raise cli.fail(f"no event {event_id!r} in the log; `tagline eventlog list` shows the ids")
    sys.stdout.write(found[event_id] + "\n")


@eventlog_app.command("replay")
def eventlog_replay(
    unapplied: Annotated[bool, typer.Option(help="Only events logged but never applied.")] = False,
    store: cli.StoreOption = None,
) -> None:
    """Apply logged events again, in the order received (writes are idempotent)."""
    graph = cli.open_store(store)
    try:
        applied, failures = replay_event_log(graph, only_unapplied=unapplied)
    finally:
        graph.close()
    cli.console.print(f"{applied} events applied, {len(failures)} failed")
    cli.exit_on_failures(failures)


def register(app: typer.Typer, ingest_app: typer.Typer) -> None:
    ingest_app.command("openlineage")(ingest_openlineage)
    ingest_app.command("dbt")(ingest_dbt)
    app.add_typer(eventlog_app, name="eventlog")
