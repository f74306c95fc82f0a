"""Rows written in bulk (graph/writers/embedded_rows.py) read back through Gremlin exactly as the
same elements written by Gremlin's own ``addV``/``addE``/``property`` steps.

Each example writes one random graph twice, into two fresh GremLite files: once by traversals,
once by a :class:`RowBatch`; then changes some properties of both the same two ways. Both files
are read with plain traversals (labels, properties, edge ends) and must be equal, and GremLite's
own table check must hold in the bulk-written one.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import GraphTraversalSource, __
from gremlite import SQLiteConnection
from gremlite.querytools import get_table_stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagline.graph.writers.embedded_rows import RowBatch, vertex_ids, vertex_properties

Props = dict[str, Any]
NAMES = ["uid", "name", "tags", "n", "ratio", "flag"]
values = st.one_of(
    st.text(max_size=8),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
props = st.dictionaries(st.sampled_from(NAMES[1:]), values, max_size=4)
labels = st.sampled_from(["column", "dataset", "audit"])
edge_labels = st.sampled_from(["derives", "has_column"])


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[tuple[str, Props]], list[tuple[int, str, int, Props]], list[Props]]:
    """Vertices (label, props with a unique uid), edges between them, and a change per vertex
    (a None value removes the property)."""
    vertices = [(draw(labels), {"uid": f"k{n}", **draw(props)}) for n in range(draw(st.integers(1, 6)))]
    ends = st.integers(0, len(vertices) - 1)
    edges = draw(st.lists(st.tuples(ends, edge_labels, ends, props), max_size=8))
    changes = [draw(st.dictionaries(st.sampled_from(NAMES[1:]), st.one_of(st.none(), values), max_size=3))]
    changes += [draw(st.dictionaries(st.sampled_from(NAMES[1:]), st.one_of(st.none(), values), max_size=3))]
    return vertices, edges, changes * len(vertices)


def _open(path: Path) -> tuple[SQLiteConnection, GraphTraversalSource]:
    remote = SQLiteConnection(path)
    return remote, traversal().with_remote(remote)


def _by_gremlin(g: GraphTraversalSource, vertices: list[tuple[str, Props]], edges: list, changes: list[Props]) -> None:
    ids = []
    for label, found in vertices:
        step = g.add_v(label)
        for name, value in found.items():
            step = step.property(name, value)
        ids.append(step.id_().next())
    for n, (a, label, b, found) in enumerate(edges):
        step = g.V(ids[a]).as_("a").V(ids[b]).as_("b").add_e(label).from_("a").to("b").property("uid", f"e{n}")
        for name, value in found.items():
            step = step.property(name, value)
        step.iterate()
    for vertex, change in zip(ids, changes, strict=False):
        for name, value in change.items():
            if value is None:
                g.V(vertex).properties(name).drop().iterate()
            else:
                g.V(vertex).property(name, value).iterate()
    for n in range(len(edges)):
        change = changes[n % len(changes)]
        for name, value in change.items():
            if value is None:
                g.E().has("uid", f"e{n}").properties(name).drop().iterate()
            else:
                g.E().has("uid", f"e{n}").property(name, value).iterate()


def _by_rows(remote: SQLiteConnection, vertices: list, edges: list, changes: list[Props]) -> None:
    rows = RowBatch(remote.con)
    ids = [rows.create_vertex(label, found) for label, found in vertices]
    for n, (a, label, b, found) in enumerate(edges):
        rows.create_edge(ids[a], label, ids[b], {"uid": f"e{n}", **found})
    rows.flush()
    # Changes as the tag store makes them: vertices found by key, their current property ids read.
    found_ids = vertex_ids(remote.con, [f["uid"] for _, f in vertices])
    assert found_ids == {f["uid"]: i for (_, f), i in zip(vertices, ids, strict=True)}
    current = vertex_properties(remote.con, ids, NAMES)
    for vertex, change in zip(ids, changes, strict=False):
        rows.set_vertex_properties(vertex, {n: p for n in change if (p := current.get((vertex, n)))}, change)
    g = traversal().with_remote(remote)
    edge_ids = {row["uid"]: row["id"] for row in g.E().project("uid", "id").by("uid").by(__.id_()).to_list()}
    for n, (_, _, _, found) in enumerate(edges):
        rows.set_edge_properties(edge_ids[f"e{n}"], found, changes[n % len(changes)])
    rows.flush()


def _flat(found: dict[str, Any]) -> Props:
    return {k: v[0] if isinstance(v, list) else v for k, v in found.items()}


def _contents(g: GraphTraversalSource) -> tuple[dict, dict]:
    vertices = {}
    for row in g.V().project("label", "props").by(__.label()).by(__.value_map()).to_list():
        flat = _flat(row["props"])
        vertices[flat.pop("uid")] = (row["label"], flat)
    edges = {}
    for row in (
        g.E()
        .project("label", "o", "i", "props")
        .by(__.label())
        .by(__.out_v().values("uid"))
        .by(__.in_v().values("uid"))
        .by(__.value_map())
        .to_list()
    ):
        flat = _flat(row["props"])
        edges[flat.pop("uid")] = (row["label"], row["o"], row["i"], flat)
    return vertices, edges


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs())
def test_bulk_rows_read_back_as_gremlin_writes_them(tmp_path_factory: Any, graph: tuple) -> None:
    vertices, edges, changes = graph
    folder = tmp_path_factory.mktemp("rows")
    by_gremlin, g = _open(folder / "gremlin.db")
    by_rows, g_rows = _open(folder / "rows.db")
    try:
        _by_gremlin(g, vertices, edges, changes)
        by_gremlin.con.commit()
        _by_rows(by_rows, vertices, edges, changes)
        by_rows.con.commit()
        assert _contents(g_rows) == _contents(g)
        # Lookups by property value go through GremLite's indexes, as the store's reads do.
        for uid, (label, _) in _contents(g)[0].items():
            assert g_rows.V().has("uid", uid).label().to_list() == [label]
        get_table_stats(by_rows.con)  # asserts that quads and graph element ids agree
    finally:
        by_gremlin.close()
        by_rows.close()


def test_flush_refuses_ids_taken_meanwhile(tmp_path: Path) -> None:
    """An element created by Gremlin between a batch's first id and its flush would share an id."""
    remote, g = _open(tmp_path / "g.db")
    try:
        rows = RowBatch(remote.con)
        rows.create_vertex("column", {"uid": "a"})
        g.add_v("column").property("uid", "b").iterate()
        try:
            rows.flush()
        except RuntimeError as error:
            assert "between" in str(error)
        else:
            raise AssertionError("the flush wrote rows whose ids were taken")
    finally:
        remote.close()


def test_ids_continue_gremlite_sequence(tmp_path: Path) -> None:
    remote, g = _open(tmp_path / "g.db")
    try:
        before = g.add_v("column").property("uid", "a").id_().next()
        rows = RowBatch(remote.con)
        made = [rows.create_vertex("column", {"uid": f"r{n}"}) for n in range(3)]
        rows.flush()
        after = g.add_v("column").property("uid", "z").id_().next()
        assert before < min(made) and max(made) < after
        assert sorted(g.V().values("uid").to_list()) == ["a", "r0", "r1", "r2", "z"]
        assert list(itertools.chain(*[g.V(v).values("uid").to_list() for v in made])) == ["r0", "r1", "r2"]
    finally:
        remote.close()
