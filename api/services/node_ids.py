"""Node ids in Marquez's syntax, shared by the GraphQL `id` fields and the Marquez read API:
``dataset:<ns>:<name>``, ``job:<ns>:<name>``, ``datasetField:<ns>:<dataset>:<field>``.

Namespaces are URIs (``mysql://orders-db:3306``) and names may hold ``:`` too, so an id does not
split on every colon. Marquez splits at the first colon not followed by ``//`` or a digit (a
scheme's or a port's); a name like ``a:b`` defeats that rule. Here every split is tried, Marquez's
first and then from the right, and the first that names something Tagline holds wins; an id that
names nothing is parsed by Marquez's rule, so the error can say what was looked for.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tagline.errors import InvalidInput
from tagline.graph import schema
from tagline.graph.model import column_key, dataset_key, job_key
from tagline.graph.records import VertexRecord

DATASET, JOB, FIELD = "dataset", "job", "datasetField"
# Marquez's rule: a colon that is not the scheme's (`://`) nor a port's (`:3306`).
_MARQUEZ_SPLIT = re.compile(r":(?!//|\d+)")


class BadNodeId(InvalidInput):
    """Not a node id Marquez would accept (or one of a kind Tagline has not, such as a run)."""


@dataclass(frozen=True)
class NodeId:
    kind: str  # DATASET, JOB or FIELD
    namespace: str
    name: str  # the dataset's or job's name
    field: str | None = None

    @property
    def key(self) -> str:
        if self.kind == JOB:
            return job_key(self.namespace, self.name)
        if self.kind == FIELD:
            return column_key(self.namespace, self.name, self.field or "")
        return dataset_key(self.namespace, self.name)

    def __str__(self) -> str:
        return ":".join([self.kind, self.namespace, self.name, *([self.field] if self.field is not None else [])])


def node_id(record: VertexRecord) -> str:
    """The Marquez node id of a dataset, job or column."""
    p = record.props
    if record.label == schema.COLUMN:
        return str(NodeId(FIELD, p["namespace"], p["dataset"], p["field"]))
    return str(NodeId(JOB if record.label == schema.JOB else DATASET, p["namespace"], p["name"]))


def _splits(text: str) -> Iterator[tuple[str, str]]:
    """(left, right) at each colon of ``text``: Marquez's choice first, then from the right."""
    marquez = _MARQUEZ_SPLIT.search(text)
    if marquez is not None:
        yield text[: marquez.start()], text[marquez.end() :]
    for at in reversed([m.start() for m in re.finditer(":", text)]):
        if marquez is None or at != marquez.start():
            yield text[:at], text[at + 1 :]


def _without_version(text: str) -> str:
    head, sep, tail = text.rpartition("#")
    if sep:
        try:
            uuid.UUID(tail)
            return head
        except ValueError:
            pass
    return text


def parse_node_id(value: str, known: Callable[[str], bool]) -> NodeId:
    """The node an id names; ``known(key)`` says whether Tagline holds a vertex with that key."""
    kind, sep, rest = value.partition(":")
    if not sep or kind not in (DATASET, JOB, FIELD):
        raise BadNodeId(f"node id {value!r} must start with 'dataset:', 'datasetField:' or 'job:'")
    rest = _without_version(rest)
    candidates: list[NodeId] = []
    if kind == FIELD:
        for head, field in reversed([(rest[: m.start()], rest[m.start() + 1 :]) for m in re.finditer(":", rest)]):
            candidates.extend(NodeId(FIELD, ns, ds, field) for ns, ds in _splits(head))
    else:
        candidates.extend(NodeId(kind, ns, name) for ns, name in _splits(rest))
    if not candidates:
        parts = "namespace, dataset and field" if kind == FIELD else "namespace and name"
        raise BadNodeId(f"node id {value!r} must hold a {parts} separated by ':'")
    return next((c for c in candidates if known(c.key)), candidates[0])
