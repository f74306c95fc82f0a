"""The lineage index's arrays: codes that widen, adjacency rows plus overlay, folding."""

from __future__ import annotations

import numpy as np

from tagline.graph.index.columns import PropertyTable
from tagline.graph.index.edge_table import EdgeTable


def test_property_codes_widen_as_distinct_values_grow_and_keep_every_value() -> None:
    table = PropertyTable()
    table.ensure(70_000)
    for element in range(70_000):
        table.set(element, "expression", f"x{element}")
    table.set(5, "flag", True)
    table.set(6, "flag", 1)
    assert table.codes("expression").dtype == np.int32
    assert [table.get(e, "expression") for e in (0, 127, 128, 40_000, 69_999)] == [
        "x0",
        "x127",
        "x128",
        "x40000",
        "x69999",
    ]
    assert table.get(5, "flag") is True and table.get(6, "flag") == 1 and type(table.get(6, "flag")) is int
    table.set(5, "flag", None)
    assert table.get(5, "flag") is None and table.get(69_999, "flag") is None
    assert table.values_of("flag", np.array([5, 6, 7])) == ["", "1", ""]


def test_adjacency_answers_the_same_before_and_after_a_fold_and_drops_dead_edges() -> None:
    table = EdgeTable()
    edges = [(0, 1), (0, 2), (1, 2), (2, 0), (3, 1)]
    ids = [table.add(s, t) for s, t in edges]
    table.remove(ids[1])
    table.set_expiry(ids[2], 100.0)
    before = {v: (table.at([v], "out").tolist(), table.at(np.array([v]), "in").tolist()) for v in range(4)}
    table.fold(4)
    after = {v: (table.at([v], "out").tolist(), table.at(np.array([v]), "in").tolist()) for v in range(4)}
    assert before == after == {0: ([0], [3]), 1: ([2], [0, 4]), 2: ([3], [2]), 3: ([4], [])}
    assert table.at([1], "out", now=99.0).tolist() == [2]
    assert table.at(np.array([1, 3]), "out", now=100.0).tolist() == [4]
    assert table.live == 4
