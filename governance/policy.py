"""The tag vocabulary and the propagation policy: which tags are ordered sensitivity levels, and
what each kind of `derives` edge does to a tag that crosses it.

One TOML file holds it (``TAGLINE_POLICY``; every key is optional, see ``policy.example.toml``).
The rules here are pure functions so that propagation can be tested without a store.
"""

from __future__ import annotations

import re
import tomllib
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tagline.errors import InvalidInput
from tagline.graph.model import LineageType, Subtype
from tagline.graph.records import InEdge

TAG_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class MaskedClassifications(str, Enum):
    MARK = "mark"
    DROP = "drop"


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    levels: tuple[str, ...] = Field(
        ("public", "internal", "confidential", "restricted"), description="sensitivity levels, lowest first"
    )
    masked_level: str = Field("internal", description="the level a masking edge lowers higher levels to")
    masked_classifications: MaskedClassifications = Field(
        MaskedClassifications.MARK,
        description="mark: classifications cross masking edges marked masked; drop: they stop",
    )
    aggregation_carries: bool = Field(True, description="whether DIRECT AGGREGATION edges (SUM, MAX...) carry tags")
    indirect_carries: frozenset[str] = Field(
        frozenset(), description="INDIRECT subtypes that carry tags (JOIN, FILTER, GROUP_BY, SORT, WINDOW, CONDITIONAL)"
    )
    sink_alert_level: str = Field("restricted", description="a sink at or above this level is a violation")
    sink_alert_tags: frozenset[str] = Field(
        frozenset({"pii"}),
        description="a sink receiving one of these (or a child such as pii.email) unmasked is a violation",
    )

    @model_validator(mode="after")
    def _known_levels(self) -> Policy:
        if not self.levels or len(set(self.levels)) != len(self.levels):
            raise InvalidInput("levels must be a non-empty list of distinct names")
        for name in (self.masked_level, self.sink_alert_level):
            if name not in self.levels:
                raise InvalidInput(f"{name!r} is not one of the levels {list(self.levels)}")
        for name in self.levels:
            check_tag_name(name)
        return self

    @classmethod
    def from_file(cls, path: Path) -> Policy:
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"cannot read the policy file {path}: {exc}") from exc
        try:
            return cls.model_validate(data)
        except ValueError as exc:
            raise InvalidInput(f"invalid policy file {path}: {exc}") from exc

    def is_level(self, tag: str) -> bool:
        return tag in self.levels

    def rank(self, level: str) -> int:
        return self.levels.index(level)

    def highest_level(self, tags: object) -> str | None:
        """The highest sensitivity level among ``tags`` (any iterable of names), or None."""
        ranks = [self.rank(t) for t in tags if t in self.levels]  # type: ignore[attr-defined]
        return self.levels[max(ranks)] if ranks else None


def check_tag_name(tag: str) -> str:
    if not TAG_NAME.match(tag):
        raise InvalidInput(
            f"invalid tag {tag!r}: use lower-case letters, digits, '_', '-' and '.' (e.g. pii.email), starting with a letter or digit"
        )
    return tag


def covers(block: str, tag: str) -> bool:
    """A block on ``pii`` also stops its children, such as ``pii.email``."""
    return tag == block or tag.startswith(block + ".")


# A `derives` edge as propagation sees it: into a column, from ``source``, with its transformation
# (the lineage index hands them out as such).
Inflow = InEdge


def carry(policy: Policy, inflow: Inflow, tag: str, masked: bool) -> tuple[str, bool] | None:
    """What becomes of tag ``tag`` (already masked or not) when it crosses ``inflow``; None if it stops.

    DIRECT IDENTITY/TRANSFORMATION carry it; DIRECT AGGREGATION carries it unless the policy says no;
    INDIRECT edges stop it unless their subtype is listed in ``indirect_carries``. A masking edge
    (hash, mask, COUNT) lowers a level above ``masked_level`` to it and marks the tag masked, or
    drops classifications when the policy says so.
    """
    if inflow.type != LineageType.DIRECT and inflow.subtype not in policy.indirect_carries:
        return None
    if (
        inflow.type == LineageType.DIRECT
        and inflow.subtype == Subtype.AGGREGATION
        and not inflow.masking
        and not policy.aggregation_carries
    ):
        return None
    if not inflow.masking:
        return tag, masked
    if policy.is_level(tag):
        return policy.levels[min(policy.rank(tag), policy.rank(policy.masked_level))], True
    if policy.masked_classifications is MaskedClassifications.DROP:
        return None
    return tag, True
