"""Declared sources: datasets the operator says are fed from outside (an operational database,
a vendor drop), so having no upstream is expected of them. Kept as a property of the dataset
vertex, so the declaration lives wherever the lineage does."""

from __future__ import annotations

from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.reader import chunks
from tagline.graph.records import VertexId
from tagline.graph.schema import DATASET, DECLARED_SOURCE


def set_declared(g: GraphTraversalSource, datasets: dict[str, VertexId], declared: bool, changes: ChangeSet) -> None:
    """Mark the datasets (key -> vertex id) as declared sources, or no longer."""
    wanted = list(dict.fromkeys(datasets.values()))
    for part in chunks(wanted):
        g.V(list(part)).property(DECLARED_SOURCE, declared).iterate()
    for key in datasets:
        changes.vertex(key, DATASET, {DECLARED_SOURCE: declared})
