"""``tagline review``: what a job's changed SQL (or a dbt project's new manifest) would do to
lineage, tags, schedules and violations, before it runs. Reads the store, writes nothing.

Exit status: 1 when a ``--fail-on`` rule fires, 0 otherwise, 2 for bad input (3 when the store
cannot be reached), so CI can refuse a change on it.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from tagline.api.cli.common import StoreOption, console, fail, open_store, sql_options
from tagline.api.services.review import DbtArtifacts, review_dbt, review_sql, verdict
from tagline.api.services.review_markdown import render_markdown
from tagline.api.settings import load_policy
from tagline.governance.review.verdict import parse_rules
from tagline.graph.model import JobRef
from tagline.ingest.dbt import DEFAULT_JOB_NAMESPACE
from tagline.ingest.dbt_artifacts import load_catalog as load_dbt_catalog
from tagline.ingest.dbt_artifacts import load_manifest
from tagline.ingest.text import UndecodableText, decode_utf8


class Format(str, Enum):
    markdown = "markdown"
    json = "json"


FormatOption = Annotated[Format, typer.Option("--format", help="markdown: a pull-request comment; json: for scripts.")]
FailOnOption = Annotated[
    str | None,
    typer.Option(
        "--fail-on",
        help="RULE[,RULE...]: tag-gained[:FAMILY], broken, violation, dependency-change; exit 1 when one fires.",
    ),
]
UiOption = Annotated[
    str | None, typer.Option("--ui-url", help="The lineage explorer's address (http://host:8000/ui), for links.")
]

app = typer.Typer(
    help="Review a change before it runs: lineage, tags, schedules and violations it would change (writes nothing).",
    invoke_without_command=True,
)


@app.callback()
def review(
    ctx: typer.Context,
    store: StoreOption = None,
    dialect: Annotated[str | None, typer.Option(help="SQL dialect of the scripts: hive, spark, trino, ...")] = None,
    namespace: Annotated[str, typer.Option(help="Namespace of the datasets, e.g. hive://warehouse.")] = "default",
    job_namespace: Annotated[str, typer.Option(help="Namespace of the job.")] = "default",
    job: Annotated[str | None, typer.Option(help="The job whose SQL changes (as `ingest sql --job` names it).")] = None,
    after: Annotated[Path | None, typer.Option(help="The job's new SQL: a file, or a folder of its *.sql.")] = None,
    before: Annotated[
        Path | None,
        typer.Option(
            help="The job's old SQL (file or folder) [default: the job's lineage in the store].", show_default=False
        ),
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help='JSON {"db.table": ["col", ...]}: expands *, resolves unqualified columns.')
    ] = None,
    namespace_map: Annotated[
        list[str], typer.Option(help="PREFIX=NAMESPACE: tables named PREFIX.x.y go to NAMESPACE (as for ingest sql).")
    ] = [],  # noqa: B006
    output: FormatOption = Format.markdown,
    fail_on: FailOnOption = None,
    ui_url: UiOption = None,
) -> None:
    """Compare a job's changed SQL with what the store holds for it; `tagline review dbt` reviews a manifest."""
    if ctx.invoked_subcommand is not None:
        return
    if dialect is None or job is None or after is None:
        missing = [
            name for name, value in (("--dialect", dialect), ("--job", job), ("--after", after)) if value is None
        ]
        raise fail(f"{', '.join(missing)} required: `tagline review --help` shows the options")
    rules = _rules(fail_on)
    options = sql_options(dialect, namespace, job_namespace, job, catalog, namespace_map)
    new, old = _scripts(after), _scripts(before) if before is not None else None
    graph = open_store(store)
    try:
        found = review_sql(graph, new, options, load_policy(), old)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    finally:
        graph.close()
    title = f"`{JobRef(namespace=job_namespace, name=job).name}`"
    _finish(found, title, rules, output, ui_url)


@app.command("dbt")
def review_dbt_command(
    base: Annotated[Path, typer.Option(help="The manifest.json before the change (e.g. from the main branch).")],
    head: Annotated[Path, typer.Option(help="The manifest.json after the change.")],
    base_catalog: Annotated[Path | None, typer.Option(help="catalog.json of the base, for column types.")] = None,
    head_catalog: Annotated[Path | None, typer.Option(help="catalog.json of the head.")] = None,
    namespace: Annotated[
        str | None, typer.Option(help="Namespace of the datasets, as given to `ingest dbt` (default: the adapter).")
    ] = None,
    job_namespace: Annotated[
        str, typer.Option(help="Namespace of the jobs, as given to `ingest dbt`.")
    ] = DEFAULT_JOB_NAMESPACE,
    store: StoreOption = None,
    output: FormatOption = Format.markdown,
    fail_on: FailOnOption = None,
    ui_url: UiOption = None,
) -> None:
    """Review every model whose lineage differs between two dbt manifests."""
    rules = _rules(fail_on)
    try:
        old = DbtArtifacts(load_manifest(base), load_dbt_catalog(base_catalog) if base_catalog else None)
        new = DbtArtifacts(load_manifest(head), load_dbt_catalog(head_catalog) if head_catalog else None)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    graph = open_store(store)
    try:
        found = review_dbt(graph, old, new, load_policy(), namespace, job_namespace)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    finally:
        graph.close()
    project = new.manifest.metadata.project_name
    _finish(found, f"dbt project `{project}`" if project else f"`{head}`", rules, output, ui_url)


def _rules(text: str | None) -> list[str]:
    try:
        return parse_rules(text)
    except ValueError as exc:
        raise fail(str(exc)) from exc


def _scripts(path: Path) -> list[tuple[str, str]]:
    """The job's scripts: the file, or a folder's *.sql in name order."""
    files = sorted(path.rglob("*.sql")) if path.is_dir() else [path]
    if not files:
        raise fail(f"no *.sql in {path}")
    texts = []
    for file in files:
        try:
            texts.append((str(file), decode_utf8(file.read_bytes(), str(file))))
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror or exc}") from exc
        except UndecodableText as exc:
            raise fail(str(exc)) from exc
    return texts


def _finish(found: dict[str, Any], title: str, rules: list[str], output: Format, ui_url: str | None) -> None:
    tripped = verdict(rules, found)
    if output is Format.json:
        print(json.dumps(found, indent=2))
    else:
        console.print(render_markdown(found, title, tripped, ui_url), markup=False, highlight=False, end="")
    if tripped:
        raise typer.Exit(1)
