"""Relay-style pages shared by every list that can grow without bound: `first`/`after` in,
edges with cursors, `pageInfo` and `totalCount` out.

A cursor here is an opaque position in an ordered answer (base64 of ``o:<offset>``): the lists it
pages (search hits, a namespace's datasets and jobs, tagged columns) are ordered by name, so a
position stays meaningful while the catalogue grows slowly.
"""

from __future__ import annotations

import base64
from typing import Generic, TypeVar

import strawberry

from tagline.errors import InvalidInput

MAX_PAGE = 500
T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(description="How many items the whole answer holds.")


def check_first(first: int) -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE} (got {first})")


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def offset_after(after: str | None) -> int:
    """The position just past ``after`` (0 for the first page)."""
    if after is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(after.encode()).decode().partition(":")
        if kind == "o" and number.isdigit():
            return int(number) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidInput(f"invalid cursor {after!r}: pass an endCursor from an earlier page")


def connection(nodes: list[T], offset: int, total: int) -> Connection[T]:
    """A page of ``nodes`` that starts at ``offset`` of an answer of ``total`` items."""
    edges = [Edge(node=n, cursor=offset_cursor(offset + i)) for i, n in enumerate(nodes)]
    return Connection(
        edges=edges,
        total_count=total,
        page_info=PageInfo(has_next_page=offset + len(nodes) < total, end_cursor=edges[-1].cursor if edges else None),
    )
