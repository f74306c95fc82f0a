"""Keys of stores written before names' separators were escaped, rewritten once when opened.

Before, ``hive://a|b`` + ``c`` and ``hive://a`` + ``b|c`` made one key, so two tables could land
on one vertex. Keys are now made of escaped parts (``graph/model.py``). A store that does not say
it was written with escaped keys is checked when opened: each lineage vertex's key is made again
from its own properties (namespace, name, dataset, field), and where the two differ (only names
holding ``|`` or a backslash) the vertex's key and the keys of its edges are rewritten, all in
one transaction that also logs the renames, so every lineage index follows. Vertices two names
were already merged into stay merged: the store cannot tell them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.graph import schema
from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.model import KEY_FORMAT, column_key, dataset_key, job_key
from tagline.graph.records import EdgeRecord

if TYPE_CHECKING:
    from tagline.graph.store import GraphStore

FORMAT = "key_format"


@dataclass(frozen=True)
class EdgeRewrite:
    """An edge whose key changes with its ends' (or its job's) keys."""

    label: str
    out_key: str
    in_key: str
    new_job: str | None
    key: str
    key_after_renames: str


def key_from_props(label: str, props: dict[str, object]) -> str | None:
    """The key a vertex's own properties give it today, or None if it lacks them."""
    try:
        if label == schema.COLUMN:
            return column_key(str(props["namespace"]), str(props["dataset"]), str(props["field"]))
        if label == schema.DATASET:
            return dataset_key(str(props["namespace"]), str(props["name"]))
        if label == schema.JOB:
            return job_key(str(props["namespace"]), str(props["name"]))
    except KeyError:
        return None
    return None


def migrate_keys(store: GraphStore) -> int:
    """Bring the store's keys to the current format if it is older; how many vertices changed."""
    log = store.changelog
    if log.meta(FORMAT) == str(KEY_FORMAT):
        return 0
    index = store.index
    renames: dict[str, str] = {}
    with index.lock:
        for vertex, old in enumerate(index.keys):
            label = index.label_of(vertex)
            new = key_from_props(label, index.props.row(vertex)) if label else None
            if new is not None and new != old and new not in index.ids:
                renames[old] = new
        touched = {index.ids[k] for k in renames}
        edges = [
            hop.edge
            for label in schema.EDGE_LABELS
            for direction in ("out", "in")
            for hop in index.hops(touched, direction, [label], None)
        ]
        rewrites: dict[str, EdgeRewrite] = {}
        for edge in [*edges, *_edges_of_jobs(index, renames, schema.DERIVES)]:
            if edge.label == schema.HAS_COLUMN:
                continue
            out_key, in_key = (renames.get(index.keys[v], index.keys[v]) for v in (edge.out_id, edge.in_id))
            job = edge.props.get("job")
            new_job = renames.get(str(job)) if job else None
            props = {**edge.props, "job": new_job or job}
            rewrites[str(edge.props[schema.KEY])] = EdgeRewrite(
                label=edge.label,
                out_key=out_key,
                in_key=in_key,
                new_job=new_job,
                key=schema.edge_key(edge.label, out_key, in_key, props),
                # After the vertex renames, the index knows the edge by its new ends and old job.
                key_after_renames=schema.edge_key(edge.label, out_key, in_key, edge.props),
            )

    def rewrite(g: GraphTraversalSource, changes: ChangeSet) -> None:
        for old, new in sorted(renames.items()):
            g.V().has(schema.KEY, old).property(schema.KEY, new).iterate()
            changes.renamed(old, new)
        for old_key, edge in sorted(rewrites.items()):
            step = g.E().has(schema.KEY, old_key).property(schema.KEY, edge.key)
            if edge.new_job:
                step = step.property("job", edge.new_job)
                changes.edge(edge.key_after_renames, edge.label, edge.out_key, edge.in_key, {"job": edge.new_job})
            step.iterate()
        log.set_meta(g, FORMAT, str(KEY_FORMAT))

    store.logged_write(rewrite)
    return len(renames)


def _edges_of_jobs(index: LineageIndex, renames: dict[str, str], label: str) -> list[EdgeRecord]:
    """Edges made by a job whose key is renamed (the job is a property of the edge, not an end)."""
    table = index.tables[label]
    codes = table.props.codes("job")
    wanted = [c for old in renames if old.startswith("j|") and (c := table.props.code_of("job", old)) != -1]
    if codes is None or not wanted:
        return []
    found = np.flatnonzero(np.isin(codes, wanted) & table.alive.view)
    return [index.edge_record(label, e) for e in found.tolist()]
