"""``tagline compare``: are two columns computed the same way?"""

from __future__ import annotations

import json
from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tagline.api.cli.common import StoreOption, console, fail, open_store
from tagline.governance.compare import LineageComparison, PathStep, compare_lineage
from tagline.graph.model import ColumnRef
from tagline.graph.records import EdgeRecord, VertexRecord

COLUMN_FORM = "NAMESPACE/DATASET.FIELD, e.g. redshift://analytics:5439/marts.revenue.order_count"


class Format(str, Enum):
    text = "text"
    json = "json"


def parse_column(text: str, name: str) -> ColumnRef:
    """A column as the CLI prints them (``namespace/dataset.field``): the namespace ends at the last
    ``/``, the field starts after the last ``.``."""
    namespace, slash, rest = text.rpartition("/")
    dataset, dot, field = rest.rpartition(".")
    if not (slash and namespace and dot and dataset and field):
        raise fail(f"{name}: {text!r} is not a column; write {COLUMN_FORM}")
    return ColumnRef(namespace=namespace, dataset=dataset, field=field)


def _edge_json(edge: EdgeRecord, source: VertexRecord, target: VertexRecord) -> dict[str, Any]:
    p = edge.props
    return {
        "source": source.display,
        "target": target.display,
        "transformation": {
            "type": p.get("type") or None,
            "subtype": p.get("subtype") or None,
            "masking": bool(p.get("masking", False)),
            "description": p.get("description") or None,
        },
        "expression": p.get("expression") or None,
        "job": p.get("job") or None,
    }


def _path_json(steps: Iterable[PathStep]) -> list[dict[str, Any]]:
    return [_edge_json(e, step.source, step.target) for step in steps for e in step.edges]


def comparison_json(found: LineageComparison) -> dict[str, Any]:
    return {
        "a": found.a.display,
        "b": found.b.display,
        "depth": found.depth,
        "same": found.same,
        "complete": not found.truncated,
        "shared": [
            {
                "source": s.source.display,
                "pathA": _path_json(s.path_a),
                "pathB": _path_json(s.path_b),
                "differs": s.differs,
                "difference": s.difference,
            }
            for s in found.shared
        ],
        "onlyA": [r.display for r in found.only_a],
        "onlyB": [r.display for r in found.only_b],
    }


def _path_text(steps: Iterable[PathStep]) -> str:
    parts: list[str] = []
    for step in steps:
        if not parts:
            parts.append(_short(step.source))
        parts.append(f"-[{', '.join(step.transformations())}]-> {_short(step.target)}")
    return " ".join(parts)


def _short(record: VertexRecord) -> str:
    return f"{record.props.get('dataset', '')}.{record.props.get('field', '')}"


def compare(
    a: Annotated[str, typer.Argument(help=f"The first column: {COLUMN_FORM}.")],
    b: Annotated[str, typer.Argument(help="The second column, written the same way.")],
    depth: Annotated[int, typer.Option(min=1, max=50, help="How many hops upstream to compare.")] = 3,
    output: Annotated[Format, typer.Option("--format", help="text, or json for programs.")] = Format.text,
    store: StoreOption = None,
) -> None:
    """Compare two columns' upstream lineage: shared sources, sources only one has, and where the
    transformations on the way differ."""
    ref_a, ref_b = parse_column(a, "A"), parse_column(b, "B")
    graph = open_store(store)
    try:
        found = compare_lineage(graph, ref_a, ref_b, depth)
    finally:
        graph.close()
    if output is Format.json:
        console.print_json(json.dumps(comparison_json(found)))
        return
    verdict = "computed the same way" if found.same else "computed differently"
    console.print(f"{escape(found.a.display)} and {escape(found.b.display)}: {verdict} within {depth} hops")
    if found.shared:
        table = Table("source", "to a", "to b", "difference", title="Sources both have")
        for s in found.shared:
            table.add_row(
                escape(_short(s.source)),
                escape(_path_text(s.path_a)),
                escape(_path_text(s.path_b)),
                escape(s.difference or "same"),
            )
        console.print(table)
    for title, only in (("Only a has", found.only_a), ("Only b has", found.only_b)):
        console.print(f"{title}: " + (escape(", ".join(r.display for r in only)) if only else "none"))
    if found.truncated:
        console.print("[yellow]The node limit cut a walk short; ask for less depth.[/yellow]")
    differing = sum(s.differs for s in found.shared)
    console.print(
        f"{len(found.shared)} shared sources ({differing} reached differently), "
        f"{len(found.only_a)} only in a, {len(found.only_b)} only in b"
    )
