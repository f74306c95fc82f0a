"""An OpenLineage event -> :class:`LineageBatch` (pure: no store I/O).

How the column-lineage facet (1-0-0 .. 1-2-0) becomes ``derives`` edges:

* every ``inputFields[].transformations[]`` entry is one edge with its ``type``, ``subtype``,
  ``description`` and ``masking`` (Marquez drops these; we keep them);
* an input field with no transformation at all (emitters older than facet 1-1-0) is DIRECT with an
  unknown subtype: for sensitivity propagation a missed flow is worse than an extra one. The
  deprecated field-level ``transformationType`` still says what it can: ``IDENTITY`` gives the
  subtype, ``MASKED`` sets ``masking``;
* the dataset-level ``dataset`` list (1-2-0) gives INDIRECT edges to every output column;
* Spark's default form repeats the row-shaping inputs inside every field with INDIRECT
  transformations; they stay INDIRECT, since only the absence of any transformation means DIRECT.

A dataset with a ``symlinks`` facet is stored under its symlinked table name (the first identifier
of type TABLE; with none, under its own name), so a Spark path and its Hive or Glue table meet on
one vertex; column-lineage references to the path within the same event follow it there, and the
other names (the path, a LOCATION) are kept as aliases the store resolves in later events too.
"""

from __future__ import annotations

from typing import Any

from tagline.graph.model import (
    Column,
    ColumnEdge,
    ColumnRef,
    Dataset,
    DatasetAccess,
    DatasetAlias,
    DatasetRef,
    DeclaredTag,
    Job,
    JobDefinition,
    JobRef,
    LineageBatch,
    LineageType,
    OutputStatistics,
    Owner,
    RunReport,
    RunState,
    Subtype,
    Transformation,
)
from tagline.ingest import naming
from tagline.ingest.openlineage_events import (
    BaseEvent,
    ColumnLineageFacet,
    DatasetEvent,
    EventType,
    FieldLineage,
    FieldTransformation,
    InputField,
    JobEvent,
    RunEvent,
)
from tagline.ingest.openlineage_events import Dataset as EventDataset
from tagline.ingest.openlineage_sql import sql_facet_edges
from tagline.ingest.sql.batch import BatchBuilder
from tagline.ingest.tags import tag_names

# OTHER carries extra metadata about a run and says nothing about its state.
_RUN_STATES: dict[EventType, RunState] = {t: RunState(t.value) for t in EventType if t is not EventType.OTHER}
_SUBTYPES = {s.value: s for s in Subtype}


def event_batch(event: BaseEvent) -> LineageBatch:
    """Everything one event says: datasets, columns, tags, the job and its run, and column lineage."""
    datasets = _event_datasets(event)
    names = _Names(datasets)
    builder = BatchBuilder()
    tags: list[DeclaredTag] = []
    job = _job(event, builder)
    for dataset in datasets:
        _describe(dataset, names.ref(dataset.namespace, dataset.name), builder, tags)
    if isinstance(event, (RunEvent, JobEvent)) and job is not None:

        def access(dataset: EventDataset) -> DatasetAccess:
            return DatasetAccess(job=job, dataset=names.ref(dataset.namespace, dataset.name), at=event.eventTime)

        builder.add(
            LineageBatch(reads=[access(d) for d in event.inputs or []], writes=[access(d) for d in event.outputs or []])
        )
        if isinstance(event, RunEvent):
            builder.add(LineageBatch(runs=_run_report(event, job, names)))
    without_lineage = []
    with_lineage: list[DatasetRef] = []
    for dataset in datasets if isinstance(event, DatasetEvent) else (getattr(event, "outputs", None) or []):
        facet = dataset.facets.columnLineage if dataset.facets else None
        target = names.ref(dataset.namespace, dataset.name)
        if facet is None:
            without_lineage.append(target)
            continue
        with_lineage.append(target)
        for edge in _column_edges(facet, target, _output_fields(dataset, facet), names, job):
            builder.add_edge(edge.model_copy(update={"seen_at": event.eventTime}))
    if isinstance(event, (RunEvent, JobEvent)) and event.job.facets is not None:
        inputs = [names.ref(d.namespace, d.name) for d in event.inputs or []]
        for edge in sql_facet_edges(event.job.facets.model_extra, inputs, without_lineage, job):
            builder.add_edge(edge.model_copy(update={"seen_at": event.eventTime}))
    builder.add(LineageBatch(tags=tags, aliases=names.aliases))
    batch = builder.build(statements=1)
    definition = _definition(event, job, with_lineage)
    if definition is not None:
        batch.definitions = [definition]
    return batch


# Run states whose column lineage is the job's whole lineage into an output; a failed or aborted
# run's partial report replaces nothing.
_DEFINING = frozenset({EventType.START, EventType.RUNNING, EventType.COMPLETE})


def _definition(event: BaseEvent, job: JobRef | None, with_lineage: list[DatasetRef]) -> JobDefinition | None:
    """What the event says replaces: for each output with a ``columnLineage`` facet, the job's
    column lineage into it; on COMPLETE, the job's reads and writes too (its inputs and outputs)."""
    if job is None or not isinstance(event, (RunEvent, JobEvent)):
        return None
    state = event.eventType if isinstance(event, RunEvent) else EventType.COMPLETE
    if state not in _DEFINING:
        return None
    tables = isinstance(event, RunEvent) and state is EventType.COMPLETE
    if not with_lineage and not tables:
        return None
    outputs = {d.key: DatasetRef(namespace=d.namespace, name=d.name) for d in with_lineage}
    return JobDefinition(job=job, outputs=[outputs[k] for k in sorted(outputs)], at=event.eventTime, tables=tables)


def _event_datasets(event: BaseEvent) -> list[EventDataset]:
    if isinstance(event, DatasetEvent):
        return [event.dataset]
    if isinstance(event, (RunEvent, JobEvent)):
        return [*(event.inputs or []), *(event.outputs or [])]
    return []


def _job(event: BaseEvent, builder: BatchBuilder) -> JobRef | None:
    if not isinstance(event, (RunEvent, JobEvent)):
        return None
    ref = JobRef(namespace=event.job.namespace, name=event.job.name)
    docs = event.job.facets.documentation if event.job.facets else None
    state = _RUN_STATES.get(event.eventType) if isinstance(event, RunEvent) and event.eventType else None
    builder.add(
        LineageBatch(
            jobs=[
                Job(
                    **ref.model_dump(),
                    owners=_owners(event.job.facets.model_extra if event.job.facets else None),
                    description=docs.description if docs else None,
                    last_run_at=event.eventTime if state else None,
                    last_run_state=state,
                    last_run_id=str(event.run.runId) if state else None,  # type: ignore[union-attr]
                )
            ]
        )
    )
    return ref


def _owners(facets: dict[str, Any] | None) -> list[Owner] | None:
    """The ``ownership`` facet's owners (``[{"name": "team:data", "type": "MAINTAINER"}]``)."""
    facet = (facets or {}).get("ownership")
    found = facet.get("owners") if isinstance(facet, dict) else None
    if not isinstance(found, list):
        return None
    owners = [Owner(name=str(o["name"]), type=o.get("type")) for o in found if isinstance(o, dict) and o.get("name")]
    return owners or None


def _run_report(event: RunEvent, job: JobRef, names: _Names) -> list[RunReport]:
    """The run this event reports on, with its parent run and its output statistics."""
    state = _RUN_STATES.get(event.eventType) if event.eventType else None
    if state is None:
        return []
    parent = (event.run.facets or {}).get("parent")
    parent_run = parent.get("run") if isinstance(parent, dict) else None
    statistics = []
    for dataset in event.outputs or []:
        facets = (dataset.model_extra or {}).get("outputFacets")
        found = facets.get("outputStatistics") if isinstance(facets, dict) else None
        if isinstance(found, dict):
            rows, size = found.get("rowCount"), found.get("size")
            statistics.append(
                OutputStatistics(
                    dataset=names.ref(dataset.namespace, dataset.name),
                    rows=rows if isinstance(rows, int) else None,
                    bytes=size if isinstance(size, int) else None,
                )
            )
    return [
        RunReport(
            run_id=str(event.run.runId),
            job=job,
            state=state,
            at=event.eventTime,
            parent_run_id=str(parent_run["runId"])
            if isinstance(parent_run, dict) and parent_run.get("runId")
            else None,
            inputs=[names.ref(d.namespace, d.name) for d in event.inputs or []],
            outputs=[names.ref(d.namespace, d.name) for d in event.outputs or []],
            statistics=statistics,
        )
    ]


class _Names:
    """Dataset names as stored: normalised, and following a symlink to the table a path stands for.

    Only a TABLE identifier names the dataset: Hive's hook sends the table itself with a symlink
    holding just its LOCATION, and renaming ``test.t1`` to its warehouse path would part it from
    the SQL and dbt lineage of ``test.t1``. Every other name met in a symlinks facet (the path a
    TABLE symlink replaces, a LOCATION) becomes an alias, so that an event naming the dataset by it
    alone (a Spark CTAS's inner insert names only the path) lands on the same dataset."""

    def __init__(self, datasets: list[EventDataset]) -> None:
        self._renamed: dict[tuple[str, str], DatasetRef] = {}
        self.aliases: list[DatasetAlias] = []
        for dataset in datasets:
            links = dataset.facets.symlinks.identifiers if dataset.facets and dataset.facets.symlinks else None
            if not links:
                continue
            own = naming.dataset_ref(dataset.namespace, dataset.name)
            chosen = next((i for i in links if i.type.upper() == "TABLE"), None)
            target = naming.dataset_ref(chosen.namespace, chosen.name) if chosen else own
            if chosen is not None:
                self._renamed[(dataset.namespace, dataset.name)] = target
                self._renamed[(own.namespace, own.name)] = target
            for name in [own, *(naming.dataset_ref(i.namespace, i.name) for i in links if i is not chosen)]:
                if name.key != target.key:
                    self.aliases.append(DatasetAlias(alias=name, dataset=target))

    def ref(self, namespace: str, name: str) -> DatasetRef:
        return self._renamed.get((namespace, name)) or naming.dataset_ref(namespace, name)

    def column(self, namespace: str, name: str, field: str) -> ColumnRef:
        return naming.column_ref(self.ref(namespace, name), field)


def _describe(dataset: EventDataset, ref: DatasetRef, builder: BatchBuilder, tags: list[DeclaredTag]) -> None:
    """The dataset itself, its columns (``schema``) and its field-level tags (``tags``)."""
    facets = dataset.facets
    kind = facets.datasetType.datasetType.lower() if facets and facets.datasetType else None
    description = facets.documentation.description if facets and facets.documentation else None
    owners = _owners(facets.model_extra if facets else None)
    builder.add_dataset(Dataset(**ref.model_dump(), kind=kind, description=description, owners=owners))
    if facets is None:
        return
    for field in (facets.schema_.fields if facets.schema_ else None) or []:
        column = naming.column_ref(ref, field.name)
        builder.add_column(Column(**column.model_dump(), data_type=field.type, description=field.description))
    for entry in (facets.tags.tags if facets.tags else None) or []:
        if entry.field is None:
            continue
        names = tag_names(entry.key, entry.value)
        if names is None:
            names = [f"{entry.key}.{entry.value}".lower()]
        column = naming.column_ref(ref, entry.field)
        tags.extend(DeclaredTag(column=column, tag=name) for name in names)


def _output_fields(dataset: EventDataset, facet: ColumnLineageFacet) -> list[str]:
    """The output's columns: those of its schema facet, then any only the lineage facet names."""
    schema = dataset.facets.schema_ if dataset.facets else None
    names = [f.name for f in (schema.fields if schema else None) or []]
    return list(dict.fromkeys([*names, *facet.fields]))


def _column_edges(
    facet: ColumnLineageFacet, target: DatasetRef, fields: list[str], names: _Names, job: JobRef | None
) -> list[ColumnEdge]:
    edges: list[ColumnEdge] = []
    for field, lineage in facet.fields.items():
        output = naming.column_ref(target, field)
        for source in lineage.inputFields:
            edges.extend(_edge(names, source, output, t, job) for t in _field_transformations(source, lineage))
    for source in facet.dataset or []:
        indirect = [_as_indirect(t) for t in source.transformations or []] or [
            Transformation(type=LineageType.INDIRECT)
        ]
        for field in fields:
            output = naming.column_ref(target, field)
            edges.extend(_edge(names, source, output, t, job) for t in indirect)
    return edges


def _edge(names: _Names, source: InputField, target: ColumnRef, t: Transformation, job: JobRef | None) -> ColumnEdge:
    return ColumnEdge(
        source=names.column(source.namespace, source.name, source.field),
        target=target,
        transformation=t,
        job=job,
    )


def _field_transformations(source: InputField, lineage: FieldLineage) -> list[Transformation]:
    legacy = (lineage.transformationType or "").upper()
    masked = legacy == "MASKED"
    if source.transformations:
        return [_transformation(t, masked, lineage.transformationDescription) for t in source.transformations]
    return [
        Transformation(
            type=LineageType.DIRECT,
            subtype=Subtype.IDENTITY if legacy == "IDENTITY" else None,
            masking=masked,
            description=lineage.transformationDescription or None,
        )
    ]


def _transformation(t: FieldTransformation, masked: bool, fallback_description: str | None) -> Transformation:
    """A spec transformation as stored; a subtype outside the vocabulary is kept in the description."""
    kind = LineageType(t.type.value)
    subtype = _SUBTYPES.get((t.subtype or "").upper())
    description = t.description or fallback_description or None
    if t.subtype and subtype is None:
        description = f"{t.subtype}: {description}" if description else t.subtype
    masking = t.masking if t.masking is not None else masked and kind is LineageType.DIRECT
    return Transformation(type=kind, subtype=subtype, masking=masking, description=description)


def _as_indirect(t: FieldTransformation) -> Transformation:
    stored = _transformation(t, False, None)
    if stored.type is LineageType.INDIRECT:
        return stored
    return Transformation(type=LineageType.INDIRECT, masking=stored.masking, description=stored.description)
