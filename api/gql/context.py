"""Per-request context: the store thread, the settings, and one DataLoader per kind of hop.

Loaders batch every load of one resolver level into a single store call, so a nested lineage
query costs one round trip per level, not one per column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from starlette.responses import Response
from strawberry.dataloader import DataLoader

from tagline.api.auth import LOCAL, Identity
from tagline.api.settings import Settings
from tagline.api.store_thread import StoreThread
from tagline.governance.policy import Policy
from tagline.governance.provenance import TagPath, tag_paths
from tagline.governance.state import column_states
from tagline.graph import schema
from tagline.graph.reader import Direction
from tagline.graph.records import Hop, VertexId, VertexRecord

HopLoader = DataLoader[VertexId, list[Hop]]


def _hop_loader(thread: StoreThread, direction: Direction, label: str) -> HopLoader:
    async def load(ids: list[VertexId]) -> list[list[Hop]]:
        found = await thread.run(thread.store.hops, ids, direction, [label])
        by_vertex: dict[VertexId, list[Hop]] = defaultdict(list)
        for h in found:
            by_vertex[h.edge.in_id if direction == "in" else h.edge.out_id].append(h)
        return [by_vertex[i] for i in ids]

    return DataLoader(load_fn=load)


def _key_loader(thread: StoreThread) -> DataLoader[str, VertexRecord | None]:
    async def load(keys: list[str]) -> list[VertexRecord | None]:
        found = await thread.run(thread.store.find, keys)
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _tag_path_loader(thread: StoreThread) -> DataLoader[tuple[str, str], list[TagPath]]:
    async def load(requests: list[tuple[str, str]]) -> list[list[TagPath]]:
        return await thread.run(tag_paths, lambda keys: column_states(thread.store, keys), list(requests))

    return DataLoader(load_fn=load)


@dataclass
class Context:
    thread: StoreThread
    settings: Settings
    identity: Identity = LOCAL
    response: Response | None = None
    policy: Policy = field(default_factory=Policy)
    hop_loaders: dict[tuple[Direction, str], HopLoader] = field(default_factory=dict)
    by_key: DataLoader[str, VertexRecord | None] = field(init=False)
    tag_paths: DataLoader[tuple[str, str], list[TagPath]] = field(init=False)

    def __post_init__(self) -> None:
        self.by_key = _key_loader(self.thread)
        self.tag_paths = _tag_path_loader(self.thread)

    def hops(self, direction: Direction, label: str) -> HopLoader:
        loader = self.hop_loaders.get((direction, label))
        if loader is None:
            loader = self.hop_loaders[(direction, label)] = _hop_loader(self.thread, direction, label)
        return loader

    async def neighbours(self, vertex: VertexId, direction: Direction, label: str) -> list[VertexRecord]:
        hops = await self.hops(direction, label).load(vertex)
        return sorted((h.neighbour for h in hops), key=lambda r: r.key)

    async def lineage_hops(self, ids: list[VertexId], direction: Direction, direct_only: bool) -> list[Hop]:
        per_vertex = await self.hops(direction, schema.DERIVES).load_many(ids)
        return [h for hops in per_vertex for h in hops if not direct_only or schema.is_direct(h.edge.props)]
