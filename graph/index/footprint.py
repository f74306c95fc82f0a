"""What the lineage index costs in memory, everything included, per column edge.

``memory_bytes`` of the index counts its arrays only; at a million columns the keys (a Python
string per vertex, and the dict that finds a vertex by key) and the interned property values
cost more than the arrays. The target the index is held to (≤ 48 bytes per column edge) counts
them all, so this module does: arrays by their buffers, Python objects by ``sys.getsizeof``
(a key once, though the key list and the key dict share it), the name index when built.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tagline.graph import schema
from tagline.graph.index.columns import PropertyTable
from tagline.graph.index.lineage_index import LineageIndex

# CPython keeps the ints -5..256 once; a larger int in a container costs an object of its own.
_SMALL_INT = 256
_INT_BYTES = sys.getsizeof(2**20)


@dataclass(frozen=True)
class Footprint:
    arrays: int  # numpy buffers: labels, property codes, edge ends, adjacency
    keys: int  # vertex keys: the strings, their list and the key -> vertex dict
    values: int  # interned property values and their look-up dicts, the name index
    column_edges: int  # `derives` edges held (current and closed)

    @property
    def total(self) -> int:
        return self.arrays + self.keys + self.values

    @property
    def per_column_edge(self) -> float:
        return self.total / self.column_edges if self.column_edges else 0.0


def footprint(index: LineageIndex) -> Footprint:
    """The index's memory by part (call with ``index.lock`` held, or on an index no one writes)."""
    keys = sys.getsizeof(index.keys) + sum(map(sys.getsizeof, index.keys)) + _dict_bytes(index.ids)
    values = _interned_bytes(index.props)
    for table in index.tables.values():
        values += _interned_bytes(table.props)
        for adjacency in table.by.values():  # edges added since the adjacency was last folded
            values += _dict_bytes(adjacency.overlay) + sum(map(_dict_bytes, adjacency.overlay.values()))
    values += _name_index_bytes(index)
    derives = index.tables[schema.DERIVES]
    return Footprint(index.memory_bytes(), keys, values, int(np.count_nonzero(derives.alive.view)))


def _dict_bytes(found: Any) -> int:
    """A container's own size and that of its int values (its keys and strings counted elsewhere)."""
    size = sys.getsizeof(found)
    items: Iterable[Any] = found.values() if isinstance(found, dict) else found
    return size + _INT_BYTES * sum(1 for v in items if isinstance(v, int) and not -5 <= v <= _SMALL_INT)


def _interned_bytes(props: PropertyTable) -> int:
    total = sys.getsizeof(props.columns) + sys.getsizeof(props.interned)
    for interned in props.interned.values():
        total += sys.getsizeof(interned.values) + sum(map(sys.getsizeof, interned.values))
        total += _dict_bytes(interned._codes) + _dict_bytes(interned._other)
    return total


def _name_index_bytes(index: LineageIndex) -> int:
    """The search index, derived on the first search (nothing before)."""
    names = index.names
    total = 0
    for value in vars(names).values():
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif isinstance(value, list):
            total += sys.getsizeof(value) + sum(sys.getsizeof(v) for v in value if isinstance(v, str))
        elif isinstance(value, dict):
            total += _dict_bytes(value) + sum(
                (v.nbytes if isinstance(v, np.ndarray) else _dict_bytes(v))
                for v in value.values()
                if not isinstance(v, int)
            )
    return total
