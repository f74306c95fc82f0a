"""Dataset aliases and renames, applied to a batch before it is written.

An alias (a symlink's other name: a table's warehouse path, a Spark path's table) is kept on the
alias's own dataset vertex as ``alias_of``, the key of the dataset it names. A batch that names an
alias is written to that dataset instead, whichever event told the alias first, and a look-up of
the alias finds the dataset.

When an alias or a rename is met, the lineage the store already holds under the old name moves
to the new one: its columns' edges, the jobs' reads and writes and the tags declared on its
columns are said again of the new dataset, and the old edges are removed. Vertices are never
removed (ids stay valid for every process's caches): the old dataset stays, marked ``alias_of`` or
``renamed_to``, its columns left without lineage.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from tagline.graph import schema
from tagline.graph.index.lineage_index import LineageIndex
from tagline.graph.model import (
    Column,
    ColumnEdge,
    ColumnRef,
    DatasetAccess,
    DatasetRef,
    DeclaredTag,
    JobRef,
    LineageBatch,
    LineageType,
    Subtype,
    Transformation,
    column_key,
    dataset_key,
    key_parts,
)
from tagline.graph.records import EdgeRecord
from tagline.graph.tag_encoding import read_declarations
from tagline.graph.timefmt import parse_iso

# How many aliases of aliases are followed; a symlink names a table, so one is the rule.
MAX_ALIAS_HOPS = 4


@dataclass
class Removal:
    """An edge a move takes away, as the change log records it."""

    key: str
    label: str
    out_key: str
    in_key: str


@dataclass
class PreparedBatch:
    """A batch as it is to be written, and the edges to remove with it."""

    batch: LineageBatch
    removed: list[Removal] = field(default_factory=list)


def prepare(index: LineageIndex, batch: LineageBatch) -> PreparedBatch:
    """``batch`` with its aliases resolved, plus the moves its new aliases and renames make."""
    targets = _alias_targets(index, batch)
    batch = batch.moved(targets)
    moves: dict[str, DatasetRef] = {}
    for alias in batch.aliases:
        target = targets.get(alias.dataset.key, alias.dataset)
        if alias.alias.key != target.key:
            moves[alias.alias.key] = target
    renames = [r for r in batch.renames if r.old.key != r.new.key and r.old.key in index.ids]
    moves.update((r.old.key, targets.get(r.new.key, r.new)) for r in renames)
    prepared = PreparedBatch(batch=batch.model_copy(update={"renames": renames}))
    for old_key, new in moves.items():
        moved = _stored_lineage(index, old_key, new)
        if moved is not None:
            prepared.batch.extend(moved.batch)
            prepared.removed.extend(moved.removed)
    return prepared


def alias_target(index: LineageIndex, key: str) -> str:
    """The key of the dataset ``key`` names, following aliases; ``key`` itself if it is none."""
    for _ in range(MAX_ALIAS_HOPS):
        vertex = index.ids.get(key)
        target = index.vertex_prop(vertex, schema.ALIAS_OF) if vertex is not None else None
        if not target or target == key:
            return key
        key = str(target)
    return key


def through_aliases(index: LineageIndex, key: str) -> str:
    """A dataset's or a column's key with the dataset's aliases followed; any other key as it is."""
    kind, *parts = key_parts(key)
    if kind == "d" and len(parts) == 2:
        return alias_target(index, key)
    if kind == "c" and len(parts) == 3:
        dataset = dataset_key(parts[0], parts[1])
        target = alias_target(index, dataset)
        if target != dataset:
            _, namespace, name = key_parts(target)
            return column_key(namespace, name, parts[2])
    return key


def _alias_targets(index: LineageIndex, batch: LineageBatch) -> dict[str, DatasetRef]:
    """Dataset key -> the dataset it stands for, for every name in ``batch`` that is an alias:
    those the batch itself declares, and those the store holds."""
    told = {a.alias.key: a.dataset for a in batch.aliases if a.alias.key != a.dataset.key}
    targets: dict[str, DatasetRef] = {}
    with index.lock:
        for key in _dataset_keys(batch):
            found = told.get(key)
            target_key = alias_target(index, found.key if found else key)
            if target_key != key:
                targets[key] = found if found and found.key == target_key else _dataset_ref(target_key)
    return targets


def _dataset_keys(batch: LineageBatch) -> set[str]:
    keys = {d.key for d in batch.datasets}
    keys.update(c.dataset_ref.key for c in batch.columns)
    for edge in batch.edges:
        keys.update((edge.source.dataset_ref.key, edge.target.dataset_ref.key))
    keys.update(a.dataset.key for a in (*batch.reads, *batch.writes))
    keys.update(t.column.dataset_ref.key for t in batch.tags)
    for run in batch.runs:
        keys.update(d.key for d in (*run.inputs, *run.outputs))
    keys.update(a.dataset.key for a in batch.aliases)
    return keys


def _dataset_ref(key: str) -> DatasetRef:
    _, namespace, name = key_parts(key)
    return DatasetRef(namespace=namespace, name=name)


def _column_ref(key: str, moved_from: str, new: DatasetRef) -> ColumnRef:
    _, namespace, dataset, name = key_parts(key)
    if dataset_key(namespace, dataset) == moved_from:
        return ColumnRef(namespace=new.namespace, dataset=new.name, field=name)
    return ColumnRef(namespace=namespace, dataset=dataset, field=name)


def _stored_lineage(index: LineageIndex, old_key: str, new: DatasetRef) -> PreparedBatch | None:
    """What the store holds of dataset ``old_key``, said of ``new``, and the edges that said it."""
    now = time.time()
    with index.lock:
        old = index.ids.get(old_key)
        if old is None:
            return None
        columns = [h.neighbour for h in index.hops([old], "out", [schema.HAS_COLUMN], None)]
        column_ids = [int(c.id) for c in columns]
        derives = {
            str(h.edge.props[schema.KEY]): h.edge
            for d in ("in", "out")
            for h in index.hops(column_ids, d, [schema.DERIVES], now)
        }
        accesses = index.hops([old], "in", [schema.READS, schema.WRITES], now)
        keys = index.keys
        ends = {k: (keys[int(e.out_id)], keys[int(e.in_id)]) for k, e in derives.items()}
    moved = LineageBatch()
    for record in columns:
        ref = ColumnRef(namespace=new.namespace, dataset=new.name, field=str(record.props.get("field", "")))
        moved.columns.append(
            Column(
                **ref.model_dump(), data_type=record.props.get("data_type"), description=record.props.get("description")
            )
        )
        moved.tags.extend(DeclaredTag(column=ref, tag=t) for t in sorted(read_declarations(record.props).declared))
    removed = []
    for key, edge in derives.items():
        source, target = ends[key]
        moved.edges.append(_column_edge(edge, _column_ref(source, old_key, new), _column_ref(target, old_key, new)))
        removed.append(Removal(key, schema.DERIVES, source, target))
    for hop in accesses:
        job = JobRef(namespace=str(hop.neighbour.props["namespace"]), name=str(hop.neighbour.props["name"]))
        at = hop.edge.props.get("last_at")
        access = DatasetAccess(job=job, dataset=new, at=parse_iso(str(at)) if at else None)
        (moved.reads if hop.edge.label == schema.READS else moved.writes).append(access)
        removed.append(Removal(str(hop.edge.props[schema.KEY]), hop.edge.label, job.key, old_key))
    return PreparedBatch(batch=moved, removed=removed)


def _column_edge(edge: EdgeRecord, source: ColumnRef, target: ColumnRef) -> ColumnEdge:
    props: dict[str, Any] = edge.props
    job = str(props.get("job") or "")
    _, job_namespace, job_name = key_parts(job) if job else ("", "", "")
    expires, seen = props.get("expires_at"), props.get("last_seen")
    return ColumnEdge(
        source=source,
        target=target,
        transformation=Transformation(
            type=LineageType(props["type"]),
            subtype=Subtype(props["subtype"]) if props.get("subtype") else None,
            masking=bool(props.get("masking", False)),
            description=props.get("description") or None,
        ),
        expression=props.get("expression") or None,
        job=JobRef(namespace=job_namespace, name=job_name) if job else None,
        expires_at=parse_iso(str(expires)) if expires else None,
        seen_at=parse_iso(str(seen)) if seen else None,
    )
