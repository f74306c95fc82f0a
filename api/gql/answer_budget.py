"""A budget on what one GraphQL request produces: objects rendered and bytes of JSON.

The cost budget (api/gql/cost.py) prices a document before it runs, on estimates; what an
answer really holds is known only while it is made. A nested lineage answer shares repeated
subtrees in memory, but its JSON repeats each of them wherever it recurs, so a small document over
a dense graph can ask for gigabytes. Every lineage answer is therefore charged here, by its
expanded size, as it is made: past the budget the answer is cut and says so — the flat
``lineage`` graph with ``complete: false``, which limit stopped it and how to go on; nested
``upstream``/``downstream`` lists with an ``ANSWER_LIMIT`` error at the field's path saying the
same — never an unbounded answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

ANSWER_LIMIT = "ANSWER_LIMIT"
OBJECTS_SETTING = "TAGLINE_MAX_ANSWER_OBJECTS"
BYTES_SETTING = "TAGLINE_MAX_ANSWER_BYTES"
NEXT_STEP = "ask for less depth, directOnly, fewer fields or a start further along the lineage"


@dataclass
class Cut:
    """Why an answer stopped short: the limit's setting and how to go on."""

    limit: str
    next: str

    def error(self, path: list[str | int]) -> GraphQLError:
        message = f"this answer was cut at {self.limit}: {self.next}"
        return GraphQLError(
            message,
            path=path,
            extensions={"code": ANSWER_LIMIT, "complete": False, "limit": self.limit, "next": self.next},
        )


@dataclass
class AnswerBudget:
    """What one request may still produce; charged by every lineage answer it makes."""

    max_objects: int
    max_bytes: int
    objects: int = 0
    bytes: int = 0

    def fits(self, objects: int, size: int) -> bool:
        return self.objects + objects <= self.max_objects and self.bytes + size <= self.max_bytes

    def charge(self, objects: int, size: int) -> None:
        self.objects += objects
        self.bytes += size

    def room(self) -> list[int]:
        """What is left: [objects, bytes]."""
        return [self.max_objects - self.objects, self.max_bytes - self.bytes]

    def exhaust(self, objects_spent: bool) -> Cut:
        """An answer was cut to what was left: nothing more is made, and this says why."""
        if objects_spent:
            self.objects, limit = self.max_objects, OBJECTS_SETTING
        else:
            self.bytes, limit = self.max_bytes, BYTES_SETTING
        return Cut(limit, f"{NEXT_STEP}, or raise {limit}")


def scalar_bytes(value: Any) -> int:
    """About how many bytes of JSON a scalar value takes."""
    if value is None:
        return 4
    if isinstance(value, str):
        return len(value) + 2
    if isinstance(value, bool):
        return 5
    return len(str(value))


def props_bytes(props: dict[str, Any]) -> int:
    """About how many bytes of JSON an object made of a record's properties takes."""
    return 2 + sum(len(k) + 4 + scalar_bytes(v) for k, v in props.items())
