"""Moments as people type them for lineage over time: an ISO-8601 date or date-time (UTC unless it
says otherwise), or a span back from now (``7d``, ``12h``, ``30m``, ``2w``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tagline.errors import InvalidInput

_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, now: datetime, what: str = "time") -> datetime:
    """``text`` as a moment in UTC; a span (``7d``) counts back from ``now``."""
    span = _SPAN.match(text)
    if span:
        return now - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{what} {text!r} is neither an ISO-8601 time (2026-05-01, 2026-05-01T10:00:00Z) "
            "nor a span back from now (30m, 12h, 7d, 2w)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
