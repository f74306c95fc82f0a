"""``tagline ingest querylog`` and ``tagline purge-expired``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from tagline.api.cli.common import StoreOption, console, errors, exit_on_failures, fail, load_catalog, open_store
from tagline.api.cli.tags import actor as cli_actor
from tagline.api.services.ingestion import purge_expired as purge_expired_lineage
from tagline.api.services.querylog import QueryLogReport, ingest_querylog
from tagline.ingest.querylog import DEFAULT_ADHOC_TTL, QueryLogOptions
from tagline.ingest.sql import DEFAULT_STATEMENT_TIMEOUT, ExtractOptions


def querylog(
    path: Annotated[Path, typer.Argument(help="Query log: JSON Lines (.jsonl) or a plain .sql file.")],
    dialect: Annotated[
        str | None, typer.Option(help="Dialect of lines that do not name one (and of a .sql file).")
    ] = None,
    namespace: Annotated[str, typer.Option(help="Namespace of lines that do not name one.")] = "default",
    job_namespace: Annotated[str, typer.Option(help="Namespace of the jobs named in the log.")] = "default",
    user_namespace: Annotated[str, typer.Option(help="Namespace of the users of ad-hoc queries.")] = "user",
    adhoc_ttl_days: Annotated[
        float, typer.Option(help="Days the lineage of an ad-hoc (user, not job) query lives.")
    ] = DEFAULT_ADHOC_TTL.days,
    catalog: Annotated[Path | None, typer.Option(help='JSON {"db.table": ["col", ...]}.')] = None,
    statement_timeout: Annotated[
        float, typer.Option(help="Seconds one statement may take; 0 for no limit.")
    ] = DEFAULT_STATEMENT_TIMEOUT,
    store: StoreOption = None,
) -> None:
    """Load a query log: reads by job and user, lineage of what writes, failures kept by query id."""
    if not path.is_file():
        raise fail(f"no such file: {path}")
    options = QueryLogOptions(
        dialect=dialect,
        namespace=namespace,
        job_namespace=job_namespace,
        user_namespace=user_namespace,
        adhoc_ttl=timedelta(days=adhoc_ttl_days),
        catalog=load_catalog(catalog),
        extract=ExtractOptions(statement_timeout=statement_timeout or None),
    )
    graph = open_store(store)
    try:
        with Progress(
            TextColumn("querylog"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            TextColumn("{task.fields[detail]}"), console=errors, disable=not errors.is_terminal,
        ) as progress:  # fmt: skip
            task = progress.add_task("querylog", total=path.stat().st_size, detail="")

            def show(done: int, report: QueryLogReport) -> None:
                detail = f"{report.queries} queries, {report.edges} edges, {len(report.failures)} failed"
                progress.update(task, completed=done, detail=detail)

            report = ingest_querylog(graph, path, options, on_progress=show)
    finally:
        graph.close()
    console.print(
        f"{report.queries} queries, {report.statements} statements, {report.edges} column edges, "
        f"{report.reads} reads, {report.edges_created} new graph edges, {len(report.failures)} failed, "
        f"{report.purged} expired edges purged"
    )
    exit_on_failures(report.failures)


def purge_expired(store: StoreOption = None) -> None:
    """Remove lineage whose expiry has passed (edges seen only in ad-hoc queries)."""
    graph = open_store(store)
    try:
        removed = purge_expired_lineage(graph, cli_actor())
    finally:
        graph.close()
    console.print(f"{removed} expired edges removed")
