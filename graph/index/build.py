"""Where a lineage index comes from when a process starts: a snapshot plus the change log's tail,
the whole change log, or the graph itself.

A snapshot is a file beside the embedded store (``<store>.index``) holding the index's arrays and
the log position they reflect. It is never trusted blindly: it must name the same store (the
store's random id, kept in the store) and a position the store's log has reached; otherwise, or
if it cannot be read, the index is rebuilt — from the whole log where the log covers the store's
whole life, else by reading the graph (a store written before the change log existed, or a
shared Gremlin Server store) — and a fresh snapshot is written.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from gremlin_python.process.graph_traversal import GraphTraversalSource, __

from tagline.graph import schema
from tagline.graph.changelog import changes
from tagline.graph.index.columns import GrowableArray, Interned, PropertyTable
from tagline.graph.index.edge_table import EdgeTable
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.reader import chunks, labelled, labelled_edges
from tagline.graph.records import edge_from_map

SNAPSHOT_FORMAT = 2
SNAPSHOT_SUFFIX = ".index"


def entries_from_graph(g: GraphTraversalSource, indexed: bool) -> Iterator[changes.Entry]:
    """The lineage part of the graph as change-log entries: every vertex, then every edge."""
    keys: dict[Any, str] = {}
    for label in schema.VERTEX_LABELS:
        for row in labelled(g, label, indexed).project("id", "p").by(__.id_()).by(__.value_map()).to_list():
            props = {k: v[0] if isinstance(v, list) else v for k, v in row["p"].items()}
            props.pop(schema.VERTEX_LABEL_COPY, None)
            props.pop(schema.JOB_DEFINITIONS, None)
            key = str(props.pop(schema.KEY))
            keys[row["id"]] = key
            yield [changes.VERTEX, key, label, props]
    for label in schema.EDGE_LABELS:
        ids = labelled_edges(g, label, indexed).id_().to_list()
        for part in chunks(ids):
            for element_map in g.E(list(part)).element_map().to_list():
                edge = edge_from_map(element_map)
                props = {k: v for k, v in edge.props.items() if k not in (schema.KEY, schema.EDGE_LABEL_COPY)}
                ends = (keys[edge.out_id], keys[edge.in_id])
                yield [changes.EDGE, schema.edge_key(label, *ends, props), label, *ends, props]


# ---- snapshots ---------------------------------------------------------------------------------
def _table_state(props: PropertyTable) -> dict[str, Any]:
    return {
        "size": props.size,
        "columns": {name: column.view for name, column in props.columns.items()},
        "values": {name: interned.values for name, interned in props.interned.items()},
    }


def _table_from(state: dict[str, Any]) -> PropertyTable:
    table = PropertyTable()
    table.size = state["size"]
    for name, codes in state["columns"].items():
        table.columns[name] = GrowableArray(codes.dtype, -1, codes)
        table.interned[name] = Interned(state["values"][name])
    return table


def save_snapshot(index: LineageIndex, path: Path) -> None:
    """Write the index to ``path`` atomically (a reader never sees half a snapshot)."""
    with index.lock:
        state = {
            "format": SNAPSHOT_FORMAT,
            "store_id": index.store_id,
            "position": index.position,
            "keys": index.keys,
            "labels": index.labels.view,
            "props": _table_state(index.props),
            "tables": {
                label: {
                    "src": t.src.view,
                    "dst": t.dst.view,
                    "alive": t.alive.view,
                    "expires": None if t.expires is None else t.expires.view,
                    "live": t.live,
                    "props": _table_state(t.props),
                }
                for label, t in index.tables.items()
            },
        }
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as out:
            pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)


def load_snapshot(path: Path) -> LineageIndex | None:
    """The index saved at ``path``, or None if there is none or it cannot be read as one."""
    try:
        with path.open("rb") as source:
            state = pickle.load(source)
        if state.get("format") != SNAPSHOT_FORMAT:
            return None
        index = LineageIndex()
        index.store_id = state["store_id"]
        index.position = state["position"]
        index.keys = state["keys"]
        index.ids = {key: n for n, key in enumerate(index.keys)}
        index.labels = GrowableArray(np.uint8, 255, state["labels"])
        index.props = _table_from(state["props"])
        for label, saved in state["tables"].items():
            table = EdgeTable()
            table.src = GrowableArray(np.int32, 0, saved["src"])
            table.dst = GrowableArray(np.int32, 0, saved["dst"])
            table.alive = GrowableArray(np.bool_, False, saved["alive"])
            if saved["expires"] is not None:
                table.expires = GrowableArray(np.float64, np.inf, saved["expires"])
            table.live = saved["live"]
            table.props = _table_from(saved["props"])
            table.recount_current()
            table.fold(len(index.keys))
            index.tables[label] = table
        return index
    except (OSError, EOFError, pickle.UnpicklingError, KeyError, TypeError, ValueError, AttributeError):
        return None
