"""The GraphQL schema as a contract: its SDL is committed (api/gql/schema.graphql), served at
``GET /graphql/schema.graphql``, and a change that could break a client fails the check unless
docs/api-changelog.md lists it under "Breaking changes".

``python -m tagline.api.gql.contract`` (run by ``make lint``) compares the live schema with:

- the committed SDL: they must be equal (``make schema`` writes it again);
- the SDL of the base the branch will merge into (``git show <base>:api/gql/schema.graphql``,
  ``main`` unless ``TAGLINE_SCHEMA_BASE`` names another; the committed SDL where git has no such
  base): every breaking change graphql-core finds (a field, argument or type removed, a type
  changed...) must be named, as ``Type.field``, in the changelog's "Breaking changes" section.

``--write`` writes the committed SDL from the live schema, after the same check of breaking changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from graphql import BreakingChange, build_schema, find_breaking_changes, print_schema
from strawberry import Schema

from tagline.api.gql.schema import build_schema as build_tagline_schema
from tagline.api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SDL_PATH = Path(__file__).with_name("schema.graphql")
SDL_IN_REPOSITORY = "api/gql/schema.graphql"
SDL_URL = "/graphql/schema.graphql"
CHANGELOG = ROOT / "docs" / "api-changelog.md"
DOTTED = re.compile(r"@?[A-Za-z_]\w*\.[A-Za-z_]\w*")
SECTION = re.compile(r"^## Breaking changes\s*$(.*?)(?=^## |\Z)", re.M | re.S)


def sdl_of(schema: Schema) -> str:
    """The schema's SDL as committed and served."""
    return print_schema(schema._schema) + "\n"


def live_sdl() -> str:
    schema = build_tagline_schema(Settings())
    try:
        return sdl_of(schema)
    finally:
        schema.close()


def changed_name(change: BreakingChange) -> str:
    """What a breaking change is about: the field (``Query.namespaces``, also for a change of one
    of its arguments) its description names, else the type or directive it begins with."""
    field = DOTTED.search(change.description)
    return field.group(0) if field else change.description.split(" ", 1)[0].rstrip(".")


def listed_names(changelog: str) -> set[str]:
    """The names in backticks in the "Breaking changes" section of the changelog."""
    section = SECTION.search(changelog)
    return set(re.findall(r"`([^`]+)`", section.group(1))) if section else set()


def unlisted_breaking_changes(old_sdl: str, new_sdl: str, changelog: str) -> list[BreakingChange]:
    """The changes from ``old_sdl`` to ``new_sdl`` that could break a client and that the
    changelog's "Breaking changes" section does not name."""
    listed = listed_names(changelog)
    changes = find_breaking_changes(build_schema(old_sdl), build_schema(new_sdl))
    return [c for c in changes if changed_name(c) not in listed]


def base_sdl(committed: str) -> str:
    base = os.environ.get("TAGLINE_SCHEMA_BASE", "main")
    try:
        shown = subprocess.run(
            ["git", "show", f"{base}:{SDL_IN_REPOSITORY}"], cwd=ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return committed
    return shown.stdout if shown.returncode == 0 else committed


def check(write: bool = False) -> list[str]:
    """What is wrong with the contract (nothing: an empty list)."""
    live = live_sdl()
    committed = SDL_PATH.read_text() if SDL_PATH.exists() else ""
    changelog = CHANGELOG.read_text() if CHANGELOG.exists() else ""
    problems = []
    for base in dict.fromkeys(b for b in (base_sdl(committed), committed) if b):
        for change in unlisted_breaking_changes(base, live, changelog):
            problems.append(
                f"breaking change not in {CHANGELOG.relative_to(ROOT)} under 'Breaking changes': "
                f"{change.description} (name `{changed_name(change)}` there, or keep the old field and "
                "deprecate it)"
            )
    if problems:
        return problems
    if write:
        SDL_PATH.write_text(live)
    elif committed != live:
        problems.append(f"{SDL_IN_REPOSITORY} is not the live schema: run `make schema` and commit it")
    return problems


def main() -> int:
    problems = check(write="--write" in sys.argv[1:])
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
