"""The rules a CI run may refuse a change by (``--fail-on``): which of them a review trips.

- ``tag-gained`` — some column gains a tag; ``tag-gained:FAMILY`` — a tag of that family
  (``pii`` covers ``pii.email``);
- ``broken`` — some downstream column would lose every source;
- ``violation`` — the change creates a sensitivity violation;
- ``dependency-change`` — a scheduling dependency is added or removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from tagline.errors import InvalidInput
from tagline.governance.policy import covers

RULES = ("tag-gained", "broken", "violation", "dependency-change")


def parse_rules(text: str | None) -> list[str]:
    """``RULE[,RULE…]`` as given on the command line; an unknown rule is bad input."""
    rules = [r.strip() for r in (text or "").split(",") if r.strip()]
    for rule in rules:
        name, _, family = rule.partition(":")
        if name not in RULES or (family and name != "tag-gained") or (rule.endswith(":") and not family):
            raise InvalidInput(
                f"unknown --fail-on rule {rule!r}: use tag-gained[:FAMILY], broken, violation, dependency-change"
            )
    return rules


def fired(
    rules: list[str], gained_tags: Iterable[str], broken: int, violations_created: int, dependency_changes: int
) -> list[str]:
    """The rules a review trips, in the order given: from the tags it gains, and how many broken
    columns, new violations and changed dependencies it has."""
    gained = list(gained_tags)
    found = []
    for rule in rules:
        name, _, family = rule.partition(":")
        hit = {
            "tag-gained": any(not family or covers(family, tag) for tag in gained),
            "broken": broken > 0,
            "violation": violations_created > 0,
            "dependency-change": dependency_changes > 0,
        }[name]
        if hit:
            found.append(rule)
    return found
