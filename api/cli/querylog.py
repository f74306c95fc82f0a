"""``tagline ingest querylog`` and ``tagline purge-expired``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from tagline.api.cli.common import (
    AdhocTtlOption,
    CatalogOption,
    CreateOption,
    DialectOption,
    JobNamespaceOption,
    NamespaceOption,
    StatementTimeoutOption,
    StoreOption,
    UserNamespaceOption,
    console,
    errors,
    exit_on_failures,
    fail,
    open_store,
    print_position,
    querylog_options,
)
from tagline.api.cli.tags import actor as cli_actor
from tagline.api.services.ingestion import purge_closed
from tagline.api.services.ingestion import purge_expired as purge_expired_lineage
from tagline.api.services.querylog import QueryLogReport, ingest_querylog
from tagline.api.settings import Settings
from tagline.ingest.querylog import DEFAULT_ADHOC_TTL
from tagline.ingest.sql.extract import DEFAULT_STATEMENT_TIMEOUT


def querylog(
    path: Annotated[Path, typer.Argument(help="Query log: JSON Lines (.jsonl) or a plain .sql file.")],
    dialect: DialectOption = None,
    namespace: NamespaceOption = "default",
    job_namespace: JobNamespaceOption = "default",
    user_namespace: UserNamespaceOption = "user",
    adhoc_ttl_days: AdhocTtlOption = DEFAULT_ADHOC_TTL.days,
    catalog: CatalogOption = None,
    statement_timeout: StatementTimeoutOption = DEFAULT_STATEMENT_TIMEOUT,
    store: StoreOption = None,
    create: CreateOption = False,
) -> None:
    """Load a query log: reads by job and user, lineage of what writes, failures kept by query id."""
    if not path.is_file():
        raise fail(f"no such file: {path}")
    options = querylog_options(
        dialect, namespace, job_namespace, user_namespace, adhoc_ttl_days, catalog, statement_timeout
    )
    graph = open_store(store, create)
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
    print_position(graph.last_write)
    exit_on_failures(report.failures)


def purge_expired(store: StoreOption = None) -> None:
    """Remove lineage whose expiry has passed (edges seen only in ad-hoc queries), and lineage no
    job has reported for longer than the retention of closed lineage (TAGLINE_CLOSED_LINEAGE_DAYS)."""
    days = Settings().closed_lineage_days
    graph = open_store(store)
    try:
        removed = purge_expired_lineage(graph, cli_actor())
        closed = purge_closed(graph, days)
    finally:
        graph.close()
    console.print(f"{removed} expired edges removed")
    console.print(f"{closed} edges closed more than {days} days ago removed")
