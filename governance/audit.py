"""Audit entries: what changed in a column's effective tags, who caused it and why.

Entries are plain dicts with the fields of ``graph.tagstore.AUDIT_FIELDS``; the store appends
them in the same transaction as the change and never edits or deletes them.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from tagline.governance.policy import Policy
from tagline.governance.propagation import Change, ColumnState
from tagline.governance.tags import TagView, tag_views
from tagline.graph.model import display_name

ADDED = "ADDED"
REMOVED = "REMOVED"
LEVEL_CHANGED = "LEVEL_CHANGED"
BLOCKED = "BLOCKED"
UNBLOCKED = "UNBLOCKED"
MASKING_CHANGED = "MASKING_CHANGED"


@dataclass(frozen=True)
class Trigger:
    """The action that set propagation off: who, when, and in words."""

    actor: str
    at: str
    description: str


def entry(trigger: Trigger, column: str, tag: str, change: str, cause: str) -> dict[str, str]:
    return {"at": trigger.at, "actor": trigger.actor, "column": column, "tag": tag, "change": change, "cause": cause}


def _support(view: TagView, state: ColumnState) -> str:
    item, derivation = view.support[0]
    if derivation.dist == 0:
        return "declared on this column"
    inflow = next((f for f in state.inputs if f.edge == derivation.edge), None)
    if inflow is None:
        return f"inherited from {display_name(item.source)}"
    kind = "/".join(x for x in (inflow.type, inflow.subtype) if x) + (" masking" if inflow.masking else "")
    return f"inherited from {display_name(item.source)} via {kind} edge from {display_name(inflow.source)}"


def _sources(view: TagView) -> str:
    return ", ".join(sorted({display_name(i.source) for i, _ in view.support}))


def change_entries(
    policy: Policy, key: str, change: Change, trigger: Trigger, skip: AbstractSet[str] = frozenset()
) -> list[dict[str, str]]:
    """The entries for one column's change of effective tags; tags in ``skip`` were already
    recorded by the action itself."""
    old, new = tag_views(change.before), tag_views(change.after)
    after = f" (after {trigger.description})"
    entries = []
    for name in sorted(new.keys() - old.keys() - skip):
        entries.append(entry(trigger, key, name, ADDED, _support(new[name], change.state) + after))
    for name in sorted(old.keys() - new.keys() - skip):
        entries.append(
            entry(trigger, key, name, REMOVED, f"withdrawn: {_sources(old[name])} no longer supplies it{after}")
        )
    for name in sorted((old.keys() & new.keys()) - skip):
        if old[name].masked != new[name].masked:
            state = "masked" if new[name].masked else "unmasked"
            entries.append(
                entry(trigger, key, name, MASKING_CHANGED, f"now {state}: {_support(new[name], change.state)}{after}")
            )
    before = policy.highest_level(old)
    level = policy.highest_level(new)
    if before != level:
        entries.append(
            entry(
                trigger,
                key,
                level or before or "",
                LEVEL_CHANGED,
                f"sensitivity {before or 'none'} -> {level or 'none'}{after}",
            )
        )
    return entries
