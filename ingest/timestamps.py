"""Times as inputs write them: RFC 3339 text, checked before pydantic reads it.

pydantic would take a number as seconds since 1970 (``"eventTime": 12345`` is 1970-01-01T03:25:45),
a bare date as midnight, and a time without an offset as a time of no zone at all: none is what
an emitter can be taken to mean, so each is refused with the form that is expected. RFC 3339
requires the offset (``Z`` or ``+01:00``); a local time without one names no instant.
"""

from __future__ import annotations

import re
from typing import Any

RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$")
EXPECTED = "must be an RFC 3339 date-time with its offset, such as 2026-12-05T10:00:00Z or 2026-12-05T11:00:00+01:00"


def rfc3339_text(value: Any) -> Any:
    """``value`` if it is RFC 3339 date-time text (None passes: optional fields stay optional)."""
    if value is not None and (not isinstance(value, str) or not RFC_3339.match(value)):
        raise ValueError(EXPECTED)
    return value
