"""SQL dialect names accepted by the ingesters, mapped onto sqlglot's dialects.

Users name dialects the way their engines call themselves; sqlglot has its own spelling for a few of
them (``ansi`` is sqlglot's generic dialect, ``sparksql`` is ``spark``). Resolving the name once, at
the edge, keeps the rest of the extractor working with a :class:`~sqlglot.dialects.Dialect` object.
"""

from __future__ import annotations

from functools import cache

from sqlglot.dialects import Dialect, Dialects

ALIASES: dict[str, str] = {"ansi": "", "sparksql": "spark"}


def known_dialects() -> list[str]:
    """Every dialect name :func:`resolve_dialect` accepts, sorted."""
    return sorted({d.value for d in Dialects if d.value} | set(ALIASES))


@cache
def resolve_dialect(name: str) -> Dialect:
    """The sqlglot dialect for ``name``; a usage error (``ValueError``) if there is none."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key and key not in {d.value for d in Dialects}:
        raise ValueError(f"unknown SQL dialect {name!r}; known dialects: {', '.join(known_dialects())}")
    return Dialect.get_or_raise(key or None)
