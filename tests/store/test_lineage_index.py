"""The lineage index against the store it is derived from.

The reference is read from the store through plain Gremlin traversals into sets and dicts, and
its walks are a plain breadth-first search over those: nothing of the index's code is used to
build what it is compared with.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from gremlin_python.process.graph_traversal import __
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagline.graph import schema
from tagline.graph.model import ColumnEdge, JobRef, LineageBatch, LineageType, Subtype, Transformation
from tagline.graph.reader import labelled, labelled_edges
from tagline.graph.store import GraphStore
from tests.conftest import col, derive
from tests.store.index_worker import answers, apply

Snapshot = tuple[dict[tuple[str, str], dict[str, Any]], dict[tuple[str, str, str, str], dict[str, Any]]]


def _flat(props: dict[Any, Any]) -> dict[str, Any]:
    return {k: v[0] if isinstance(v, list) else v for k, v in props.items() if isinstance(k, str)}


def store_contents(store: GraphStore) -> Snapshot:
    """Every lineage vertex (label, key) -> props and edge (label, out key, in key, key) -> props,
    read with Gremlin alone."""
    g = store.g
    vertices = {}
    for label in schema.VERTEX_LABELS:
        for props in labelled(g, label, store.labels_indexed).value_map().to_list():
            flat = _flat(props)
            flat.pop(schema.VERTEX_LABEL_COPY, None)
            vertices[(label, flat.pop(schema.KEY))] = flat
    edges = {}
    for label in schema.EDGE_LABELS:
        rows = (
            labelled_edges(g, label, store.labels_indexed)
            .project("o", "i", "p")
            .by(__.out_v().values(schema.KEY))
            .by(__.in_v().values(schema.KEY))
            .by(__.value_map())
            .to_list()
        )
        for row in rows:
            props = _flat(row["p"])
            props.pop(schema.EDGE_LABEL_COPY, None)
            uid = props.pop(schema.KEY, f"h|{row['i']}")
            edges[(label, row["o"], row["i"], uid)] = props
    return vertices, edges


def index_contents(store: GraphStore) -> Snapshot:
    """The same, as the index answers it (hops over every vertex, expired edges included)."""
    vertices = {}
    ids = []
    for label in schema.VERTEX_LABELS:
        for record in store.find(store.index.keys).values():
            if record.label == label:
                props = dict(record.props)
                vertices[(label, props.pop(schema.KEY))] = props
                ids.append(record.id)
    edges = {}
    index = store.index
    for hop in index.hops(ids, "out", schema.EDGE_LABELS, None):
        props = dict(hop.edge.props)
        uid = props.pop(schema.KEY)
        edges[(hop.edge.label, index.keys[hop.edge.out_id], index.keys[hop.edge.in_id], uid)] = props
    return vertices, edges


def plain_bfs(edges: dict[tuple[str, str, str, str], dict[str, Any]], start: str, depth: int, now: str) -> set[str]:
    """Keys of the `derives` edges within ``depth`` hops upstream of ``start``, expired ones aside."""
    into: dict[str, list[tuple[str, str]]] = {}
    for (label, source, target, uid), props in edges.items():
        expires = props.get("expires_at")
        if label == schema.DERIVES and (expires is None or str(expires) > now):
            into.setdefault(target, []).append((source, uid))
    found: set[str] = set()
    seen = {start}
    frontier = deque([(start, 0)])
    while frontier:
        column, hops = frontier.popleft()
        if hops == depth:
            continue
        for source, uid in into.get(column, ()):
            found.add(uid)
            if source not in seen:
                seen.add(source)
                frontier.append((source, hops + 1))
    return found


COLUMNS = [col(f"db.t{n // 3}", f"c{n % 3}") for n in range(9)]
KINDS = [("DIRECT", "IDENTITY"), ("DIRECT", "TRANSFORMATION"), ("INDIRECT", "FILTER")]
NOW = datetime.now(UTC)

edge_strategy = st.builds(
    lambda s, t, kind, job, ttl: ColumnEdge(
        source=COLUMNS[s],
        target=COLUMNS[t],
        transformation=Transformation(type=LineageType(KINDS[kind][0]), subtype=Subtype(KINDS[kind][1])),
        job=JobRef(namespace="default", name=f"job{job}"),
        expires_at=None if ttl is None else NOW + timedelta(days=ttl),
    ),
    st.integers(0, 8),
    st.integers(0, 8),
    st.integers(0, 2),
    st.integers(0, 1),
    st.one_of(st.none(), st.integers(-2, 2)),
)
operation = st.one_of(
    st.tuples(st.just("write"), st.integers(0, 1), st.lists(edge_strategy, min_size=1, max_size=4)),
    st.tuples(st.just("purge"), st.integers(0, 1), st.just([])),
    st.tuples(st.just("source"), st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("tags"), st.integers(0, 1), st.integers(0, 8)),
    st.tuples(st.just("restart"), st.integers(0, 1), st.booleans()),
)


class OtherProcess:
    """The store operations of the test applied in a second process (tests/store/index_worker.py)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.store.index_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply: dict[str, Any] = json.loads(self.process.stdout.readline())
        return reply

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def other_process() -> Iterator[OtherProcess]:
    other = OtherProcess()
    yield other
    other.close()


def request_of(kind: str, arg: Any) -> dict[str, Any]:
    if kind == "write":
        return {"op": "write", "batch": LineageBatch(edges=arg).model_dump_json()}
    if kind == "source":
        return {"op": "source", "name": f"db.t{arg}"}
    if kind == "tags":
        return {"op": "tags", "key": COLUMNS[arg].key}
    if kind == "restart":
        return {"op": "restart", "snapshot": arg}
    return {"op": kind}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=10))
def test_two_processes_indexes_answer_what_the_store_holds(
    tmp_path_factory: Any, other_process: OtherProcess, operations: list[Any]
) -> None:
    """Two processes write one store, restart (with or without a snapshot) and expire lineage;
    each one's index answers what the store holds, read with plain Gremlin."""
    path = str(tmp_path_factory.mktemp("index") / "graph.db")
    store = GraphStore(path)
    other_process.ask(op="open", path=path)
    try:
        for kind, who, arg in operations:
            if who == 0:
                store = apply(store, request_of(kind, arg))
            else:
                other_process.ask(**request_of(kind, arg))
        keys = [c.key for c in COLUMNS]
        mine = json.loads(json.dumps(answers(store, keys, 3)))
        theirs = other_process.ask(op="answers", columns=keys, depth=3)["answers"]
        vertices, edges = store_contents(store)
        expected_vertices = sorted(
            [label, key, sorted((k, str(v)) for k, v in props.items())] for (label, key), props in vertices.items()
        )
        expected_edges = sorted(
            [label, out, into, sorted((k, str(v)) for k, v in {**props, schema.KEY: uid}.items())]
            for (label, out, into, uid), props in edges.items()
        )
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        expected_walks = {key: sorted(plain_bfs(edges, key, 3, now)) for key in keys}
        expected = json.loads(
            json.dumps({"vertices": expected_vertices, "edges": expected_edges, "walks": expected_walks})
        )
        assert mine == expected
        assert theirs == expected
    finally:
        store.close()
        other_process.ask(op="close")


def test_a_snapshot_of_another_store_or_a_later_position_is_not_trusted(tmp_path: Path) -> None:
    a, b = col("db.a", "x"), col("db.b", "y")
    first = str(tmp_path / "first.db")
    store = GraphStore(first)
    store.write(LineageBatch(edges=[derive(a, b)]))
    assert store.save_snapshot()
    store.close()
    # The snapshot beside a different store names another store id: rebuilt, not trusted.
    second = str(tmp_path / "second.db")
    Path(second + ".index").write_bytes(Path(first + ".index").read_bytes())
    other = GraphStore(second)
    assert other.counts()["derives"] == 0
    other.close()
    # A damaged snapshot is rebuilt from the log.
    Path(first + ".index").write_bytes(b"not a snapshot")
    reopened = GraphStore(first)
    assert reopened.counts()["derives"] == 1
    reopened.close()


def test_a_snapshot_is_followed_by_the_log_written_after_it(tmp_path: Path) -> None:
    a, b, c = col("db.a", "x"), col("db.b", "y"), col("db.c", "z")
    path = str(tmp_path / "graph.db")
    store = GraphStore(path)
    store.write(LineageBatch(edges=[derive(a, b)]))
    store.save_snapshot()
    store.write(LineageBatch(edges=[derive(b, c)]))
    store.close()
    reopened = GraphStore(path)
    assert reopened.counts()["derives"] == 2
    assert index_contents(reopened) == store_contents(reopened)
    reopened.close()


def test_an_expired_edge_leaves_answers_at_its_expiry_before_any_purge(tmp_path: Path) -> None:
    a, b = col("db.a", "x"), col("db.b", "y")
    store = GraphStore(str(tmp_path / "graph.db"))
    soon = datetime.now(UTC) + timedelta(seconds=0.3)
    edge = derive(a, b).model_copy(update={"expires_at": soon})
    store.write(LineageBatch(edges=[edge]))
    target = store.find([b.key])[b.key].id
    assert len(store.lineage([target], "in", 1).edges) == 1
    import time

    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
    assert len(store.lineage([target], "in", 1).edges) == 0
    assert store.counts()["derives"] == 1  # still in the store until purged
    assert store.purge_expired() == 1
    store.close()


def test_a_store_written_before_the_change_log_gets_its_index_from_the_graph(tmp_path: Path) -> None:
    a, b = col("db.a", "x"), col("db.b", "y")
    path = str(tmp_path / "graph.db")
    store = GraphStore(path)
    store.write(LineageBatch(edges=[derive(a, b)]))
    store.close()
    forget_change_log(path)
    upgraded = GraphStore(path)
    assert index_contents(upgraded) == store_contents(upgraded)
    assert upgraded.counts()["derives"] == 1
    upgraded.close()


def forget_change_log(path: str) -> None:
    """Make an embedded store look as one written before the change log existed."""
    con = sqlite3.connect(path)
    con.execute("DROP TABLE tagline_changes")
    con.execute("DROP TABLE tagline_meta")
    con.commit()
    con.close()
    Path(path + ".index").unlink(missing_ok=True)
