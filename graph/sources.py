"""Declared sources: datasets the operator says are fed from outside (an operational database,
a vendor drop), so having no upstream is expected of them. Kept as a property of the dataset
vertex, so the declaration lives wherever the lineage does."""

from __future__ import annotations

from collections.abc import Iterable

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph.reader import chunks
from tagline.graph.records import VertexId, VertexRecord, vertex_from_map
from tagline.graph.schema import DATASET, DECLARED_SOURCE


def set_declared(g: GraphTraversalSource, ids: Iterable[VertexId], declared: bool) -> None:
    wanted = list(dict.fromkeys(ids))
    for part in chunks(wanted):
        g.V(list(part)).property(DECLARED_SOURCE, declared).iterate()


def declared_sources(g: GraphTraversalSource) -> list[VertexRecord]:
    """Every declared source: a scan of the datasets, which are few next to the columns."""
    found = g.V().has_label(DATASET).has(DECLARED_SOURCE, True).element_map().to_list()
    return sorted((vertex_from_map(m) for m in found), key=lambda r: r.key)
