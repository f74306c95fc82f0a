"""What every `tagline` command shares: the consoles, the --store option, opening the store,
failing with a message, progress bars and ingest reports."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tagline.api.services.ingestion import IngestReport, SqlOptions
from tagline.api.settings import DEFAULT_STORE, Settings
from tagline.graph.model import Failure
from tagline.graph.store import GraphStore, StoreError, is_remote
from tagline.ingest.catalog import Catalog
from tagline.ingest.querylog import QueryLogOptions
from tagline.ingest.sql.extract import ExtractOptions

# soft_wrap: lines piped to another program or a log are not folded at 80 columns.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
errors = Console(stderr=True, soft_wrap=True)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="TAGLINE_STORE",
        help="GremLite file path, or ws:// / wss:// Gremlin Server URL.",
        show_default=DEFAULT_STORE,
    ),
]


CreateOption = Annotated[
    bool,
    typer.Option(
        "--create",
        help="Create the embedded store if there is none at --store (without it, a missing store is an error).",
    ),
]


def store_location(store: str | None, create: bool = False) -> str:
    """Where the store is; a missing embedded store is an error (exit 2, naming the path) unless
    the command is asked to ``create`` one, so that a mistyped ``--store`` never passes as an
    empty store (a CI gate answering "no violations" from a file it just made)."""
    location = store or Settings().store
    if not create and not is_remote(location) and not Path(location).expanduser().exists():
        raise fail(
            f"no store at {location}: check --store (or TAGLINE_STORE); `tagline demo`, or --create "
            "on `serve` or an `ingest`, makes a new one"
        )
    return location


def open_store(store: str | None, create: bool = False) -> GraphStore:
    """The store at ``store`` (or TAGLINE_STORE), which must exist unless ``create`` (see :func:`store_location`)."""
    location = store_location(store, create)
    try:
        return GraphStore(location)
    except StoreError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def fail(message: str) -> typer.Exit:
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
        console=errors,
        transient=False,
        disable=not errors.is_terminal,
    )


def print_report(report: IngestReport, unit: str = "statements", position: str = "") -> None:
    """Say what an ingest did, and the change-log position it reached (:func:`print_position`);
    when anything failed, exit with status 1 (:func:`exit_on_failures`)."""
    console.print(
        f"{report.statements} {unit}, {report.edges_created} new edges, "
        f"{report.edges_refreshed} seen again, {report.vertices_created} new vertices, "
        f"{len(report.failures)} failed"
        + (f" ({report.partial} partial: tables recorded, columns not all traced)" if report.partial else "")
        + (f", tags changed on {report.tags_changed} columns" if report.tags_changed else "")
    )
    print_position(position)
    for rejected in report.rejected_tags:
        errors.print(f"[yellow]tag refused:[/yellow] {escape(rejected)}")
    exit_on_failures(report.failures)


def print_position(position: str) -> None:
    """The change-log position of the command's last write: a read sent to a server with
    ``X-Tagline-After: <position>`` sees everything the command wrote."""
    if position:
        console.print(f"position {position}", markup=False, highlight=False)


def exit_on_failures(failures: list[Failure]) -> None:
    """Print what failed and exit with status 1, so that a pipeline running the command notices
    (what did not fail has landed, and the failures are kept for replay)."""
    for failure in failures:
        errors.print(f"[yellow]failed:[/yellow] {escape(f'{failure.source} {failure.location}: {failure.reason}')}")
    if failures:
        errors.print("Failures are kept: `tagline deadletter list` shows them, `tagline deadletter replay` retries.")
        raise typer.Exit(1)


def load_catalog(path: Path | None) -> Catalog | None:
    if path is None:
        return None
    try:
        return Catalog.from_file(path)
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read catalog {path}: {exc}") from exc


def parse_namespace_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        prefix, sep, namespace = pair.partition("=")
        if not sep or not prefix or not namespace:
            raise fail(f"--namespace-map takes PREFIX=NAMESPACE, got {pair!r}")
        mapping[prefix.lower()] = namespace
    return mapping


def sql_options(
    dialect: str, namespace: str, job_namespace: str, job: str | None, catalog: Path | None, namespace_map: list[str]
) -> SqlOptions:
    """The SQL intake's options from the arguments `ingest sql` and `review` share, so both read a
    script alike: the catalog file read, the --namespace-map pairs parsed (a bad one fails)."""
    return SqlOptions(
        dialect=dialect,
        namespace=namespace,
        job_namespace=job_namespace,
        job_name=job,
        catalog=load_catalog(catalog),
        namespace_map=parse_namespace_map(namespace_map),
    )


# The options of query-log lines, shared by `ingest querylog` and `consume kafka`.
DialectOption = Annotated[str | None, typer.Option(help="Dialect of query-log lines that do not name one.")]
NamespaceOption = Annotated[str, typer.Option(help="Namespace of query-log lines that do not name one.")]
JobNamespaceOption = Annotated[str, typer.Option(help="Namespace of the jobs named in query-log lines.")]
UserNamespaceOption = Annotated[str, typer.Option(help="Namespace of the users of ad-hoc queries.")]
AdhocTtlOption = Annotated[float, typer.Option(help="Days the lineage of an ad-hoc (user, not job) query lives.")]
CatalogOption = Annotated[Path | None, typer.Option(help='JSON {"db.table": ["col", ...]} for query-log lines.')]
StatementTimeoutOption = Annotated[float, typer.Option(help="Seconds one statement may take; 0 for no limit.")]


def querylog_options(
    dialect: str | None,
    namespace: str,
    job_namespace: str,
    user_namespace: str,
    adhoc_ttl_days: float,
    catalog: Path | None,
    statement_timeout: float,
) -> QueryLogOptions:
    return QueryLogOptions(
        dialect=dialect,
        namespace=namespace,
        job_namespace=job_namespace,
        user_namespace=user_namespace,
        adhoc_ttl=timedelta(days=adhoc_ttl_days),
        catalog=load_catalog(catalog),
        extract=ExtractOptions(statement_timeout=statement_timeout or None),
    )
