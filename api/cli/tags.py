"""CLI for sensitivity tags: `tagline tag ...`, `why`, `audit`, `propagate`, `violations`."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tagline.api.cli import common as cli
from tagline.api.cli.common import StoreOption
from tagline.api.services.tag_blocks import TagBlock
from tagline.api.services.tag_file import read_tag_file
from tagline.api.settings import load_policy
from tagline.governance.service import Governance, Outcome
from tagline.graph.model import ColumnRef, column_key, display_name

tag_app = typer.Typer(help="Declare, remove, block and unblock sensitivity tags on columns.", no_args_is_help=True)

Why = Annotated[str | None, typer.Option("--why", help="Justification, kept in the audit log.")]
WhyRequired = Annotated[str, typer.Option("--why", help="Justification (required), kept in the audit log.")]
FromColumn = Annotated[
    tuple[str, str, str] | None,
    typer.Option(
        "--from", help="NAMESPACE DATASET FIELD: block only on the edges from this column.", show_default=False
    ),
]


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def _governed(store: str | None, act: Callable[[Governance], Outcome]) -> Outcome:
    graph = cli.open_store(store)
    try:
        return act(Governance(graph, load_policy()))
    finally:
        graph.close()


def _report(outcome: Outcome, what: str) -> None:
    cli.console.print(f"{what}: {outcome.columns_changed} columns changed, {outcome.audit_entries} audit entries")


def _ref(namespace: str, dataset: str, field: str) -> ColumnRef:
    return ColumnRef(namespace=namespace, dataset=dataset, field=field)


@tag_app.command("set")
def tag_set(namespace: str, dataset: str, field: str, tag: str, why: Why = None, store: StoreOption = None) -> None:
    """Declare TAG on a column; it propagates downstream at once."""
    _report(
        _governed(store, lambda g: g.declare(_ref(namespace, dataset, field), tag, actor(), why)), f"declared {tag}"
    )


@tag_app.command("unset")
def tag_unset(namespace: str, dataset: str, field: str, tag: str, why: Why = None, store: StoreOption = None) -> None:
    """Remove a declared TAG; it is withdrawn downstream where no other path supports it."""
    _report(_governed(store, lambda g: g.remove(_ref(namespace, dataset, field), tag, actor(), why)), f"removed {tag}")


@tag_app.command("block")
def tag_block(
    namespace: str,
    dataset: str,
    field: str,
    tag: str,
    why: WhyRequired,
    source: FromColumn = None,
    store: StoreOption = None,
) -> None:
    """Stop TAG (and its children, e.g. pii blocks pii.email) from being inherited at a column."""
    _block(TagBlock(_ref(namespace, dataset, field), tag, why, _ref(*source) if source else None), store)


@tag_app.command("unblock")
def tag_unblock(
    namespace: str,
    dataset: str,
    field: str,
    tag: str,
    why: WhyRequired,
    source: FromColumn = None,
    store: StoreOption = None,
) -> None:
    """Lift a block set with `tagline tag block`."""
    _block(TagBlock(_ref(namespace, dataset, field), tag, why, _ref(*source) if source else None, lift=True), store)


def _block(block: TagBlock, store: str | None) -> None:
    _report(_governed(store, lambda g: block.apply(g, actor())), block.done)


@tag_app.command("import")
def tag_import(file: Path, why: Why = None, store: StoreOption = None) -> None:
    """Declare every tag of a tags file: {"tags": [{"namespace", "dataset", "field", "tags": [...]}]}."""
    try:
        tags = read_tag_file(file)
    except ValueError as exc:
        raise cli.fail(str(exc)) from exc
    _report(
        _governed(store, lambda g: g.declare_many(tags, actor(), why or f"imported from {file.name}")),
        f"imported {len(tags)} tags",
    )


def why(namespace: str, dataset: str, field: str, tag: str, store: StoreOption = None) -> None:
    """Explain why a column carries TAG: each source column and the path of edges it came by."""
    ref = _ref(namespace, dataset, field)
    graph = cli.open_store(store)
    try:
        governance = Governance(graph, load_policy())
        paths = governance.why(ref, tag)
        edges = graph.derives_edges({h for p in paths for h in p.hops()})
    finally:
        graph.close()
    for path in paths:
        masked = " (masked)" if path.masked else ""
        if not path.edges:
            cli.console.print(f"{escape(str(ref))}: {tag} is declared here{masked}")
            continue
        cli.console.print(f"{tag}{masked} from [bold]{escape(display_name(path.source))}[/bold]")
        for edge_key, target in zip(path.edges, path.columns[1:], strict=False):
            p = edges[edge_key].props if edge_key in edges else {}
            kind = "/".join(x for x in (p.get("type"), p.get("subtype")) if x) + (
                " masking" if p.get("masking") else ""
            )
            job = f"  job {p['job'][2:]}" if p.get("job") else ""
            cli.console.print(f"  -> {escape(display_name(target))}  [cyan]{kind}[/cyan]{escape(job)}")
        if not path.complete:
            cli.console.print("  (provenance breaks off here: run `tagline propagate --full`)")


def audit(
    column: Annotated[
        tuple[str, str, str] | None, typer.Option(help="NAMESPACE DATASET FIELD", show_default=False)
    ] = None,
    tag: Annotated[str | None, typer.Option(help="Only this tag.")] = None,
    actor_name: Annotated[str | None, typer.Option("--actor", help="Only changes caused by this actor.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO-8601 UTC, e.g. 2026-01-31T00:00:00Z.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Most entries to print.")] = 50,
    store: StoreOption = None,
) -> None:
    """Print the tag audit log, newest first."""
    equal = {
        k: v for k, v in (("column", column_key(*column) if column else None), ("tag", tag), ("actor", actor_name)) if v
    }
    graph = cli.open_store(store)
    try:
        rows = graph.audit(equal, since)[:limit]
    finally:
        graph.close()
    if not rows:
        cli.console.print("No audit entries match.")
        return
    table = Table("at", "actor", "column", "tag", "change", "cause")
    for r in rows:
        table.add_row(
            *(escape(x) for x in (r["at"], r["actor"], display_name(r["column"]), r["tag"], r["change"], r["cause"]))
        )
    cli.console.print(table)


def propagate(
    full: Annotated[
        bool, typer.Option("--full", help="Recompute every column from scratch (after a policy change).")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Recompute effective tags. Propagation runs by itself after every change; --full redoes it all."""
    if not full:
        raise cli.fail(
            "propagation already runs after every ingest and tag change; pass --full to recompute everything"
        )
    with cli.progress_bar() as progress:
        progress.add_task("full propagation", total=None, detail="")
        outcome = _governed(store, lambda g: g.propagate_full(actor()))
    _report(outcome, "full propagation")


def violations(store: StoreOption = None) -> None:
    """List columns declared below what they receive, and sinks receiving restricted or PII data."""
    graph = cli.open_store(store)
    try:
        found = Governance(graph, load_policy()).violations()
    finally:
        graph.close()
    if not found:
        cli.console.print("No sensitivity violations.")
        return
    for v in found:
        cli.console.print(f"[red]{v.kind}[/red] {escape(display_name(v.column))}: {escape(v.message)}")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(tag_app, name="tag")
    for command in (why, audit, propagate, violations):
        app.command()(command)
