"""The ``tagline`` command line: serve, ingest, demo, lineage and the dead letter."""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from tagline.api.auth import KeyRing
from tagline.api.cli import compare as cli_compare
from tagline.api.cli import consume as cli_consume
from tagline.api.cli import datax as cli_datax
from tagline.api.cli import deps as cli_deps
from tagline.api.cli import health as cli_health
from tagline.api.cli import history as cli_history
from tagline.api.cli import notify as cli_notify
from tagline.api.cli import querylog as cli_querylog
from tagline.api.cli import review as cli_review
from tagline.api.cli import sources as cli_sources
from tagline.api.cli import sql as cli_sql
from tagline.api.cli import tags as cli_tags
from tagline.api.cli.common import (
    CreateOption,
    StoreOption,
    console,
    errors,
    fail,
    load_catalog,
    open_store,
    print_report,
    progress_bar,
    sql_options,
    store_location,
)
from tagline.api.cli.render import lineage_tree
from tagline.api.services.demo import default_examples_dir, load_demo, read_manifest
from tagline.api.services.ingestion import STDIN, ingest_sql_texts, unreadable_file
from tagline.api.services.log_format import configure_logging
from tagline.api.services.moments import parse_moment
from tagline.api.services.replay import ReplayOverrides, replay
from tagline.api.settings import Settings
from tagline.errors import InvalidInput, TaglineError, Unavailable
from tagline.graph.model import LineageBatch, column_key
from tagline.graph.timefmt import utcnow
from tagline.ingest.text import UndecodableText, decode_utf8


class TaglineCommands(TyperGroup):
    """The top command group: a :class:`~tagline.errors.TaglineError` from any command becomes its
    message, with the code REST and GraphQL give the same error, and exit status 2 (3 when the
    store or the time ran out, and trying later may work)."""

    def invoke(self, ctx: Any) -> Any:  # the Context of the click that typer bundles
        try:
            return super().invoke(ctx)
        except TaglineError as exc:
            errors.print(f"[red]error:[/red] {exc.code}: {escape(str(exc))}")
            raise typer.Exit(3 if isinstance(exc, Unavailable) else 2) from exc


app = typer.Typer(
    help="Tagline: column-level lineage with sensitivity tags that follow the data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=TaglineCommands,
)
ingest_app = typer.Typer(help="Load lineage into the store.", no_args_is_help=True)
deadletter_app = typer.Typer(help="Inputs that failed to ingest: list them, replay them.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(deadletter_app, name="deadletter")
app.add_typer(cli_deps.app, name="deps")
app.add_typer(cli_consume.app, name="consume")
app.add_typer(cli_notify.app, name="notify")
app.add_typer(cli_review.app, name="review")
app.add_typer(cli_health.sources_app, name="sources")
app.command()(cli_health.health)
app.command()(cli_health.impact)
app.command()(cli_compare.compare)
app.command("purge-expired")(cli_querylog.purge_expired)
app.command("extract-sql")(cli_sql.extract_sql_command)
app.command("diff")(cli_history.diff)
ingest_app.command("querylog")(cli_querylog.querylog)
ingest_app.command("datax")(cli_datax.ingest_datax)
cli_tags.register(app)
cli_sources.register(app, ingest_app)


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    insecure: Annotated[bool, typer.Option(help="Allow serving a non-loopback address without API keys.")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes, each with its own lineage index (memory x N); one per core answers the most requests.",
        ),
    ] = 1,
    create: CreateOption = False,
) -> None:
    """Serve GraphQL (GraphiQL on GET /graphql), /healthz, /readyz and /metrics."""
    import uvicorn

    from tagline.api.app import create_app
    from tagline.api.http.connections import connection_options

    settings = Settings(host=host, port=port, store=store) if store else Settings(host=host, port=port)
    try:
        ring = KeyRing.configured(settings.api_keys, settings.api_keys_file)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if ring is None and not is_loopback(host) and not insecure:
        raise fail(
            f"refusing to serve {host} without API keys: set TAGLINE_API_KEYS (name1:key1:steward,...) "
            "or TAGLINE_API_KEYS_FILE, or pass --insecure"
        )
    store_location(settings.store, create)
    configure_logging(settings.log_format)
    # With JSON logs every line of the output is a JSON object: the greeting too.
    say = console.print if settings.log_format == "text" else logging.getLogger("tagline.serve").info
    if ring is None:
        say(f"No API keys configured: anyone who can reach {host} has every permission.")
    say(f"Tagline on http://{host}:{port}/graphql (store: {settings.store})")
    say(f"Lineage explorer: http://{host}:{port}/ui")
    # GremLite logs its query planning at INFO: store internals, not the server's news.
    logging.getLogger("gremlite").setLevel(logging.WARNING)
    if workers == 1:
        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_level="info",
            log_config=None,  # the lines go through the handler configure_logging set
            **connection_options(settings),
        )
        return
    # Worker processes build their app from the environment, so the settings travel there.
    os.environ["TAGLINE_STORE"] = settings.store
    uvicorn.run(
        "tagline.api.app:create_app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        log_config=None,
        **connection_options(settings),
    )


@app.command()
def mcp(store: StoreOption = None) -> None:
    """Serve the MCP tools over stdio, for an AI agent's client that starts Tagline as a command."""
    from tagline.api.mcp.stdio import serve_stdio

    # stdout carries the protocol: anything said goes to stderr.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    settings = Settings(store=store) if store else Settings()
    store_location(settings.store)
    serve_stdio(settings)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_sources(paths: list[str]) -> tuple[list[tuple[str, str]], dict[str, UndecodableText]]:
    """The text of each SQL file named (folders: their *.sql), and the files that are not UTF-8,
    which fail alone: the others are still ingested."""
    sources = []
    unreadable: dict[str, UndecodableText] = {}
    for path in paths:
        if path == STDIN:
            sources.append((STDIN, sys.stdin.read()))
            continue
        file = Path(path)
        files = sorted(file.rglob("*.sql")) if file.is_dir() else [file]
        for f in files:
            if not f.is_file():
                raise fail(f"no such file: {f}")
            try:
                sources.append((str(f), decode_utf8(f.read_bytes(), str(f))))
            except UndecodableText as exc:
                unreadable[str(f)] = exc
    return sources, unreadable


@ingest_app.command("sql")
def ingest_sql(
    paths: Annotated[list[str], typer.Argument(help="SQL files or folders of *.sql; '-' reads standard input.")],
    dialect: Annotated[str, typer.Option(help="SQL dialect: hive, spark, trino, mysql, postgres, snowflake, ...")],
    namespace: Annotated[str, typer.Option(help="Namespace of the datasets, e.g. hive://warehouse.")] = "default",
    job_namespace: Annotated[str, typer.Option(help="Namespace of the job.")] = "default",
    job: Annotated[
        str | None, typer.Option(help="Job that runs these statements.", show_default="the file name")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help='JSON {"db.table": ["col", ...]} or {"db.table": {"col": "type"}}.')
    ] = None,
    namespace_map: Annotated[
        list[str], typer.Option(help="PREFIX=NAMESPACE: tables named PREFIX.x.y go to NAMESPACE.")
    ] = [],  # noqa: B006
    store: StoreOption = None,
    create: CreateOption = False,
) -> None:
    """Extract column lineage from SQL and write it to the store."""
    options = sql_options(dialect, namespace, job_namespace, job, catalog, namespace_map)
    sources, unreadable = read_sources(paths)
    graph = open_store(store, create)
    try:
        with progress_bar() as progress:
            task = progress.add_task("ingest sql", total=len(sources), detail="")

            def done(source: str, batch: LineageBatch) -> None:
                progress.update(task, advance=1, detail=f"{Path(source).name}: {len(batch.edges)} edges")

            report = ingest_sql_texts(graph, sources, options, on_done=done)
        failures = [unreadable_file(path, error, options) for path, error in unreadable.items()]
        if failures:
            graph.write(LineageBatch(failures=failures), kind="sql-file")
            report.failures.extend(failures)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    finally:
        graph.close()
    print_report(report, position=graph.last_write)


@app.command()
def demo(
    store: StoreOption = None,
    examples: Annotated[Path | None, typer.Option(help="Folder holding warehouse.json.")] = None,
) -> None:
    """Load the demo warehouse (examples/) into the store."""
    folder = examples or default_examples_dir()
    try:
        manifest = read_manifest(folder)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from exc
    graph = open_store(store, create=True)  # making a store to look at is what the demo is for
    try:
        with progress_bar() as progress:
            task = progress.add_task("demo", total=len(manifest.jobs), detail="")
            report = load_demo(graph, folder, on_job=lambda j: progress.update(task, advance=1, detail=j.name))
        counts = graph.counts()
    finally:
        graph.close()
    print_report(report, position=graph.last_write)
    console.print(
        f"demo loaded: {counts['dataset']} datasets, {counts['column']} columns, "
        f"{counts['job']} jobs, {counts['derives']} column edges"
    )


class TreeDirection(str, Enum):
    up = "up"
    down = "down"


@app.command()
def lineage(
    namespace: str,
    dataset: str,
    field: str,
    direction: Annotated[
        TreeDirection, typer.Option(help="up: where it comes from; down: where it goes.")
    ] = TreeDirection.up,
    depth: Annotated[int, typer.Option(min=1, max=50, help="How many hops to follow.")] = 3,
    direct_only: Annotated[
        bool, typer.Option(help="Follow only edges that carry the value (no joins, filters...).")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Lineage as it was then (event time): 2026-05-01, 2026-05-01T10:00:00Z, or a span back "
            "from now (12h, 7d). Without it, current lineage.",
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Print the lineage of a column as a tree."""
    try:
        moment = parse_moment(as_of, utcnow(), "--as-of") if as_of is not None else None
    except InvalidInput as exc:
        raise fail(str(exc)) from None
    graph = open_store(store)
    try:
        root = graph.find_folded(column_key(namespace, dataset, field))
        if root is None:
            raise fail(f"no column {field!r} in dataset {dataset!r} of namespace {namespace!r}")
        upstream = direction is TreeDirection.up
        expansion = graph.lineage([root.id], "in" if upstream else "out", depth, direct_only=direct_only, as_of=moment)
    finally:
        graph.close()
    console.print(lineage_tree(root, expansion, upstream))


@deadletter_app.command("list")
def deadletter_list(store: StoreOption = None) -> None:
    """Show the inputs that failed, with where and why."""
    graph = open_store(store)
    try:
        stored = graph.failures()
    finally:
        graph.close()
    if not stored:
        console.print("The dead letter is empty.")
        return
    rows = [
        (
            s.id,
            s.kind + (" (partial)" if s.failure.partial else ""),
            s.failure.source,
            s.failure.location,
            s.failure.reason,
            str(s.attempts),
            s.created_at,
        )
        for s in stored
    ]
    if not console.is_terminal:
        for row in rows:
            console.print("\t".join(row), markup=False, highlight=False)
        return
    table = Table("id", "kind", "source", "where", "reason", "retries", "first failed")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@deadletter_app.command("replay")
def deadletter_replay(
    ids: Annotated[list[str] | None, typer.Argument(help="Ids to replay [default: all].")] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Use this catalog instead of the one kept with each failure.")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Try failed inputs again; those that now succeed leave the dead letter."""
    overrides = ReplayOverrides(catalog=load_catalog(catalog))
    graph = open_store(store)
    try:
        report = replay(graph, set(ids) if ids else None, overrides)
    finally:
        graph.close()
    for s in report.resolved:
        console.print(f"[green]replayed[/green] {escape(f'{s.id} ({s.failure.source} {s.failure.location})')}")
    for s, reason in report.still_failing:
        where = f"{s.id} ({s.failure.source} {s.failure.location}): {reason}"
        errors.print(f"[yellow]still failing[/yellow] {escape(where)}")
    console.print(f"{len(report.resolved)} replayed, {len(report.still_failing)} still failing")
    if report.still_failing:
        raise typer.Exit(1)


def main() -> None:
    # sqlglot warns on stderr for every statement it keeps as an opaque command; failures say more.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    app()
