"""``tagline diff``: the column lineage that changed between two moments (event time)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from tagline.api.cli.common import StoreOption, console, fail, open_store
from tagline.api.cli.render import edge_label
from tagline.api.services.moments import parse_moment
from tagline.errors import InvalidInput
from tagline.graph.model import display_name
from tagline.graph.records import EdgeRecord, VertexId, VertexRecord
from tagline.graph.timefmt import iso, utcnow


def diff(
    since: Annotated[
        str,
        typer.Option(help="From when: a span back from now (7d, 12h) or an ISO-8601 time (2026-05-01)."),
    ] = "7d",
    until: Annotated[str | None, typer.Option(help="Until when (same forms); default now.")] = None,
    namespace: Annotated[str | None, typer.Option(help="Only edges touching this namespace.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Only edges touching this dataset (needs --namespace).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of text.")] = False,
    store: StoreOption = None,
) -> None:
    """Column lineage added and removed between two moments: what jobs' newer reports changed."""
    now = utcnow()
    try:
        start = parse_moment(since, now, "--since")
        end = parse_moment(until, now, "--until") if until is not None else now
    except InvalidInput as exc:
        raise fail(str(exc)) from None
    if start > end:
        raise fail(f"--since ({iso(start)}) is later than --until ({iso(end)})")
    if dataset is not None and namespace is None:
        raise fail("--dataset needs --namespace")
    graph = open_store(store)
    try:
        added, removed, columns = graph.lineage_changes(start, end, namespace, dataset)
    finally:
        graph.close()
    if as_json:
        document = {
            "from": iso(start),
            "to": iso(end),
            "added": [_edge_json(e, columns) for e in added],
            "removed": [_edge_json(e, columns) for e in removed],
        }
        console.print_json(json.dumps(document))
        return
    console.print(f"lineage from {iso(start)} to {iso(end)}: {len(added)} added, {len(removed)} removed")
    for sign, edges in (("+", added), ("-", removed)):
        for edge in edges:
            ends = f"{columns[edge.out_id].display} -> {columns[edge.in_id].display}"
            job = f"  job {display_name(str(edge.props['job']))}" if edge.props.get("job") else ""
            console.print(f"{sign} {escape(ends)}  {edge_label(edge)}{escape(job)}")


def _edge_json(edge: EdgeRecord, columns: dict[VertexId, VertexRecord]) -> dict[str, object]:
    p = edge.props
    return {
        "source": columns[edge.out_id].display,
        "target": columns[edge.in_id].display,
        "job": display_name(str(p["job"])) if p.get("job") else None,
        "type": p.get("type"),
        "subtype": p.get("subtype") or None,
        "valid_from": p.get("valid_from") or p.get("first_seen"),
        "valid_to": p.get("valid_to"),
    }
