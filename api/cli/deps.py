"""``tagline deps``: the scheduler's questions from a terminal or a CI job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tagline.api.cli.common import StoreOption, console, errors, open_store, progress_bar
from tagline.api.services.config_files import read_dependency_file
from tagline.api.services.dependency_json import check_json, recommendation_json
from tagline.api.settings import Settings
from tagline.governance.scheduling import CheckReport, UnknownJob, check_dependencies, recommend_dependencies
from tagline.graph.model import JobRef, display_name
from tagline.graph.records import VertexRecord
from tagline.graph.timefmt import utcnow

app = typer.Typer(help="Scheduling dependencies recommended by lineage; check a configured list.", no_args_is_help=True)

StaleOption = Annotated[
    int | None,
    typer.Option(
        min=0, help="A writer not seen for this many days is stale [env TAGLINE_STALE_AFTER_DAYS; default 14]."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the REST route's content) instead of text.")]


def _name(record: VertexRecord | JobRef) -> str:
    return display_name(record.key)


@app.command("recommend")
def recommend(
    namespace: str,
    job: str,
    direct_only: Annotated[
        bool, typer.Option(help="Drop a dependency implied through another recommended one.")
    ] = False,
    stale_after_days: StaleOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """The jobs JOB should wait for: every job writing a dataset it reads, with the evidence."""
    days = Settings().stale_after_days if stale_after_days is None else stale_after_days
    graph = open_store(store)
    try:
        record, found = recommend_dependencies(
            graph, JobRef(namespace=namespace, name=job), utcnow(), days, direct_only
        )
    finally:
        graph.close()
    if as_json:
        console.print_json(json.dumps(recommendation_json(record, found, days)))
        return
    if not found:
        console.print(f"{escape(_name(record))} reads nothing another job writes: no dependencies.")
        return
    table = Table("depends on", "because it writes", "last write", "status", title=escape(_name(record)))
    for e in found:
        written = "\n".join(escape(f"{d.props['namespace']}/{d.props['name']}  {at or '-'}") for d, at in e.writes)
        status = f"[yellow]stale (not seen for {days} days)[/yellow]" if e.stale else "[green]recommended[/green]"
        table.add_row(escape(_name(e.job)), written, e.last_write_at or "-", status)
    console.print(table)


def print_check(report: CheckReport) -> None:
    mark = "[red]FAIL[/red]" if report.failed else "[green]ok[/green]"
    console.print(f"{mark} {escape(_name(report.job))}")
    lines: list[tuple[str, list[VertexRecord] | list[JobRef], str]] = [
        ("missing", report.missing, "red"),
        ("redundant", report.redundant, "yellow"),
        ("stale", report.stale, "yellow"),
        ("unknown", report.unknown, "yellow"),
    ]
    for label, jobs, colour in lines:
        if jobs:
            console.print(f"  [{colour}]{label}:[/{colour}] {escape(', '.join(_name(j) for j in jobs))}")
    for cycle in report.cycles:
        chain = " -> ".join(_name(j) for j in [*cycle, cycle[0]])
        console.print(f"  [red]cycle:[/red] {escape(chain)}")


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="JSON or YAML: {namespace: NS, jobs: {JOB: [DEPENDENCY, ...]}}.")],
    stale_after_days: StaleOption = None,
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Check every job's configured dependencies; exit 1 when one is missing or makes a cycle.

    A dependency is written as a job name in the file's namespace, or {namespace: NS, name: JOB}.
    Also reported, without failing: redundant (writes nothing the job reads), stale (a writer not
    seen lately) and unknown (never seen) dependencies.
    """
    configured = read_dependency_file(file).configured()
    days = Settings().stale_after_days if stale_after_days is None else stale_after_days
    lists = {job.key: {d.key for d in deps} for job, deps in configured.items()}
    reports: list[CheckReport] = []
    unseen: list[JobRef] = []
    now = utcnow()
    graph = open_store(store)
    try:
        with progress_bar() as progress:
            task = progress.add_task("check", total=len(configured), detail="")
            for job, deps in configured.items():
                try:
                    reports.append(check_dependencies(graph, job, deps, now, days, lists))
                except UnknownJob:
                    unseen.append(job)
                progress.update(task, advance=1, detail=job.name)
    finally:
        graph.close()
    failed = [r for r in reports if r.failed]
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "ok": not failed,
                    "jobs": [check_json(r) for r in reports],
                    "unseen": [{"namespace": j.namespace, "name": j.name} for j in unseen],
                }
            )
        )
    else:
        for report in reports:
            print_check(report)
        for job in unseen:
            errors.print(f"[yellow]not checked:[/yellow] {escape(_name(job))}: no lineage ingested for it yet")
        console.print(f"{len(reports)} jobs checked, {len(failed)} with a missing dependency or a cycle")
    if failed:
        raise typer.Exit(1)
