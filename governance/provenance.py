"""Why a column carries a tag: for each source column, the path of edges the tag came by.

Each hop follows the stored derivation (the last edge of the shortest path), so a path of n edges
costs n batched reads whatever the number of sources asked for at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tagline.governance.propagation import ColumnState, Derivation, Item
from tagline.governance.tags import tag_views

MAX_HOPS = 10_000


@dataclass(frozen=True)
class TagPath:
    """``edges`` are edge keys from the source column to the column asked about."""

    source: str
    masked: bool
    edges: tuple[str, ...]
    columns: tuple[str, ...]  # the columns the edges join, source first: one more than edges
    complete: bool = True

    def hops(self) -> list[tuple[str, str, str]]:
        """(edge key, source column key, target column key) for each edge of the path."""
        return list(zip(self.edges, self.columns, self.columns[1:], strict=False))


@dataclass
class _Walk:
    request: int
    item: Item
    column: str
    derivation: Derivation
    edges: list[str]
    masked: bool
    columns: list[str]


def tag_paths(
    read: Callable[[Iterable[str]], dict[str, ColumnState]], requests: list[tuple[str, str]]
) -> list[list[TagPath]]:
    """For each (column key, tag), one path per supporting item. ``read`` gives column states
    by key (one batch per hop)."""
    states = dict(read({c for c, _ in requests}))
    answers: list[list[TagPath]] = [[] for _ in requests]
    walks = []
    for n, (column, tag) in enumerate(requests):
        view = tag_views(states[column].effective).get(tag) if column in states else None
        for item, derivation in view.support if view else ():
            walks.append(_Walk(n, item, column, derivation, [], item.masked, [column]))
    for _ in range(MAX_HOPS):
        pending = []
        for w in walks:
            if w.derivation.dist == 0:
                answers[w.request].append(
                    TagPath(w.item.source, w.masked, tuple(reversed(w.edges)), tuple(reversed(w.columns)))
                )
            else:
                pending.append(w)
        if not pending:
            break
        previous = {}
        for w in pending:
            inflow = next((f for f in states[w.column].inputs if f.edge == w.derivation.edge), None)
            previous[id(w)] = inflow.source if inflow else None
        states.update(read({s for s in previous.values() if s and s not in states}))
        walks = []
        for w in pending:
            source = previous[id(w)]
            prior = Item(w.derivation.prior_tag, w.derivation.prior_masked, w.item.source)
            earlier = states[source].effective.get(prior) if source is not None and source in states else None
            if source is None or earlier is None:
                answers[w.request].append(
                    TagPath(w.item.source, w.masked, tuple(reversed(w.edges)), tuple(reversed(w.columns)), False)
                )
                continue
            walks.append(
                _Walk(w.request, prior, source, earlier, [*w.edges, w.derivation.edge], w.masked, [*w.columns, source])
            )
    return answers
