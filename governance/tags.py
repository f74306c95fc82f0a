"""A column's effective tags as people read them: one entry per tag name, with its origin,
whether it is masked, and the items (source + derivation) that support it."""

from __future__ import annotations

from dataclasses import dataclass

from tagline.governance.propagation import Derivation, Effective, Item


@dataclass(frozen=True)
class TagView:
    name: str
    declared: bool
    masked: bool
    support: tuple[tuple[Item, Derivation], ...]

    @property
    def origin(self) -> str:
        return "DECLARED" if self.declared else "INHERITED"


def tag_views(effective: Effective) -> dict[str, TagView]:
    """A tag is masked only when every path that brings it is masked; declared wins over inherited."""
    grouped: dict[str, list[tuple[Item, Derivation]]] = {}
    for item, derivation in effective.items():
        grouped.setdefault(item.tag, []).append((item, derivation))
    return {
        name: TagView(
            name=name,
            declared=any(d.dist == 0 for _, d in support),
            masked=all(i.masked for i, _ in support),
            support=tuple(sorted(support, key=lambda s: (s[1], s[0]))),
        )
        for name, support in sorted(grouped.items())
    }
