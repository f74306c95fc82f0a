"""Text renderings for the terminal: lineage trees and ingest summaries."""

from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from tagline.graph.records import EdgeRecord, Expansion, VertexId, VertexRecord


def column_label(record: VertexRecord) -> str:
    return escape(record.display)


def edge_label(edge: EdgeRecord) -> str:
    p = edge.props
    kind = "/".join(x for x in (p.get("type"), p.get("subtype")) if x)
    masking = " masked" if p.get("masking") else ""
    expression = f"  [dim]{escape(str(p['expression']))}[/dim]" if p.get("expression") else ""
    return f"[cyan]{kind}{masking}[/cyan]{expression}"


def lineage_tree(root: VertexRecord, expansion: Expansion, upstream: bool) -> Tree:
    """A tree from ``root``; a column met again (a cycle or a diamond) is shown once, then referred to."""
    children: dict[VertexId, list[EdgeRecord]] = {}
    for edge in expansion.edges.values():
        parent = edge.in_id if upstream else edge.out_id
        children.setdefault(parent, []).append(edge)
    vertices = {**expansion.vertices, root.id: root}
    tree = Tree(f"[bold]{column_label(root)}[/bold]")
    shown: set[VertexId] = {root.id}

    def grow(node: Tree, vertex: VertexId) -> None:
        edges = sorted(children.get(vertex, []), key=lambda e: vertices[e.out_id if upstream else e.in_id].key)
        for edge in edges:
            other = edge.out_id if upstream else edge.in_id
            label = f"{column_label(vertices[other])}  {edge_label(edge)}"
            if other in shown:
                node.add(f"{label}  [dim](shown above)[/dim]")
                continue
            shown.add(other)
            grow(node.add(label), other)

    grow(tree, root.id)
    return tree
