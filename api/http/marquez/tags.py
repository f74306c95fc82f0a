"""Tags (``/tags``, ``PUT /tags/{tag}``) and tagging datasets and fields
(``POST``/``DELETE /namespaces/{ns}/datasets/{ds}[/fields/{field}]/tags/{tag}``).

Tagging is Tagline's own tag declaration, not a label beside it: tagging a field declares the tag
on that column, tagging a dataset declares it on each of its columns, and untagging removes those
declarations — each audited under the caller's name and propagated downstream at once, exactly
as ``declareTag``/``removeTag`` do. It needs the steward's role (GOVERN). Tag names are kept as
sent (Tagline's are lower case, ``pii.email``; Marquez upper-cases field tags, Tagline does not).

The tags listed are the policy's sensitivity levels, every tag a column carries, and those
created by ``PUT /tags/{tag}`` (with their descriptions).
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import GOVERN, READ
from tagline.api.http.marquez.common import Call, Handler, Problem, find, paged, text_field
from tagline.api.http.marquez.datasets import get_dataset, the_dataset
from tagline.api.http.marquez.shapes import columns_of
from tagline.api.services.marquez_declarations import declare
from tagline.governance.service import Governance
from tagline.governance.state import tag_views_of
from tagline.graph.model import ColumnRef, DeclaredTag, column_key
from tagline.graph.schema import TAGS_EFFECTIVE


def _tags(call: Call) -> dict[str, str | None]:
    found: dict[str, str | None] = {
        level: f"sensitivity level {n + 1} of {len(call.policy.levels)}" for n, level in enumerate(call.policy.levels)
    }
    for column in call.store.columns_where(TAGS_EFFECTIVE, bool):
        for name in tag_views_of(column.props):
            found.setdefault(name, None)
    for name, declared in call.history.declared("tag").items():
        found[name] = declared.body.get("description")
    return found


def list_tags(call: Call) -> dict[str, Any]:
    found = _tags(call)
    page, total = paged([{"name": n, "description": found[n]} for n in sorted(found)], call.params)
    return {"tags": page, "totalCount": total}


def put_tag(call: Call) -> dict[str, Any]:
    name = call.path["tag"]
    declare(call.store, "tag", name, {"description": text_field(call.body, "description")}, call.actor)
    return {"name": name, "description": _tags(call).get(name)}


def _columns(call: Call, declaring: str | None) -> list[ColumnRef]:
    """The field named in the path, or every column of the dataset (only those declaring the tag
    ``declaring``, when untagging a dataset)."""
    dataset = the_dataset(call)
    namespace, name = str(dataset.props["namespace"]), str(dataset.props["name"])
    field = call.path.get("field")
    if field is not None:
        find(call.store, column_key(namespace, name, field), f"field {field!r} of dataset {name!r}")
        return [ColumnRef(namespace=namespace, dataset=name, field=field)]
    columns = columns_of(call.store, dataset)
    if declaring is not None:
        columns = [c for c in columns if (v := tag_views_of(c.props).get(declaring)) is not None and v.declared]
    if not columns:
        why = f"no field declares {declaring!r}" if declaring else "it has no fields: Tagline keeps tags on columns"
        raise Problem(400, f"dataset {name!r} cannot be {'un' if declaring else ''}tagged: {why}")
    return [ColumnRef(namespace=namespace, dataset=name, field=str(c.props["field"])) for c in columns]


def _governed(call: Call, add: bool) -> dict[str, Any]:
    tag = call.path["tag"]
    governance = Governance(call.store, call.policy)
    why = f"{'tagged' if add else 'untagged'} through Marquez's API"
    if add:
        refs = _columns(call, None)
        outcomes = [governance.declare_many([DeclaredTag(column=r, tag=tag) for r in refs], call.actor, why)]
    else:
        outcomes = [governance.remove(r, tag, call.actor, why) for r in _columns(call, tag)]
    rejected = [reason for outcome in outcomes for reason in outcome.rejected]
    if rejected:
        raise Problem(400, "; ".join(rejected))
    return get_dataset(call)


def tag(call: Call) -> dict[str, Any]:
    return _governed(call, add=True)


def untag(call: Call) -> dict[str, Any]:
    return _governed(call, add=False)


DATASET_TAG = "namespaces/{namespace}/datasets/{dataset}/tags/{tag}"
FIELD_TAG = "namespaces/{namespace}/datasets/{dataset}/fields/{field}/tags/{tag}"
HANDLERS = [
    Handler("GET", "tags", READ, list_tags),
    Handler("PUT", "tags/{tag}", GOVERN, put_tag, writes=True),
    Handler("POST", DATASET_TAG, GOVERN, tag, writes=True),
    Handler("DELETE", DATASET_TAG, GOVERN, untag, writes=True),
    Handler("POST", FIELD_TAG, GOVERN, tag, writes=True),
    Handler("DELETE", FIELD_TAG, GOVERN, untag, writes=True),
]
