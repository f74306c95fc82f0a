"""The time window behind "stale", "zombie" and "unused": times are ISO-8601 UTC strings (as the
store keeps them), which sort as text, and a cutoff is the moment a window of days began."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tagline.graph.timefmt import iso


def cutoff_of(now: datetime, days: int) -> str:
    """Anything last seen before this time is older than ``days``."""
    return iso(now - timedelta(days=days))


def latest(times: Iterable[str | None]) -> str | None:
    """The latest of some times, None when there are none."""
    known = [t for t in times if t]
    return max(known) if known else None


def is_stale(last_seen: str | None, cutoff: str) -> bool:
    """Not seen since the cutoff, or never."""
    return last_seen is None or last_seen < cutoff
