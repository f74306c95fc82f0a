"""``/search``: datasets and jobs by name, as Marquez searches them.

``q`` matches as a substring in any case (Marquez's ``%`` wildcards are dropped); ``filter`` keeps
datasets or jobs; ``sort`` is ``name`` (the default), ``updated_at`` (``UPDATE_AT``, newest first)
or Tagline's ``relevance``; ``before``/``after`` (``YYYY-MM-DD``) keep what was last updated before
that day began or after it, as Marquez compares ``updated_at`` with the date. Sorted and filtered
answers are drawn from the first 10,000 matches.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tagline.api.auth import READ
from tagline.api.http.marquez.common import MAX_LIMIT, Call, Handler, Problem, number
from tagline.api.http.marquez.shapes import search_result_json, updated_at
from tagline.graph import schema

SEARCH_LIMIT = 10
MAX_SORTED = 10_000
SORTS = {"name": "name", "updated_at": "updated_at", "update_at": "updated_at", "relevance": "relevance"}
FILTERS = {"": None, "all": None, "dataset": schema.DATASET, "job": schema.JOB}


def _day(call: Call, name: str) -> str | None:
    text = call.params.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise Problem(400, f"{name} must be a date, YYYY-MM-DD (got {text!r})") from exc


def search(call: Call) -> dict[str, Any]:
    store, params = call.store, call.params
    query = params.get("q", "").replace("%", "").strip()
    if not query:
        raise Problem(400, "query parameter q is required")
    wanted = params.get("filter", "").lower()
    if wanted not in FILTERS:
        raise Problem(400, f"filter must be dataset or job (got {params['filter']!r})")
    sort = SORTS.get(params.get("sort", "name").lower())
    if sort is None:
        raise Problem(400, f"sort must be name, updated_at or relevance (got {params['sort']!r})")
    before, after = _day(call, "before"), _day(call, "after")
    limit = number(params, "limit", SEARCH_LIMIT, 0, MAX_LIMIT)
    label = FILTERS[wanted]
    labels = [label] if label else [schema.DATASET, schema.JOB]
    namespace = params.get("namespace") or None
    if sort == "relevance" and not before and not after:
        found, total = store.search(query, labels, namespace, 0, limit)
        return {"totalCount": total, "results": [search_result_json(store, r) for r in found]}
    found, total = store.search(query, labels, namespace, 0, MAX_SORTED)
    stamped = [(updated_at(store, r), r) for r in found]
    if before or after:
        stamped = [(t, r) for t, r in stamped if (not before or t < before) and (not after or t > after)]
        total = len(stamped)
    if sort == "name":
        stamped.sort(key=lambda p: (str(p[1].props["name"]), p[1].label, str(p[1].props["namespace"])))
    elif sort == "updated_at":
        stamped.sort(key=lambda p: p[0], reverse=True)
    return {"totalCount": total, "results": [search_result_json(store, r) for _, r in stamped[:limit]]}


HANDLERS = [Handler("GET", "search", READ, search, on_loop=True)]
