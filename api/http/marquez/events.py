"""The OpenLineage events received, as logged (``/events/lineage``): Marquez's ``LineageEventList``,
each event as it was sent, kept or not by its time window (``after`` <= eventTime <= ``before``),
sorted by event time (``sortDirection=desc``, the default, or ``asc``), a page at a time.

``/events`` and ``/events/{namespace}`` are what marquez-python's ``list_events`` asks: the same
list, the latter kept to events whose job or datasets are in that namespace.
"""

from __future__ import annotations

from typing import Any

from tagline.api.auth import READ
from tagline.api.http.marquez.common import Call, Handler, Problem, moment, paged
from tagline.api.http.marquez.history import Said


def _listed(call: Call, keep: Any = None) -> dict[str, Any]:
    direction = call.params.get("sortDirection", "desc").lower()
    if direction not in ("asc", "desc"):
        raise Problem(400, f"sortDirection must be asc or desc (got {call.params['sortDirection']!r})")
    after, before = moment(call.params, "after"), moment(call.params, "before")
    found = call.history.window(after, before, newest_first=direction == "desc")
    if keep is not None:
        found = [s for s in found if keep(s)]
    page, total = paged(found, call.params)
    return {"events": [s.raw for s in page], "totalCount": total}


def lineage_events(call: Call) -> dict[str, Any]:
    return _listed(call)


def in_namespace(call: Call) -> dict[str, Any]:
    namespace = call.path["namespace"]

    def touches(said: Said) -> bool:
        named = [d["namespace"] for role in ("inputs", "outputs") for d in said.datasets(role)]
        return (said.job or ("", ""))[0] == namespace or namespace in named

    return _listed(call, touches)


HANDLERS = [
    Handler("GET", "events/lineage", READ, lineage_events),
    Handler("GET", "events", READ, lineage_events),
    Handler("GET", "events/{namespace:path}", READ, in_namespace),
]
