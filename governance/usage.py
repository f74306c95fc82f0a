"""How hot a dataset is and when it was last produced, from its `reads` and `writes` edges.

Tagline keeps one `reads` edge per reader (job or query source) with the time of its latest
read, not every read: a day's figures count the readers whose latest read fell on it. That is
what the index holds without a read log; it says which tables are read and by how many, and it
never invents reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Run states after which a job's write counts as produced; None: a source without runs (SQL, dbt).
PRODUCING_STATES = frozenset({"COMPLETE", None})


@dataclass(frozen=True)
class UsageDay:
    day: date
    reads: int
    readers: int


def _day(at: object) -> date | None:
    if not at:
        return None
    try:
        return datetime.fromisoformat(str(at)).date()
    except ValueError:
        return None


def usage_days(reads: Iterable[tuple[str, object]], today: date, days: int) -> list[UsageDay]:
    """One entry per day of the window ending ``today``, oldest first, zero days included (a heat
    strip needs them). ``reads``: (reader key, time of its latest read)."""
    first = today - timedelta(days=days - 1)
    counted: dict[date, list[str]] = {}
    for reader, at in reads:
        day = _day(at)
        if day is not None and first <= day <= today:
            counted.setdefault(day, []).append(reader)
    return [
        UsageDay(day=d, reads=len(counted.get(d, [])), readers=len(set(counted.get(d, []))))
        for d in (first + timedelta(days=n) for n in range(days))
    ]


def last_produced(writes: Iterable[tuple[object, str | None]]) -> str | None:
    """The latest write by a writer whose last run completed (or that has no runs): a write
    recorded at a run's start is not a produced table yet. ``writes``: (time, writer's run state)."""
    done = [str(at) for at, state in writes if at and state in PRODUCING_STATES]
    return max(done) if done else None
