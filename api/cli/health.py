"""``tagline health``, ``tagline impact`` and ``tagline sources``: lineage health for data engineers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from tagline.api.cli.common import StoreOption, console, fail, open_store
from tagline.api.cli.render import lineage_tree
from tagline.api.services.config_files import read_sources_file
from tagline.api.settings import Settings
from tagline.governance.health_scan import ColumnHealth, DatasetHealth, HealthScan, scan_health
from tagline.governance.impact import Impact, impact_of
from tagline.governance.redundancy import RedundantJob
from tagline.governance.window import latest
from tagline.graph.model import DatasetRef
from tagline.graph.records import VertexRecord
from tagline.graph.timefmt import utcnow

sources_app = typer.Typer(help="Declared sources: datasets fed from outside, never orphans.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _dataset_name(record: VertexRecord) -> str:
    return f"{record.props['namespace']}/{record.props['name']}"


def _dataset_json(found: DatasetHealth) -> dict[str, Any]:
    f = found.facts
    return {
        "namespace": found.dataset.props["namespace"],
        "name": found.dataset.props["name"],
        "declaredSource": f.declared_source,
        "lastWriteAt": f.last_write_at,
        "lastReadAt": f.last_read_at,
        "writers": len(f.writes),
        "readers": len(f.reads),
        "downstreamEdges": len(f.downstream_seen),
    }


def _column_json(found: ColumnHealth) -> dict[str, Any]:
    p = found.column.props
    return {
        "namespace": p["namespace"],
        "dataset": p["dataset"],
        "field": p["field"],
        "lastReadAt": latest(found.facts.downstream_seen),
        "downstreamEdges": len(found.facts.downstream_seen),
        "datasetLastReadAt": found.dataset.last_read_at,
    }


def health_json(scan: HealthScan) -> dict[str, Any]:
    return {
        "days": scan.days,
        "cutoff": scan.cutoff,
        "orphans": [_dataset_json(d) for d in scan.orphans],
        "zombies": [_dataset_json(d) for d in scan.zombies],
        "unused": [_dataset_json(d) for d in scan.unused],
        "unusedColumns": [_column_json(c) for c in scan.unused_columns],
        "deprecationCandidates": [_dataset_json(d) for d in scan.deprecation_candidates],
        "unfedColumns": [{"column": c.column.display, "since": c.since} for c in scan.unfed_columns],
        "redundantJobs": [_redundant_json(r) for r in scan.redundant_jobs],
    }


def _redundant_json(found: RedundantJob) -> dict[str, Any]:
    return {
        "job": found.job.display,
        "sameAs": found.same_as.display,
        "identical": found.identical,
        "outputs": [
            {
                "column": o.column.display,
                "sameAs": o.other_column.display,
                "sources": sorted({source.display for _, source in o.sources}),
            }
            for o in found.outputs
        ],
    }


def _matched_text(found: RedundantJob) -> str:
    """The matched outputs, per pair of datasets: ``dw.a = dw.b: x, y=z``."""
    groups: dict[str, list[str]] = {}
    for o in found.outputs:
        mine, theirs = o.column.props, o.other_column.props
        pair = f"{mine['dataset']} = {theirs['dataset']}"
        same = mine["field"] == theirs["field"]
        groups.setdefault(pair, []).append(mine["field"] if same else f"{mine['field']}={theirs['field']}")
    return "; ".join(f"{pair}: {', '.join(fields)}" for pair, fields in groups.items())


def _dataset_table(title: str, found: list[DatasetHealth]) -> Table:
    table = Table("dataset", "last write", "last read", "writers", "readers", "lineage out", title=title)
    for d in found:
        f = d.facts
        table.add_row(
            escape(_dataset_name(d.dataset)),
            f.last_write_at or "never",
            f.last_read_at or "never",
            str(len(f.writes)),
            str(len(f.reads)),
            str(len(f.downstream_seen)),
        )
    return table


def health(
    days: Annotated[int | None, typer.Option(min=1, help="The window [env TAGLINE_HEALTH_DAYS; default 30].")] = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Orphans, zombies, unused datasets and columns, and deprecation candidates."""
    window = Settings().health_days if days is None else days
    graph = open_store(store)
    try:
        scan = scan_health(graph, utcnow(), window)
    finally:
        graph.close()
    if as_json:
        console.print_json(json.dumps(health_json(scan)))
        return
    sections = [
        ("Orphans: no job writes them, no lineage flows in, not declared sources", scan.orphans),
        (f"Zombies: upstream exists, not written for {window} days", scan.zombies),
        (f"Unused: not read for {window} days", scan.unused),
        ("Deprecation candidates: unused and not declared sources", scan.deprecation_candidates),
    ]
    for title, found in sections:
        if found:
            console.print(_dataset_table(title, found))
        else:
            console.print(f"{title}: none")
    if scan.unused_columns:
        table = Table(
            "column",
            "last derived from",
            "dataset last read",
            title=f"Unused columns: nothing derived from them for {window} days",
        )
        for c in scan.unused_columns:
            table.add_row(
                escape(c.column.display),
                latest(c.facts.downstream_seen) or "never",
                c.dataset.last_read_at or "never",
            )
        console.print(table)
    if scan.unfed_columns:
        table = Table("column", "since", title="Unfed columns: their producers no longer make them")
        for unfed in scan.unfed_columns:
            table.add_row(escape(unfed.column.display), unfed.since)
        console.print(table)
    if scan.redundant_jobs:
        table = Table("job", "same as", "outputs", title="Redundant jobs: their outputs have another job's lineage")
        for r in scan.redundant_jobs:
            same = "identical" if r.identical else "does more"
            table.add_row(escape(r.job.display), escape(f"{r.same_as.display} ({same})"), escape(_matched_text(r)))
        console.print(table)
    console.print(
        f"{len(scan.orphans)} orphans, {len(scan.zombies)} zombies, {len(scan.unused)} unused datasets, "
        f"{len(scan.unused_columns)} unused columns, {len(scan.deprecation_candidates)} deprecation candidates, "
        f"{len(scan.unfed_columns)} unfed columns, {len(scan.redundant_jobs)} redundant jobs"
    )


def impact_json(found: Impact) -> dict[str, Any]:
    names = {found.dataset.key: found.dataset, **{d.dataset.key: d.dataset for d in found.datasets}}
    return {
        "dataset": _dataset_name(found.dataset),
        "roots": [r.display for r in found.roots],
        "columns": [{"column": c.column.display, "depth": c.depth} for c in found.columns],
        "datasets": [
            {"dataset": _dataset_name(d.dataset), "depth": d.depth, "columns": [c.props["field"] for c in d.columns]}
            for d in found.datasets
        ],
        "jobs": [
            {
                "job": f"{j.job.props['namespace']}/{j.job.props['name']}",
                "writes": sorted(_dataset_name(names[k]) for k in j.writes if k in names),
                "reads": sorted(_dataset_name(names[k]) for k in j.reads if k in names),
            }
            for j in found.jobs
        ],
        "truncated": found.truncated,
        "tags": [{"tag": t.tag, "columns": len(t.columns), "unmasked": len(t.unmasked)} for t in found.tags()],
    }


def impact(
    namespace: str,
    dataset: str,
    field: Annotated[str | None, typer.Argument(help="A column; leave out for every column of the dataset.")] = None,
    depth: Annotated[int, typer.Option(min=1, max=50, help="How many hops downstream to follow.")] = 5,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Everything downstream of a column or dataset: columns (as a tree), datasets, jobs to notify."""
    graph = open_store(store)
    try:
        found = impact_of(graph, DatasetRef(namespace=namespace, name=dataset), field, depth)
    finally:
        graph.close()
    if as_json:
        console.print_json(json.dumps(impact_json(found)))
        return
    tree = Tree(f"[bold]{escape(_dataset_name(found.dataset))}[/bold]")
    for root in found.roots:
        tree.add(lineage_tree(root, found.expansion, upstream=False))
    console.print(tree)
    if found.truncated:
        console.print("[yellow]The walk was cut short by the node limit; ask for less depth.[/yellow]")
    datasets = Table("dataset", "hops", "impacted columns", title="Datasets downstream")
    for d in found.datasets:
        datasets.add_row(
            escape(_dataset_name(d.dataset)), str(d.depth), escape(", ".join(c.props["field"] for c in d.columns))
        )
    console.print(datasets)
    names = {found.dataset.key: found.dataset, **{d.dataset.key: d.dataset for d in found.datasets}}
    jobs = Table("job", "writes", "reads", title="Jobs to notify")
    for j in found.jobs:
        jobs.add_row(
            escape(f"{j.job.props['namespace']}/{j.job.props['name']}"),
            escape(", ".join(sorted(_dataset_name(names[k]) for k in j.writes if k in names))),
            escape(", ".join(sorted(_dataset_name(names[k]) for k in j.reads if k in names))),
        )
    console.print(jobs)
    reached = found.tags()
    if reached:
        tags = Table("tag", "columns", "unmasked", title="Tags that flow through")
        for t in reached:
            tags.add_row(escape(t.tag), str(len(t.columns)), str(len(t.unmasked)))
        console.print(tags)
    console.print(f"{len(found.columns)} columns in {len(found.datasets)} datasets, {len(found.jobs)} jobs")


def _refs(namespace: str | None, names: list[str], file: Path | None) -> list[DatasetRef]:
    refs = [DatasetRef(namespace=namespace, name=n) for n in names] if namespace else []
    if file is not None:
        refs.extend(read_sources_file(file).refs())
    if not refs:
        raise fail("name datasets (NAMESPACE NAME...) or give --file sources.yaml")
    return refs


NamespaceArg = Annotated[str | None, typer.Argument(help="Namespace of the datasets, e.g. mysql://orders-db:3306.")]
NamesArg = Annotated[list[str] | None, typer.Argument(help="Dataset names, e.g. shop.customers.")]
FileOption = Annotated[Path | None, typer.Option(help="JSON or YAML: {NAMESPACE: [NAME, ...]}.")]


def _declare(refs: list[DatasetRef], declared: bool, store: str | None) -> None:
    graph = open_store(store)
    try:
        graph.declare_sources(refs, declared=declared)
    finally:
        graph.close()


@sources_app.command("declare")
def declare(
    namespace: NamespaceArg = None, names: NamesArg = None, file: FileOption = None, store: StoreOption = None
) -> None:
    """Declare datasets sources: fed from outside, so no upstream is expected of them."""
    refs = _refs(namespace, names or [], file)
    _declare(refs, True, store)
    console.print(f"{len(refs)} datasets declared sources")


@sources_app.command("undeclare")
def undeclare(
    namespace: NamespaceArg = None, names: NamesArg = None, file: FileOption = None, store: StoreOption = None
) -> None:
    """Withdraw the declaration: the datasets are judged like any other again."""
    refs = _refs(namespace, names or [], file)
    _declare(refs, False, store)
    console.print(f"{len(refs)} datasets no longer declared sources")


@sources_app.command("list")
def list_sources(store: StoreOption = None) -> None:
    """The declared sources."""
    graph = open_store(store)
    try:
        found = graph.declared_sources()
    finally:
        graph.close()
    for record in found:
        console.print(_dataset_name(record), markup=False, highlight=False)
    if not found:
        console.print("No declared sources: `tagline sources declare NAMESPACE NAME...` declares some.")
