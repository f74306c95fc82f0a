"""Relay-style pages shared by every list that can grow without bound: `first`/`after` and
`last`/`before` in, edges with cursors, a full `pageInfo` and `totalCount` out.

A cursor here is an opaque position in an ordered answer (base64 of ``o:<offset>``): the lists it
pages (search hits, a namespace's datasets and jobs, tagged columns, runs...) are ordered, so a
position stays meaningful while the catalogue grows slowly.

The window follows the Relay cursor specification: ``after`` and ``before`` narrow the answer,
then ``first`` keeps the head of what is left and ``last`` its tail. With neither ``first`` nor
``last``, a field's default page (at most :data:`DEFAULT_PAGE`) is taken from the front, which is
also what the cost of such a field is priced at (api/gql/cost.py).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from tagline.errors import InvalidInput

MAX_PAGE = 500
DEFAULT_PAGE = 50
# Smaller default pages of the fields whose answers are heavier (api/gql/cost.py prices them so).
SEARCH_PAGE = 20
RUNS_PAGE = 20
T = TypeVar("T")
R = TypeVar("R")

FIRST = "At most this many items from the front of the window (after `after`)."
LAST = "At most this many items from the back of the window (before `before`)."
# The `first` and `last` arguments of a paged field, described once for every field that pages.
First = Annotated[int | None, strawberry.argument(description=FIRST)]
Last = Annotated[int | None, strawberry.argument(description=LAST)]


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None
    has_previous_page: bool = strawberry.field(default=False, description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(default=None, description="The cursor of this page's first item.")


@strawberry.type
class Edge(Generic[T]):
    node: T
    cursor: str


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(description="How many items the whole answer holds.")


def check_first(first: int, name: str = "first") -> None:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"{name} must be between 1 and {MAX_PAGE} (got {first})")


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def cursor_offset(cursor: str, name: str) -> int:
    """The position a cursor names; InvalidInput naming the argument when it is none of ours."""
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "o" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidInput(f"invalid cursor {cursor!r} in `{name}`: pass a cursor from an earlier page")


def offset_after(after: str | None) -> int:
    """The position just past ``after`` (0 for the first page)."""
    return 0 if after is None else cursor_offset(after, "after") + 1


@dataclass(frozen=True)
class Window:
    """Which items of an answer a page holds: ``start`` up to, not including, ``end``."""

    start: int
    end: int
    total: int

    def page_info(self) -> PageInfo:
        empty = self.end <= self.start
        return PageInfo(
            has_next_page=self.end < self.total,
            has_previous_page=self.start > 0,
            start_cursor=None if empty else offset_cursor(self.start),
            end_cursor=None if empty else offset_cursor(self.end - 1),
        )


def window(
    total: int,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
    default: int = DEFAULT_PAGE,
) -> Window:
    """The page of an answer of ``total`` items that the Relay arguments ask for."""
    if first is not None:
        check_first(first)
    if last is not None:
        check_first(last, "last")
    if first is None and last is None:
        first = default
    start = min(offset_after(after), total)
    end = total if before is None else min(cursor_offset(before, "before"), total)
    end = max(end, start)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return Window(start, end, total)


def connection(nodes: list[T], offset: int, total: int) -> Connection[T]:
    """A page of ``nodes`` that starts at ``offset`` of an answer of ``total`` items."""
    edges = [Edge(node=n, cursor=offset_cursor(offset + i)) for i, n in enumerate(nodes)]
    return Connection(edges=edges, total_count=total, page_info=Window(offset, offset + len(nodes), total).page_info())


def paged(items: list[T], page: Window) -> Connection[T]:
    """The connection of ``page`` of ``items`` (the whole answer, in order)."""
    return connection(items[page.start : page.end], page.start, page.total)


def page_of(
    found: Sequence[R],
    node: Callable[[R], T],
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    default: int = DEFAULT_PAGE,
) -> Connection[T]:
    """The page the Relay arguments ask of ``found`` (the whole answer, in order): every paged
    field builds its connection here, and only the page's items are made into nodes."""
    page = window(len(found), first, after, last, before, default)
    return connection([node(r) for r in found[page.start : page.end]], page.start, len(found))
