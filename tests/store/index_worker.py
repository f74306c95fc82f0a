"""A second process for the lineage index's property test: it applies store operations sent as
JSON lines on stdin with its own store and index, and answers with what its index holds.

``python -m tests.store.index_worker``; one request per line, one answer per line.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from tagline.graph import schema
from tagline.graph.model import DatasetRef, LineageBatch
from tagline.graph.store import GraphStore


def apply(store: GraphStore, op: dict[str, Any]) -> GraphStore:
    """Apply one operation; returns the store to use next (a restart opens a new one)."""
    kind = op["op"]
    if kind == "write":
        store.write(LineageBatch.model_validate_json(op["batch"]))
    elif kind == "purge":
        store.purge_expired()
    elif kind == "source":
        store.declare_sources([DatasetRef(namespace="ns", name=op["name"])])
    elif kind == "tags":
        store.update_tags({op["key"]: {"tags_declared": '["pii"]'}}, [])
    elif kind == "restart":
        if op["snapshot"]:
            store.save_snapshot()
        store.close()
        return GraphStore(store.location)
    else:
        raise ValueError(f"unknown operation {kind!r}")
    return store


def answers(store: GraphStore, columns: list[str], depth: int) -> dict[str, Any]:
    """What the index holds, as JSON: every lineage vertex and edge with its properties, and the
    keys of the `derives` edges within ``depth`` hops upstream of each of ``columns``."""
    store.sync()
    index = store.index
    vertices = sorted(
        [r.label, r.key, sorted((k, str(v)) for k, v in r.props.items() if k != schema.KEY)]
        for r in store.find(index.keys).values()
    )
    ids = [r.id for r in store.find(index.keys).values()]
    edges = sorted(
        [
            h.edge.label,
            index.keys[h.edge.out_id],
            index.keys[h.edge.in_id],
            sorted((k, str(v)) for k, v in h.edge.props.items()),
        ]
        for h in index.hops(ids, "out", schema.EDGE_LABELS, None)
    )
    walks = {}
    for key in columns:
        found = store.find([key]).get(key)
        walked = store.lineage([found.id], "in", depth).edges.values() if found else []
        walks[key] = sorted(str(e.props[schema.KEY]) for e in walked)
    return {"vertices": vertices, "edges": edges, "walks": walks}


def main() -> None:
    store: GraphStore | None = None
    for line in sys.stdin:
        request = json.loads(line)
        reply: dict[str, Any] = {"ok": True}
        if request["op"] == "open":
            store = GraphStore(request["path"])
        elif request["op"] == "close":
            assert store is not None
            store.close()
            store = None
        elif request["op"] == "answers":
            assert store is not None
            reply["answers"] = answers(store, request["columns"], request["depth"])
        else:
            assert store is not None
            store = apply(store, request)
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
