"""Columnar storage for the lineage index: growable integer arrays and interned property values.

Why arrays: a million columns and three million edges held as Python objects (a dict per vertex,
an object per edge) cost gigabytes and make every walk chase pointers. Held as numpy arrays of
small integers, with each distinct property value stored once, they cost a few bytes per element
and a breadth-first step over a whole frontier is a handful of vectorised operations (the way
scipy's CSR matrices and rustworkx keep graphs).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

ABSENT = -1
_INITIAL = 1024


class GrowableArray:
    """A 1-D numpy array that grows by doubling; ``view`` is the used part."""

    __slots__ = ("_data", "size", "_fill")

    def __init__(self, dtype: npt.DTypeLike, fill: Any = 0, data: npt.NDArray[Any] | None = None) -> None:
        self._fill = fill
        if data is None:
            self._data = np.full(_INITIAL, fill, dtype=dtype)
            self.size = 0
        else:
            self._data = np.array(data, dtype=dtype)
            self.size = len(data)

    @property
    def view(self) -> npt.NDArray[Any]:
        return self._data[: self.size]

    def ensure(self, size: int) -> None:
        """Make room for ``size`` elements; new slots hold the fill value."""
        if size > len(self._data):
            grown = np.full(max(size, 2 * len(self._data)), self._fill, dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self.size = max(self.size, size)

    def __getitem__(self, index: int) -> Any:
        # Slots past ``size`` hold the fill value, so a plain index into the storage is enough.
        return self._data[index]

    def __setitem__(self, index: int, value: Any) -> None:
        self._data[index] = value

    @property
    def capacity(self) -> int:
        return len(self._data)


class Interned:
    """Distinct values, each stored once and named by a small integer code."""

    __slots__ = ("values", "_codes")

    def __init__(self, values: Iterable[Hashable] = ()) -> None:
        self.values: list[Any] = []
        self._codes: dict[Any, int] = {}
        for value in values:
            self.code(value)

    def code(self, value: Hashable) -> int:
        # bool is an int to a dict (True == 1), so the type takes part in the key.
        tagged = (type(value), value)
        found = self._codes.get(tagged)
        if found is None:
            found = self._codes[tagged] = len(self.values)
            self.values.append(value)
        return found


class PropertyTable:
    """Properties of many elements by name: per name, an array of value codes (``ABSENT`` where an
    element lacks it), values interned per name. Identity properties that many elements share
    (namespace, dataset) cost four bytes an element; distinct ones are stored once each."""

    def __init__(self) -> None:
        self.columns: dict[str, GrowableArray] = {}
        self.interned: dict[str, Interned] = {}
        self.size = 0

    def ensure(self, size: int) -> None:
        # Columns grow when a value is set; reads past a column's end find no value.
        self.size = max(self.size, size)

    def set(self, element: int, name: str, value: Any) -> None:
        """Set (or, with None, remove) one property of one element."""
        column = self.columns.get(name)
        if value is None:
            if column is not None and element < column.capacity:
                column[element] = ABSENT
            return
        if column is None:
            column = self.columns[name] = GrowableArray(np.int32, ABSENT)
            self.interned[name] = Interned()
        if element >= column.size:
            column.ensure(element + 1)
        column[element] = self.interned[name].code(value)

    def get(self, element: int, name: str) -> Any:
        column = self.columns.get(name)
        if column is None or element >= column.capacity:
            return None
        code = int(column[element])
        return None if code == ABSENT else self.interned[name].values[code]

    def row(self, element: int) -> dict[str, Any]:
        """Every property an element has."""
        found = {}
        for name, column in self.columns.items():
            if element < column.capacity:
                code = int(column[element])
                if code != ABSENT:
                    found[name] = self.interned[name].values[code]
        return found

    def codes(self, name: str) -> npt.NDArray[np.int32] | None:
        """The whole code array of one property, one code per element (for vectorised filters), or
        None if no element has it."""
        column = self.columns.get(name)
        if column is None:
            return None
        column.ensure(self.size)
        return column.view

    def values_of(self, name: str, elements: npt.NDArray[Any]) -> list[str]:
        """Property ``name`` of each element, as text ("" where it has none), vectorised."""
        codes = self.codes(name)
        if codes is None:
            return [""] * len(elements)
        texts = [str(v) for v in self.interned[name].values] + [""]
        picked = codes[elements]
        return [texts[c] for c in np.where(picked == ABSENT, len(texts) - 1, picked).tolist()]

    def code_of(self, name: str, value: Hashable) -> int:
        """The code of ``value`` for ``name`` if some element ever had it, else ``ABSENT``."""
        interned = self.interned.get(name)
        if interned is None:
            return ABSENT
        return interned._codes.get((type(value), value), ABSENT)
