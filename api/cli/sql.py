"""``tagline extract-sql``: column lineage of SQL without a store, for people and for scripts."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.markup import escape

from tagline.api.cli.common import console, errors, fail, load_catalog
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import DEFAULT_STATEMENT_TIMEOUT, ExtractOptions
from tagline.ingest.sql.summary import catalog_from_json, summarize_sql


class Format(str, Enum):
    text = "text"
    json = "json"


def extract_sql_command(
    file: Annotated[Path | None, typer.Argument(help="SQL file [default: standard input].", show_default=False)] = None,
    dialect: Annotated[
        str | None,
        typer.Option(
            help="SQL dialect (sqlglot's names, ansi, sparksql); in --batch, the default for lines without one."
        ),
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help='JSON {"db.table": ["col", ...]}: expands *, resolves unqualified columns.')
    ] = None,
    output: Annotated[Format, typer.Option("--format", help="text for people, json for scripts.")] = Format.text,
    batch: Annotated[
        Path | None,
        typer.Option(
            help='JSON Lines input, one {"id", "sql", "dialect", "catalog"} per line; one JSON result per line on stdout, same order.'
        ),
    ] = None,
    lateral_alias: Annotated[
        bool | None,
        typer.Option(
            "--lateral-alias/--no-lateral-alias",
            help="Let a SELECT use an alias defined earlier in its own list [default: as the dialect does].",
            show_default=False,
        ),
    ] = None,
    keep_temporary: Annotated[
        bool, typer.Option(help="Keep temporary tables/views as lineage hops instead of resolving through them.")
    ] = False,
    statement_timeout: Annotated[
        float, typer.Option(help="Seconds one statement may take; 0 for no limit.")
    ] = DEFAULT_STATEMENT_TIMEOUT,
) -> None:
    """Print the table and column lineage of SQL (a file, standard input, or a JSON Lines batch)."""
    options = ExtractOptions(
        lateral_alias=lateral_alias, keep_temporary=keep_temporary, statement_timeout=statement_timeout or None
    )
    if batch is not None:
        raise typer.Exit(run_batch(batch, dialect, load_catalog(catalog), options, sys.stdout))
    if dialect is None:
        raise fail("--dialect is required (e.g. --dialect hive); `tagline extract-sql --help` lists the options")
    text = sys.stdin.read() if file is None or str(file) == "-" else _read(file)
    try:
        result = summarize_sql(text, dialect, load_catalog(catalog), options)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if output is Format.json:
        console.print_json(data=result) if console.is_terminal else print(json.dumps(result))
    else:
        _print_text(result)
    if result["error"]:
        errors.print(f"[yellow]failed:[/yellow] {escape(result['error'])}")
        raise typer.Exit(1)


def _read(file: Path) -> str:
    try:
        return file.read_text()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from exc


def _print_text(result: dict[str, Any]) -> None:
    console.print(f"reads:  {', '.join(result['reads']) or '-'}", markup=False, highlight=False)
    console.print(f"writes: {', '.join(result['writes']) or '-'}", markup=False, highlight=False)
    for edge in result["edges"]:
        source, target = edge["source"], edge["target"]
        kind = f"{edge['type']}/{edge['subtype']}" + (" masked" if edge["masking"] else "")
        line = f"{source['dataset']}.{source['field']} -> {target['dataset']}.{target['field']}  {kind}"
        console.print(line, markup=False, highlight=False)


def run_batch(path: Path, dialect: str | None, catalog: Catalog | None, options: ExtractOptions, out: TextIO) -> int:
    """One result line per input line, in order; a bad line gets an ``error``, the others go on."""
    try:
        source = sys.stdin if str(path) == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from exc
    with source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            out.write(json.dumps(_batch_line(line, number, dialect, catalog, options)) + "\n")
            out.flush()
    return 0


def _batch_line(
    line: str, number: int, dialect: str | None, catalog: Catalog | None, options: ExtractOptions
) -> dict[str, Any]:
    empty: dict[str, Any] = {"id": None, "reads": [], "writes": [], "edges": []}
    try:
        item = json.loads(line)
    except ValueError as exc:
        return {**empty, "error": f"line {number}: not JSON: {exc}"}
    if not isinstance(item, dict) or not isinstance(item.get("sql"), str):
        return {**empty, "error": f'line {number}: expected an object with a "sql" string'}
    empty["id"] = item.get("id")
    line_dialect = item.get("dialect") or dialect
    if not isinstance(line_dialect, str):
        return {**empty, "error": f'line {number}: no "dialect" and no --dialect default'}
    try:
        line_catalog = catalog_from_json(item.get("catalog")) or catalog
        return {"id": item.get("id"), **summarize_sql(item["sql"], line_dialect, line_catalog, options)}
    except ValueError as exc:
        return {**empty, "error": f"line {number}: {exc}"}
