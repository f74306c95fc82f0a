"""How many lineage edges one hop of nested lineage brings, measured on the graph around the
column a query starts from, for pricing (see api/gql/cost.py).

A flat guess per hop either refuses the nested query frontends came for (a warehouse's columns
mostly have two or three sources, and five nested levels of ten each is 100,000 objects) or lets a
hub's lineage through unpriced. So the price uses what the lineage index knows: a walk from the
start column, hop by hop while the hop's columns stay few, gives each hop's mean fan-out in each
direction, capped by the old flat guess so that no start makes pricing laxer than it was. What a priced query then really produces is bounded while rendering (api/gql/answer_budget.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.records import Direction

EDGES_PER_HOP = 10
"""Edges per hop assumed where the start is unknown, and the most a measured hop is priced at."""
PROFILE_HOPS = 24
"""Hops measured at most (beyond them, ``EDGES_PER_HOP``); the depth limit keeps documents within."""
SAMPLE_NODES = 2_000
"""Most columns one hop is measured from: past it, the rest is priced at ``EDGES_PER_HOP``."""


@dataclass
class Region:
    """The lineage around the start columns of one root field, measured hop by hop once per
    direction: hop ``k``'s fan-out is the edges leaving the columns ``k - 1`` hops away, per
    column. A source column feeds many staging columns and their marts few, so a nested answer
    holds about the product of the hops' fan-outs, not a flat guess to the power of its depth."""

    index: LineageIndex
    start: list[int]
    profiles: dict[tuple[Direction, bool], list[int]] = field(default_factory=dict)

    def per_hop(self, direction: Direction, direct_only: bool, hop: int) -> int:
        """The fan-out of hop ``hop`` (1: from the start), from 1 to :data:`EDGES_PER_HOP`."""
        key = (direction, direct_only)
        if key not in self.profiles:
            self.profiles[key] = self._measure(direction, direct_only)
        profile = self.profiles[key]
        return profile[hop - 1] if hop <= len(profile) else EDGES_PER_HOP

    def edges(self, direction: Direction, direct_only: bool, offset: int, depth: int) -> int:
        """About how many edges a walk of ``depth`` hops brings from a column ``offset`` hops from the start."""
        return sum(self.per_hop(direction, direct_only, offset + k) for k in range(1, depth + 1))

    def _measure(self, direction: Direction, direct_only: bool) -> list[int]:
        now = time.time()
        frontier = self.start
        profile: list[int] = []
        while len(profile) < PROFILE_HOPS and len(frontier) <= SAMPLE_NODES:
            if not frontier:  # nothing further: the rest costs the least a hop may
                return profile + [1] * (PROFILE_HOPS - len(profile))
            edges, reached, _ = self.index.walk(frontier, direction, 1, None, direct_only, now)
            profile.append(min(max(round(len(edges) / len(frontier)), 1), EDGES_PER_HOP))
            frontier = reached
        return profile
