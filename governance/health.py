"""Lineage health: which datasets have lost their feed, stopped being written, or stopped being read.

Pure rules over what the store knows of each dataset (:class:`DatasetFacts`), so they are tested
without a store. Times are ISO-8601 UTC strings, which sort as text. The classification:

- *last write*: the latest time a job wrote the dataset (``writes.last_at``); for a dataset no job
  writes, the latest time column lineage into it was seen.
- *last read*: the latest time a job read it (``reads.last_at``: ETL jobs and query logs) or column
  lineage out of it was seen.
- *orphan*: no job writes it and no column lineage flows into it, and it is not a declared source.
- *zombie*: it has upstream (a writer or lineage in) but its last write is before the cutoff.
- *unused*: known for longer than the window and its last read is before the cutoff (or never).
- *unused column*: a column of a dataset that is itself read (and known for longer than the
  window), with no lineage out of it since the cutoff. Reads by query logs are table-level, so a column is judged by its downstream lineage.
- *deprecation candidate*: unused and not a declared source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from tagline.governance.window import is_stale, latest


class ColumnFacts(NamedTuple):
    """A column's key and when lineage flowed out of it (a named tuple: a warehouse has a million)."""

    key: str
    downstream_seen: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetFacts:
    key: str
    first_seen: str | None = None
    declared_source: bool = False
    writes: dict[str, str | None] = field(default_factory=dict)
    reads: dict[str, str | None] = field(default_factory=dict)
    upstream_seen: tuple[str, ...] = ()  # lineage into its columns; needed only when no job writes it
    columns: tuple[ColumnFacts, ...] = ()

    @property
    def downstream_seen(self) -> tuple[str, ...]:
        return tuple(t for c in self.columns for t in c.downstream_seen)

    @property
    def has_upstream(self) -> bool:
        return bool(self.writes or self.upstream_seen)

    @property
    def last_write_at(self) -> str | None:
        return latest(self.writes.values()) if self.writes else latest(self.upstream_seen)

    @property
    def last_read_at(self) -> str | None:
        return latest([*self.reads.values(), *self.downstream_seen])


@dataclass(frozen=True)
class HealthReport:
    """Dataset and column keys in each class, sorted."""

    orphans: tuple[str, ...]
    zombies: tuple[str, ...]
    unused: tuple[str, ...]
    unused_columns: tuple[str, ...]
    deprecation_candidates: tuple[str, ...]


def known_for_the_window(facts: DatasetFacts, cutoff: str) -> bool:
    """Met before the window began: only then does "not read within the window" mean something."""
    return facts.first_seen is None or facts.first_seen < cutoff


def is_unused(facts: DatasetFacts, cutoff: str) -> bool:
    return known_for_the_window(facts, cutoff) and is_stale(facts.last_read_at, cutoff)


def classify(datasets: Iterable[DatasetFacts], cutoff: str) -> HealthReport:
    facts = sorted(datasets, key=lambda f: f.key)
    unused = [f for f in facts if is_unused(f, cutoff)]
    unused_keys = {f.key for f in unused}
    return HealthReport(
        orphans=tuple(f.key for f in facts if not f.has_upstream and not f.declared_source),
        zombies=tuple(f.key for f in facts if f.has_upstream and is_stale(f.last_write_at, cutoff)),
        unused=tuple(f.key for f in unused),
        unused_columns=tuple(
            c.key
            for f in facts
            if f.key not in unused_keys and known_for_the_window(f, cutoff)
            for c in sorted(f.columns, key=lambda c: c.key)
            if is_stale(latest(c.downstream_seen), cutoff)
        ),
        deprecation_candidates=tuple(f.key for f in unused if not f.declared_source),
    )
