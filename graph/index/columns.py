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

    __slots__ = ("_data", "_fill", "size")

    def __init__(self, dtype: npt.DTypeLike, fill: Any = 0, data: npt.NDArray[Any] | None = None) -> None:
        self._fill = fill
        if data is None:
            self._data = np.full(_INITIAL, fill, dtype=dtype)
            self.size = 0
        else:
            self._data = np.asarray(data, dtype=dtype)
            self.size = len(data)

    @property
    def view(self) -> npt.NDArray[Any]:
        return self._data[: self.size]

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._data.dtype

    def widen(self, dtype: npt.DTypeLike) -> None:
        """Hold values of a wider type from now on (codes outgrowing int8, then int16)."""
        self._data = self._data.astype(dtype)

    def ensure(self, size: int) -> None:
        """Make room for ``size`` elements; new slots hold the fill value."""
        if size <= self.size:
            return
        if size > len(self._data):
            grown = np.full(max(size, 2 * len(self._data)), self._fill, dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self.size = size

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

    __slots__ = ("_codes", "_other", "values")

    def __init__(self, values: Iterable[Hashable] = ()) -> None:
        self.values: list[Any] = []
        self._codes: dict[str, int] = {}
        # Values that are not text, keyed with their type: to a dict, True == 1 == 1.0.
        self._other: dict[tuple[type, Any], int] = {}
        for value in values:
            self.code(value)

    def code(self, value: Hashable) -> int:
        found = self.lookup(value)
        if found is None:
            found = len(self.values)
            if isinstance(value, str):
                self._codes[value] = found
            else:
                self._other[(type(value), value)] = found
            self.values.append(value)
        return found

    def lookup(self, value: Hashable) -> int | None:
        if isinstance(value, str):
            return self._codes.get(value)
        return self._other.get((type(value), value))


# The narrowest code type that holds a code, widened as a property meets more distinct values:
# most properties (type, subtype, job, the time of an ingest) have few, and cost a byte or two.
CODE_TYPES = (np.int8, np.int16, np.int32)
_CODE_MAX = {np.dtype(t).itemsize: int(np.iinfo(t).max) for t in CODE_TYPES}  # by width in bytes


class PropertyTable:
    """Properties of many elements by name: per name, an array of value codes (``ABSENT`` where an
    element lacks it), values interned per name. A property many elements share (namespace, type)
    costs one byte an element; each distinct value is stored once."""

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
            column = self.columns[name] = GrowableArray(CODE_TYPES[0], ABSENT)
            self.interned[name] = Interned()
        if element >= column.size:
            column.ensure(element + 1)
        interned = self.interned[name]
        # Text values first, in place: this runs for every property of every logged change.
        code = interned._codes.get(value) if type(value) is str else None
        if code is None:
            code = interned.code(value)
        if code > _CODE_MAX[column._data.itemsize]:
            column.widen(next(t for t in CODE_TYPES if np.iinfo(t).max >= code))
        column._data[element] = code

    def get(self, element: int, name: str) -> Any:
        column = self.columns.get(name)
        if column is None or element >= column.capacity:
            return None
        code = int(column[element])
        return None if code == ABSENT else self.interned[name].values[code]

    def row(self, element: int) -> dict[str, Any]:
        """Every property an element has."""
        found = {}
        interned = self.interned
        for name, column in self.columns.items():
            data = column._data  # read in place: this runs once per element of every answer
            if element < len(data):
                code = data.item(element)
                if code != ABSENT:
                    found[name] = interned[name].values[code]
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
        picked = codes[elements].astype(np.int64)
        return [texts[c] for c in np.where(picked == ABSENT, len(texts) - 1, picked).tolist()]

    def code_of(self, name: str, value: Hashable) -> int:
        """The code of ``value`` for ``name`` if some element ever had it, else ``ABSENT``."""
        interned = self.interned.get(name)
        found = None if interned is None else interned.lookup(value)
        return ABSENT if found is None else found
