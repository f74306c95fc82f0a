"""Table and column metadata that SQL is resolved against.

A catalog lets the extractor expand ``*``, tell which table an unqualified column belongs to, map an
``INSERT`` without a column list by position, reject a column that does not exist, and give columns
their types. It is loaded from JSON written by hand or exported from a warehouse::

    {"shop.orders": ["id", "customer_id"]}
    {"shop.orders": {"id": "bigint", "customer_id": "bigint"}}

Names are kept as given, so the catalog can be stored with a failed statement and replayed later;
they are normalised only when looked up, by the rules of the dialect of the SQL being read (the same
catalog serves a case-folding Hive and an upper-casing Snowflake).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlglot import exp
from sqlglot.dialects import Dialect
from sqlglot.dialects.dialect import NormalizationStrategy
from sqlglot.errors import ParseError

from tagline.errors import InvalidInput
from tagline.ingest.dialects import canonical_identifier

ColumnTypes = dict[str, str | None]
"""Column name -> type (``None`` when unknown), in the table's column order."""

TableName = tuple[str, ...]
"""A table's normalised name parts: ``("shop", "orders")`` or ``("hive", "shop", "orders")``."""

_QUOTES = ('"', "`", "[")


def _identifier(name: str, dialect: Dialect) -> exp.Identifier:
    if name.startswith(_QUOTES):
        try:
            return exp.parse_identifier(name, dialect=dialect)
        except ParseError:
            pass
    return exp.to_identifier(name)


def normalize_column(name: str, dialect: Dialect) -> str:
    """A column name as ``dialect`` folds it (quoted names keep their case where it says so)."""
    return _normalize_column(name, dialect, dialect.normalization_strategy)


def normalize_table(name: str, dialect: Dialect) -> TableName:
    """A dotted table name (``db.table``, ``catalog.db.table``) as ``dialect`` folds it."""
    return _normalize_table(name, dialect, dialect.normalization_strategy)


# The same names come back again and again (every catalog of a replayed script, every statement
# naming the same columns), and each is folded by building and normalising sqlglot expressions,
# parsing the quoted ones. The results are kept per dialect class and normalisation strategy (sqlglot's
# dialects compare equal whatever their settings, so the strategy is part of the key).
_NAMES_KEPT = 16384


@lru_cache(maxsize=_NAMES_KEPT)
def _normalize_column(name: str, dialect: Dialect, strategy: NormalizationStrategy) -> str:
    return canonical_identifier(_identifier(name, dialect), dialect).name


@lru_cache(maxsize=_NAMES_KEPT)
def _normalize_table(name: str, dialect: Dialect, strategy: NormalizationStrategy) -> TableName:
    try:
        table = exp.to_table(name, dialect=dialect)
        parts = [p for p in table.parts if isinstance(p, exp.Identifier)]
        if len(parts) == len(table.parts):
            # In place, so the dialect sees each part inside its table (BigQuery keeps table case).
            return tuple(canonical_identifier(p, dialect).name for p in parts)
    except ParseError:
        pass
    return tuple(canonical_identifier(exp.to_identifier(p), dialect).name for p in name.split("."))


@dataclass
class _Index:
    """The catalog's tables with names normalised for one dialect, findable by their last part."""

    dialect: Dialect
    tables: dict[TableName, ColumnTypes] = field(default_factory=dict)
    by_last_part: dict[str, list[TableName]] = field(default_factory=dict)

    def add(self, name: TableName, columns: ColumnTypes) -> None:
        if name not in self.tables:
            self.by_last_part.setdefault(name[-1], []).append(name)
        self.tables[name] = columns

    def find(self, name: TableName) -> ColumnTypes | None:
        found = self.tables.get(name)
        if found is not None:
            return found
        # `orders` written in SQL matches catalog `shop.orders` (and the other way round) when unique.
        matches = [
            candidate
            for candidate in self.by_last_part.get(name[-1], ())
            if candidate[-len(name) :] == name or name[-len(candidate) :] == candidate
        ]
        return self.tables[matches[0]] if len(matches) == 1 else None


class Catalog:
    """Known tables and their columns; see the module docstring for the JSON shapes accepted."""

    def __init__(
        self, tables: Mapping[str, Mapping[str, str | None]] | None = None, base: Catalog | None = None
    ) -> None:
        self._tables: dict[str, ColumnTypes] = {name: dict(cols) for name, cols in (tables or {}).items()}
        self._indexes: dict[tuple[type[Dialect], object], _Index] = {}
        self._base = base

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Sequence[str] | Mapping[str, str | None]]) -> Catalog:
        """Build from ``{"db.table": ["col", ...]}`` or ``{"db.table": {"col": "type"}}``."""
        if not isinstance(mapping, Mapping):
            raise InvalidInput("a catalog must be a JSON object of table name -> columns")
        tables: dict[str, ColumnTypes] = {}
        for name, columns in mapping.items():
            if not isinstance(name, str) or not name:
                raise InvalidInput(f"catalog table name {name!r} is not 'table', 'db.table' or 'catalog.db.table'")
            if isinstance(columns, Mapping):
                tables[name] = {str(col): None if kind is None else str(kind) for col, kind in columns.items()}
            elif isinstance(columns, Sequence) and not isinstance(columns, str):
                tables[name] = {str(col): None for col in columns}
            else:
                raise InvalidInput(f"catalog table {name!r}: columns must be a list of names or an object name -> type")
        return cls(tables)

    @classmethod
    def from_file(cls, path: str | Path) -> Catalog:
        """Load a JSON catalog file."""
        with open(path, encoding="utf-8") as f:
            return cls.from_mapping(json.load(f))

    def to_mapping(self) -> dict[str, ColumnTypes]:
        """The catalog as plain data (``{"db.table": {"col": "type"}}``), as ``from_mapping`` reads it."""
        mapping = self._base.to_mapping() if self._base is not None else {}
        mapping.update((name, dict(cols)) for name, cols in self._tables.items())
        return mapping

    def to_json(self) -> str:
        return json.dumps(self.to_mapping())

    def layer(self) -> Catalog:
        """An empty catalog on top of this one: it finds this one's tables, but what is added to it
        stays in it. A script's own CREATEs go there, without copying (or re-normalising) a large
        catalog for every call, and without leaking into the caller's catalog."""
        return Catalog(base=self)

    def add_table(self, name: str, columns: Mapping[str, str | None]) -> None:
        """Register (or replace) a table, e.g. one created by an earlier statement of the same script."""
        self._tables[name] = dict(columns)
        for index in self._indexes.values():
            index.add(normalize_table(name, index.dialect), _normalize_columns(columns, index.dialect))

    def find(self, name: TableName, dialect: Dialect) -> ColumnTypes | None:
        """Columns (normalised for ``dialect``) of the table called ``name`` in SQL, if known.

        ``name`` may be shorter or longer than the catalog's key (``orders`` vs ``shop.orders``); it
        matches when exactly one catalog table fits.
        """
        found = self._index(dialect).find(name) if self._tables else None
        if found is None and self._base is not None:
            return self._base.find(name, dialect)
        return found

    def __len__(self) -> int:
        return len(self._tables) + (len(self._base) if self._base is not None else 0)

    def _index(self, dialect: Dialect) -> _Index:
        key = (type(dialect), dialect.normalization_strategy)
        index = self._indexes.get(key)
        if index is None:
            index = _Index(dialect)
            for name, columns in self._tables.items():
                index.add(normalize_table(name, dialect), _normalize_columns(columns, dialect))
            self._indexes[key] = index
        return index


def _normalize_columns(columns: Mapping[str, str | None], dialect: Dialect) -> ColumnTypes:
    return {normalize_column(col, dialect): kind for col, kind in columns.items()}
