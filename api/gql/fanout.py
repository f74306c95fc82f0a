"""How many lineage edges one hop of nested lineage brings, measured on the graph around the
column a query starts from, for pricing (see api/gql/cost.py).

A flat guess per hop either refuses the nested query frontends came for (a warehouse's columns
mostly have two or three sources, and five nested levels of ten each is 100,000 objects) or lets a
hub's lineage through unpriced. So the price uses what the lineage index knows: a short walk from
the start column, capped in nodes, gives the mean number of edges per column expanded, in each
direction, which is capped again by the old flat guess so that no start makes pricing laxer than
it was. What a priced query then really produces is bounded while rendering (api/gql/answer_budget.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.records import Direction

EDGES_PER_HOP = 10
"""Edges per hop assumed where the start is unknown, and the most a measured start is priced at."""
SAMPLE_HOPS = 3
"""Hops walked from the start column to measure its neighbourhood's fan-out."""
SAMPLE_NODES = 2_000
"""Most columns that walk visits: measuring stays cheap whatever the graph."""


@dataclass
class Region:
    """The lineage around the start columns of one root field, with its fan-out measured once per
    direction."""

    index: LineageIndex
    start: list[int]
    measured: dict[tuple[Direction, bool], int] = field(default_factory=dict)

    def per_hop(self, direction: Direction, direct_only: bool) -> int:
        """Mean edges per column expanded within :data:`SAMPLE_HOPS` of the start, rounded, from 1
        to :data:`EDGES_PER_HOP`."""
        key = (direction, direct_only)
        if key not in self.measured:
            now = time.time()
            edges, _, _ = self.index.walk(self.start, direction, SAMPLE_HOPS, SAMPLE_NODES, direct_only, now)
            # The columns whose edges that walk followed: the start and all met before the last hop.
            _, inner, _ = self.index.walk(self.start, direction, SAMPLE_HOPS - 1, SAMPLE_NODES, direct_only, now)
            mean = len(edges) / (len(self.start) + len(inner))
            self.measured[key] = min(max(round(mean), 1), EDGES_PER_HOP)
        return self.measured[key]
