"""Sensitivity violations: a column declared at a level below what flows into it, and a sink (a
dataset nobody reads: a report, an export) that receives restricted or unmasked PII data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tagline.governance.policy import Policy, covers
from tagline.governance.propagation import ColumnState
from tagline.graph.schema import dataset_key_of_column

DECLARED_BELOW_INHERITED = "DECLARED_BELOW_INHERITED"
SINK_RECEIVES_SENSITIVE = "SINK_RECEIVES_SENSITIVE"


@dataclass(frozen=True)
class Violation:
    kind: str
    column: str
    declared_level: str | None
    inherited_level: str | None
    tags: tuple[str, ...]
    message: str


def find_violations(
    policy: Policy, columns: dict[str, tuple[dict[str, Any], ColumnState]], read_datasets: set[str]
) -> list[Violation]:
    """``columns``: every column's properties and state; ``read_datasets``: keys of datasets some job reads."""
    states = {k: state for k, (_, state) in columns.items()}
    fed: set[str] = set()
    feeding: set[str] = set()
    for key, state in states.items():
        ds = dataset_key_of_column(columns[key][0])
        if state.inputs:
            fed.add(ds)
        if state.outputs:
            feeding.add(ds)
    sinks = fed - feeding - read_datasets
    found = []
    for key, state in sorted(states.items()):
        inherited = {i for i, d in state.effective.items() if d.dist > 0}
        declared_level = policy.highest_level(state.declared)
        inherited_level = policy.highest_level(i.tag for i in inherited)
        if declared_level and inherited_level and policy.rank(declared_level) < policy.rank(inherited_level):
            found.append(
                Violation(
                    DECLARED_BELOW_INHERITED,
                    key,
                    declared_level,
                    inherited_level,
                    (inherited_level,),
                    f"declared {declared_level} but receives {inherited_level} data",
                )
            )
        if dataset_key_of_column(columns[key][0]) not in sinks:
            continue
        level = policy.highest_level(i.tag for i in state.effective)
        alarming = sorted(
            {i.tag for i in state.effective if not i.masked and any(covers(t, i.tag) for t in policy.sink_alert_tags)}
        )
        if level and policy.rank(level) >= policy.rank(policy.sink_alert_level):
            alarming = [level, *alarming]
        if alarming:
            found.append(
                Violation(
                    SINK_RECEIVES_SENSITIVE,
                    key,
                    declared_level,
                    level,
                    tuple(alarming),
                    f"sink dataset (read by no job, feeds no column) receives {', '.join(alarming)}",
                )
            )
    return found
