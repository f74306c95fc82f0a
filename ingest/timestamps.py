"""Times as inputs write them: RFC 3339 text, checked before pydantic reads it.

pydantic would take a number as seconds since 1970 (``"eventTime": 12345`` is 1970-01-01T03:25:45)
and a bare date as midnight: neither is what an emitter meant, so both are refused with the form
that is expected.
"""

from __future__ import annotations

import re
from typing import Any

RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")


def rfc3339_text(value: Any) -> Any:
    """``value`` if it is RFC 3339 date-time text (None passes: optional fields stay optional)."""
    if value is not None and (not isinstance(value, str) or not RFC_3339.match(value)):
        raise ValueError("must be an RFC 3339 date-time such as 2026-12-05T10:00:00Z")
    return value
