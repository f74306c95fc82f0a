"""Vertex and edge labels of the graph, and the rules for merging what a batch says into what the
store already holds."""

from __future__ import annotations

import json
from typing import Any

from tagline.graph.model import LineageType, Owner, dataset_key

# The unique key of every vertex and edge. JanusGraph reserves the name `key` (with `label`,
# `vertex`, `edge`, `element`, `property`), so the property is called `uid` on both stores.
KEY = "uid"

DATASET = "dataset"
COLUMN = "column"
JOB = "job"
FAILURE = "failure"
EVENT = "event"
RUN = "run"
AUDIT = "audit"

HAS_COLUMN = "has_column"
DERIVES = "derives"
READS = "reads"
WRITES = "writes"

VERTEX_LABELS = (DATASET, COLUMN, JOB)

# A dataset property: true when the operator declared the dataset a source (see graph/sources.py).
DECLARED_SOURCE = "declared_source"
EDGE_LABELS = (HAS_COLUMN, DERIVES, READS, WRITES)

# Dataset properties kept by graph/writers/dataset_moves.py: the key of the dataset an alias (a symlink's
# other name) stands for, and of the one a renamed table became.
ALIAS_OF = "alias_of"
RENAMED_TO = "renamed_to"

# The pending mark of a column on a Gremlin Server store (see graph/changelog/pending.py).
TAGS_PENDING = "tags_pending"

# A job's property holding the event times of its definitions per output (graph/writers/lifetimes.py):
# kept in the store for writers, not lineage, so neither logged nor held by the index.
JOB_DEFINITIONS = "definitions"

# Properties that identify a vertex and never change once it exists.
IDENTITY_PROPS = frozenset({KEY, "namespace", "name", "dataset", "field"})

FINAL_RUN_STATES = frozenset({"COMPLETE", "FAIL", "ABORT"})


def access_key(label: str, job_key: str, dataset_key_: str) -> str:
    return f"{label[0]}|{job_key}|{dataset_key_}"


def edge_key(label: str, out_key: str, in_key: str, props: dict[str, Any]) -> str:
    """The unique key of an edge, from its ends and the properties that tell parallel edges apart.

    For `derives` it is :attr:`ColumnEdge.key` (one edge per source, target, job, type and
    subtype); a job reads or writes a dataset once; a dataset has a column once.
    """
    if label == DERIVES:
        return "|".join(
            (
                "e",
                out_key,
                in_key,
                str(props.get("job") or ""),
                str(props.get("type") or ""),
                str(props.get("subtype") or ""),
            )
        )
    if label == HAS_COLUMN:
        return f"h|{in_key}"
    return access_key(label, out_key, in_key)


def dataset_key_of_column(props: dict[str, Any]) -> str:
    return dataset_key(props["namespace"], props["dataset"])


def vertex_changes(current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """The properties to write so the vertex reflects ``incoming``.

    A job's last run only moves forward: events may arrive out of order (COMPLETE before START),
    and an older run must not overwrite a newer one. Reports of one and the same run merge as the
    run itself does (``graph/writers/runs.py``): its end outranks its start whatever their times
    say, so the job's state is always its latest run's.
    """
    changes = {
        name: value
        for name, value in incoming.items()
        if name not in IDENTITY_PROPS and value is not None and current.get(name) != value
    }
    if incoming.get("last_run_at") is None:  # no run reported: nothing to order
        return changes
    same_run = incoming.get("last_run_id") is not None and incoming.get("last_run_id") == current.get("last_run_id")
    ends = incoming.get("last_run_state") in FINAL_RUN_STATES
    ended = current.get("last_run_state") in FINAL_RUN_STATES
    older = str(current.get("last_run_at") or "") > str(incoming.get("last_run_at") or "")
    if same_run:
        if older:
            changes.pop("last_run_at", None)
        if ended and (not ends or older):  # an end stays, unless a later end replaces it
            changes.pop("last_run_state", None)
    elif older:
        for name in ("last_run_at", "last_run_state", "last_run_id"):
            changes.pop(name, None)
    elif incoming.get("last_run_at") == current.get("last_run_at") and ended:
        # Same moment: a run's end outranks its start, whichever event arrived last.
        changes.pop("last_run_state", None)
        changes.pop("last_run_id", None)
    return changes


def is_direct(edge_props: dict[str, Any]) -> bool:
    """Whether a `derives` edge carries the value itself (DIRECT) rather than only influencing it."""
    return edge_props.get("type") == LineageType.DIRECT


def later_expiry(a: str | None, b: str | None) -> str | None:
    """Lineage with no expiry outlives any expiry; otherwise the later expiry wins."""
    if a is None or b is None:
        return None
    return max(a, b)


def is_expired(edge_props: dict[str, Any], now: str) -> bool:
    """Whether an edge's expiry (ad-hoc lineage) has passed at ``now`` (ISO strings sort as times)."""
    expires = edge_props.get("expires_at")
    return expires is not None and str(expires) <= now


# A column's governance state (encoded by graph/tag_encoding.py) and its effective level.
TAGS_DECLARED = "tags_declared"
TAGS_BLOCKED = "tags_blocked"
TAGS_EFFECTIVE = "tags_effective"
SENSITIVITY = "sensitivity"

# JanusGraph answers no query by label alone (with query.force-index, it refuses to scan), so on a
# Gremlin Server every element written also carries its label as a property, which an index
# answers (deploy/janusgraph/schema.groovy); listings of a label go through it there.
VERTEX_LABEL_COPY = "vlabel"
EDGE_LABEL_COPY = "elabel"

# Owners of a dataset or job, kept as JSON [{"name", "type"}].
OWNERS = "owners"


def owners_value(owners: list[Owner] | None) -> str | None:
    """How owners are kept on a vertex; None (keep what is there) when the input names none."""
    return json.dumps([o.model_dump() for o in owners]) if owners else None


def owners_of(props: dict[str, Any]) -> list[Owner]:
    return [Owner.model_validate(o) for o in json.loads(props.get(OWNERS) or "[]")]
