"""Search by name over the lineage index: the distinct names of datasets, jobs and columns, sorted
for prefix look-ups and laid end to end for substring matches.

Why not a scan: a million columns hold only as many distinct names as the warehouse has words
(``id``, ``email``, ``customer_id``...), and the lineage index already keeps each vertex's name as
a small integer code into its property's distinct values (``graph/index/columns.py``). So the matching
is done once per distinct name — binary search (``bisect``) in a sorted list for whole-name and
word prefixes, one vectorised pass over all names as UTF-8 bytes for substrings — and the
vertices are reached by gathering a score per code over the code arrays: a few numpy operations
whatever the number of vertices.

Kept current without a hook: property values are only ever added to a property's interned list,
so each search first takes in the values added since the last one; the sorted lists are rebuilt
once the values taken in since outnumber a twentieth of them (until then those few are matched in
plain Python).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tagline.graph.index.columns import ABSENT, PropertyTable

# Which property names a vertex, by label; the labels' codes are the lineage index's.
NAME_PROPS: dict[str, str] = {"dataset": "name", "job": "name", "column": "field"}
EXACT, PREFIX, WORD_PREFIX, SUBSTRING, NONE = range(5)
NO_MATCH = np.iinfo(np.int64).max
WORD = re.compile(r"[^\W_]+")
SEPARATOR = b"\x00"
REBUILD_SHARE = 20
REBUILD_MIN = 2_000
MAX_LENGTH = (1 << 16) - 1


@dataclass(frozen=True)
class Page:
    """One page of hits: vertex ids best first, and how many vertices match in all."""

    vertices: list[int]
    total: int


def words(name: str) -> list[str]:
    """The words of a lowercased name: `dw.fact_orders` -> dw, fact, orders."""
    return WORD.findall(name)


class NameIndex:
    def __init__(self) -> None:
        self.names: list[str] = []  # distinct lowercased names; a name's id is its position
        self.name_ids: dict[str, int] = {}
        self.lengths: list[int] = []
        # Per property: the name id of each of its interned values, and how many were taken in.
        self.of_code: dict[str, list[int]] = {}
        # Built from names[:built]: sorted (name, id) and (word, id) pairs, the names as one
        # byte string with each name's start offset, and each name's alphabetical rank.
        self.built = 0
        self.sorted_names: list[str] = []
        self.sorted_name_ids: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.sorted_words: list[str] = []
        self.sorted_word_ids: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.blob = np.zeros(0, dtype=np.uint8)
        self.starts: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.alpha: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._tables: dict[str, npt.NDArray[np.int64]] = {}
        self._alpha_all: npt.NDArray[np.int64] | None = None

    # ---- keeping current -------------------------------------------------------------------------
    def refresh(self, props: PropertyTable) -> None:
        """Take in the property values added since the last call; rebuild the sorted lists when
        enough are new."""
        for prop in set(NAME_PROPS.values()):
            interned = props.interned.get(prop)
            if interned is None:
                continue
            codes = self.of_code.setdefault(prop, [])
            for value in interned.values[len(codes) :]:
                codes.append(self._name_id(str(value).lower()))
        fresh = len(self.names) - self.built
        if fresh and (fresh >= max(REBUILD_MIN, self.built // REBUILD_SHARE) or not self.built):
            self._rebuild()

    def _name_id(self, name: str) -> int:
        found = self.name_ids.get(name)
        if found is None:
            found = self.name_ids[name] = len(self.names)
            self.names.append(name)
            self.lengths.append(len(name))
        return found

    def _rebuild(self) -> None:
        order = sorted(range(len(self.names)), key=self.names.__getitem__)
        self.sorted_names = [self.names[i] for i in order]
        self.sorted_name_ids = np.asarray(order, dtype=np.int64)
        pairs = sorted((w, i) for i, name in enumerate(self.names) for w in set(words(name)))
        self.sorted_words = [w for w, _ in pairs]
        self.sorted_word_ids = np.asarray([i for _, i in pairs], dtype=np.int64)
        encoded = [name.encode() for name in self.names]
        self.blob = np.frombuffer(SEPARATOR.join(encoded) + SEPARATOR, dtype=np.uint8)
        sizes = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
        self.starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        self.alpha = np.empty(len(order), dtype=np.int64)
        self.alpha[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
        self.built = len(self.names)
        self._alpha_all = None

    # ---- matching names ----------------------------------------------------------------------------
    def kinds(self, query: str) -> npt.NDArray[np.int8]:
        """How each name id matches (EXACT, PREFIX, WORD_PREFIX, SUBSTRING, or NONE), best kind
        kept: each kind is written over the worse ones."""
        q = query.lower()
        found = np.full(len(self.names), NONE, dtype=np.int8)
        found[self._substring_ids(q)] = SUBSTRING
        found[_prefixed(self.sorted_words, self.sorted_word_ids, q)] = WORD_PREFIX
        found[_prefixed(self.sorted_names, self.sorted_name_ids, q)] = PREFIX
        for i in range(self.built, len(self.names)):  # taken in since the last rebuild
            name = self.names[i]
            if q in name:
                found[i] = (
                    PREFIX
                    if name.startswith(q)
                    else WORD_PREFIX
                    if any(w.startswith(q) for w in words(name))
                    else SUBSTRING
                )
        exact = self.name_ids.get(q)
        if exact is not None:
            found[exact] = EXACT
        return found

    def _substring_ids(self, q: str) -> npt.NDArray[np.int64]:
        """Ids of the built names containing ``q``: candidate starts narrowed one byte at a time."""
        needle = np.frombuffer(q.encode(), dtype=np.uint8)
        last = len(self.blob) - len(needle)
        if not len(needle) or last < 0:
            return np.zeros(0, dtype=np.int64)
        at = np.flatnonzero(self.blob[: last + 1] == needle[0])
        for offset in range(1, len(needle)):
            at = at[self.blob[at + offset] == needle[offset]]
        # The separator never occurs in a needle, so a match never spans two names.
        return np.unique(np.searchsorted(self.starts, at, side="right") - 1)

    def scores(self, query: str) -> npt.NDArray[np.int64] | None:
        """A score per name id, lower is better (kind of match, then length, then alphabetical
        order), NO_MATCH for the rest, plus one NO_MATCH slot for vertices without a name; None
        when nothing matches."""
        kinds = self.kinds(query)
        matched = np.flatnonzero(kinds != NONE)
        if not len(matched):
            return None
        alpha = self._alphabetical()
        lengths = np.minimum(np.asarray(self.lengths, dtype=np.int64)[matched], MAX_LENGTH)
        scores = np.full(len(self.names) + 1, NO_MATCH, dtype=np.int64)
        scores[matched] = (kinds[matched].astype(np.int64) * (MAX_LENGTH + 1) + lengths) * (
            int(alpha.max()) + 1
        ) + alpha[matched]
        return scores

    def _alphabetical(self) -> npt.NDArray[np.int64]:
        """Each name's place in alphabetical order (gaps allowed): the built names' from the last
        rebuild, spread apart, and the names taken in since slotted between them."""
        fresh = self.names[self.built :]
        if self._alpha_all is None or len(self._alpha_all) != len(self.names):
            room = len(fresh) + 1
            placed = np.empty(len(self.names), dtype=np.int64)
            placed[: self.built] = (self.alpha + 1) * room
            by_name = sorted(range(len(fresh)), key=fresh.__getitem__)
            for rank, i in enumerate(by_name):
                placed[self.built + i] = bisect.bisect_left(self.sorted_names, fresh[i]) * room + 1 + rank
            self._alpha_all = placed
        return self._alpha_all

    def _code_table(self, prop: str) -> npt.NDArray[np.int64]:
        """Name id per interned value of ``prop``, plus the no-name slot at the end (for ABSENT, -1)."""
        codes = self.of_code.get(prop, [])
        cached = self._tables.get(prop)
        if cached is None or len(cached) != len(codes) + 1 or cached[-1] != len(self.names):
            cached = self._tables[prop] = np.asarray([*codes, len(self.names)], dtype=np.int64)
        return cached

    # ---- vertices ------------------------------------------------------------------------------------
    def search(
        self,
        props: PropertyTable,
        labels: npt.NDArray[np.uint8],
        label_codes: dict[str, int],
        query: str,
        kinds: Sequence[str],
        namespace_code: int | None,
        offset: int,
        limit: int,
    ) -> Page:
        """Vertices of ``kinds`` (labels) whose name matches ``query``, best first: by how the name
        matches, shorter names first, then alphabetically; for one name, datasets, then columns,
        then jobs; then by vertex id. ``namespace_code``: only vertices with that namespace
        code (ABSENT: none)."""
        self.refresh(props)
        scores = self.scores(query.strip()) if query.strip() else None
        if scores is None or namespace_code == ABSENT:
            return Page([], 0)
        count = len(labels)
        namespaces = props.codes("namespace") if namespace_code is not None else None
        if namespace_code is not None and namespaces is None:
            return Page([], 0)
        found_hits, found_values = [], []
        for rank, kind in enumerate(kinds):
            codes = props.codes(NAME_PROPS[kind])
            if codes is None:
                continue
            # Scores per distinct value first (few), then one boolean gather over the vertices.
            value_scores = scores[self._code_table(NAME_PROPS[kind])]
            matching = value_scores != NO_MATCH
            if not matching.any():
                continue
            n = min(len(codes), count)
            mask = matching[codes[:n]] & (labels[:n] == label_codes[kind])
            if namespaces is not None:
                n = min(n, len(namespaces))
                mask = mask[:n] & (namespaces[:n] == namespace_code)
            hits = np.flatnonzero(mask)
            found_hits.append(hits)
            found_values.append(value_scores[codes[hits]] * len(NAME_PROPS) + rank)
        if not found_hits:
            return Page([], 0)
        hits, values = np.concatenate(found_hits), np.concatenate(found_values)
        total = len(hits)
        want = offset + limit
        if total > want:
            cut = np.partition(values, want - 1)[want - 1]
            keep = values <= cut
            hits, values = hits[keep], values[keep]
        # Equal values come from one label, whose hits ascend by vertex id: a stable sort keeps that.
        order = np.argsort(values, kind="stable")
        return Page(hits[order][offset:want].tolist(), total)


def _prefixed(sorted_names: list[str], ids: npt.NDArray[np.int64], prefix: str) -> npt.NDArray[np.int64]:
    start = bisect.bisect_left(sorted_names, prefix)
    end = bisect.bisect_left(sorted_names, prefix + "\U0010ffff", start)
    return ids[start:end]
