"""OpenLineage events (spec 2-0-x) as validated models, shaped like the spec's JSON schemas.

Only what Tagline reads is typed (the run, job and dataset identities, and the ``schema``,
``columnLineage``, ``symlinks``, ``tags``, ``documentation`` and ``datasetType`` facets); every other
facet and property is kept as-is (``extra="allow"``), so an emitter's custom facets never make an
event invalid. Validation errors carry the path of the offending field (``run.runId``,
``outputs[0].facets.columnLineage.fields.email.inputFields[1].field``), which the HTTP route returns
with its 422.

Like Marquez, the kind of event is read from the last segment of ``schemaURL``
(``.../OpenLineage.json#/$defs/DatasetEvent``); anything else is a RunEvent.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tagline.errors import InvalidInput
from tagline.graph.model import LineageType
from tagline.ingest.timestamps import EXPECTED, rfc3339_text

Name = Annotated[str, Field(min_length=1)]
"""A namespace or a name: the spec does not say non-empty, but nothing can be found by an empty one."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)


class EventType(str, Enum):
    START = "START"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    ABORT = "ABORT"
    FAIL = "FAIL"
    OTHER = "OTHER"


# ---- columnLineage facet, 1-0-0 .. 1-2-0 -------------------------------------------------------


class FieldTransformation(_Spec):
    """One entry of ``inputFields[].transformations[]`` (facet 1-1-0 and later)."""

    type: LineageType
    subtype: str | None = None
    description: str | None = None
    masking: bool | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class InputField(_Spec):
    namespace: Name
    name: Name
    field: str
    transformations: list[FieldTransformation] | None = None


class FieldLineage(_Spec):
    inputFields: list[InputField]
    transformationDescription: str | None = None
    transformationType: str | None = None


class ColumnLineageFacet(_Spec):
    fields: dict[str, FieldLineage]
    dataset: list[InputField] | None = None


# ---- other dataset facets ------------------------------------------------------------------------


class SchemaField(_Spec):
    name: str
    type: str | None = None
    description: str | None = None


class SchemaFacet(_Spec):
    fields: list[SchemaField] | None = None


class SymlinkIdentifier(_Spec):
    namespace: str
    name: str
    type: str


class SymlinksFacet(_Spec):
    identifiers: list[SymlinkIdentifier] | None = None


class TagEntry(_Spec):
    key: str
    value: str
    source: str | None = None
    field: str | None = None


class TagsFacet(_Spec):
    tags: list[TagEntry] | None = None


class DocumentationFacet(_Spec):
    description: str


class DatasetTypeFacet(_Spec):
    datasetType: str


class DatasetFacets(_Spec):
    schema_: SchemaFacet | None = Field(None, alias="schema")
    columnLineage: ColumnLineageFacet | None = None
    symlinks: SymlinksFacet | None = None
    tags: TagsFacet | None = None
    documentation: DocumentationFacet | None = None
    datasetType: DatasetTypeFacet | None = None


class Dataset(_Spec):
    namespace: Name
    name: Name
    facets: DatasetFacets | None = None


# ---- jobs, runs, events ---------------------------------------------------------------------------


class JobFacets(_Spec):
    documentation: DocumentationFacet | None = None


class Job(_Spec):
    namespace: Name
    name: Name
    facets: JobFacets | None = None


class Run(_Spec):
    runId: UUID
    facets: dict[str, Any] | None = None


class BaseEvent(_Spec):
    eventTime: datetime
    producer: str
    schemaURL: str | None = None

    @field_validator("eventTime", mode="before")
    @classmethod
    def _rfc_3339(cls, value: Any) -> Any:
        """The spec's date-time is RFC 3339 text, offset included (see ``ingest/timestamps.py``)."""
        if value is None:
            raise ValueError(EXPECTED)
        return rfc3339_text(value)


class RunEvent(BaseEvent):
    eventType: EventType | None = None
    run: Run
    job: Job
    inputs: list[Dataset] | None = None
    outputs: list[Dataset] | None = None


class JobEvent(BaseEvent):
    job: Job
    inputs: list[Dataset] | None = None
    outputs: list[Dataset] | None = None


class DatasetEvent(BaseEvent):
    dataset: Dataset


Event = RunEvent | JobEvent | DatasetEvent

_KINDS: dict[str, type[BaseEvent]] = {"DatasetEvent": DatasetEvent, "JobEvent": JobEvent}


class EventError(InvalidInput):
    """An event that is JSON but not OpenLineage: ``problems`` lists (path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def error_path(loc: tuple[int | str, ...]) -> str:
    """``("inputs", 0, "facets", "schema")`` -> ``inputs[0].facets.schema``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(event)"


def event_kind(raw: dict[str, Any]) -> type[BaseEvent]:
    url = raw.get("schemaURL")
    name = url.rsplit("/", 1)[-1] if isinstance(url, str) else ""
    return _KINDS.get(name, RunEvent)


def parse_event(raw: Any, not_after: datetime | None = None) -> Event:
    """Validate one decoded JSON value as an OpenLineage event; :class:`EventError` if it is not one.

    ``not_after`` is the latest ``eventTime`` believed (the receiver's clock plus the skew it
    allows): an event from further in the future would set its job's last run, and the lifetime
    of its lineage, to a time no later event can pass.
    """
    if not isinstance(raw, dict):
        raise EventError([("(event)", f"an event is a JSON object, not {type(raw).__name__}")])
    kind = event_kind(raw)
    try:
        event: Event = kind.model_validate(raw)  # type: ignore[assignment]
    except ValidationError as exc:
        raise EventError([(error_path(e["loc"]), e["msg"]) for e in exc.errors()]) from exc
    if not_after is not None and event.eventTime > not_after:
        raise EventError(
            [
                (
                    "eventTime",
                    f"{event.eventTime.isoformat()} is later than {not_after.isoformat()}, the latest time accepted "
                    "(this server's clock plus TAGLINE_EVENT_TIME_SKEW_SECONDS): check the emitter's clock",
                )
            ]
        )
    return event
