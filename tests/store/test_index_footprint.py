"""The lineage index's memory, everything included: what the ≤ 48 bytes per column edge counts."""

from __future__ import annotations

import sys
from pathlib import Path

from tagline.graph.index.footprint import footprint
from tagline.graph.model import LineageBatch
from tagline.graph.store import GraphStore
from tests.conftest import col, derive


def _store(path: Path, edges: int) -> GraphStore:
    store = GraphStore(str(path / "graph.db"))
    store.write(
        LineageBatch(edges=[derive(col(f"db.s{n % 7}", f"a{n}"), col(f"db.t{n % 5}", f"b{n}")) for n in range(edges)])
    )
    return store


def test_the_footprint_counts_keys_and_values_beside_the_arrays(tmp_path: Path) -> None:
    store = _store(tmp_path, 300)
    index = store.index
    found = footprint(index)
    assert found.column_edges == 300
    assert found.arrays == index.memory_bytes()
    assert found.keys >= sum(sys.getsizeof(k) for k in index.keys)  # every key string, at least
    assert found.values > 0
    assert found.total == found.arrays + found.keys + found.values
    assert found.per_column_edge == found.total / 300
    store.close()


def test_the_store_counts_again_only_after_the_index_moved(tmp_path: Path) -> None:
    store = _store(tmp_path, 50)
    first = store.index_footprint()
    assert first is not None and first.column_edges == 50
    assert store.index_footprint() is first
    store.write(LineageBatch(edges=[derive(col("db.x", "p"), col("db.y", "q"))]))
    moved = store.index_footprint()
    assert moved is not None and moved.column_edges == 51 and moved.total > first.total
    store.close()
