"""Times are stored as ISO-8601 UTC strings: both stores keep them as-is and they sort correctly."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_iso(text: str) -> datetime:
    """A time as :func:`iso` wrote it."""
    return datetime.fromisoformat(text)
