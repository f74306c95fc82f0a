"""Declared tags read from sources: a key/value pair (OpenLineage ``tags`` facet, dbt ``meta``) or a
bare tag (dbt ``tags``) becomes one tag name.

``pii`` / ``pii: true`` -> ``pii``; ``sensitivity: confidential`` or ``classification: PII`` -> the
value (``confidential``, ``pii``); ``pii: false`` -> nothing. Names are lower-cased so that ``PII``
from one source and ``pii`` from another are one tag.
"""

from __future__ import annotations

CLASSIFYING_KEYS = frozenset(
    {"sensitivity", "classification", "sensitivity_level", "data_classification", "tag", "tags"}
)
TRUE = frozenset({"true", "yes", "y", "1"})
FALSE = frozenset({"false", "no", "n", "0", "none", "null"})


def tag_names(key: str, value: object) -> list[str] | None:
    """Tags a key/value pair declares; None when the pair is not a classification (e.g. ``owner: al``)."""
    name = key.strip().lower()
    if isinstance(value, bool):
        return [name] if value else []
    if isinstance(value, list):
        return [str(v).strip().lower() for v in value if str(v).strip()] if name in CLASSIFYING_KEYS else None
    text = "" if value is None else str(value).strip().lower()
    if name in CLASSIFYING_KEYS:
        return [text] if text else []
    if text in TRUE or text in ("", name):
        return [name]
    if text in FALSE:
        return []
    return None
