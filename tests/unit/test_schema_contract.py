"""The GraphQL schema as a contract: the committed SDL is the live schema, and a change that
could break a client is caught unless the changelog names it."""

from __future__ import annotations

from tagline.api.gql.contract import SDL_PATH, changed_name, live_sdl, unlisted_breaking_changes

OLD = """
type Query {
  namespaces: [String!]!
  column(field: String!): String
}
"""
# `namespaces` removed, `column`'s argument made required in another way: two breaking changes.
NEW = """
type Query {
  column(field: String!, dataset: String!): String
  namespacesConnection(first: Int): [String!]!
}
"""
CHANGELOG = """# GraphQL API changelog

## Unreleased

- `Query.namespaces` is gone (mentioned here, outside the section, it does not count).

## Breaking changes

- `Query.column`: takes `dataset` too.
"""


def test_the_committed_sdl_is_the_live_schema() -> None:
    assert SDL_PATH.read_text() == live_sdl(), "run `make schema` and commit api/gql/schema.graphql"


def test_a_breaking_change_fails_unless_the_changelog_section_names_it() -> None:
    unlisted = unlisted_breaking_changes(OLD, NEW, CHANGELOG)
    assert [changed_name(c) for c in unlisted] == ["Query.namespaces"]
    listed = CHANGELOG + "- `Query.namespaces`: use `namespacesConnection`.\n"
    assert unlisted_breaking_changes(OLD, NEW, listed) == []


def test_additions_and_deprecations_are_no_breaking_change() -> None:
    added = OLD.replace("namespaces: [String!]!", 'namespaces: [String!]! @deprecated(reason: "paged")\n  more: Int')
    assert unlisted_breaking_changes(OLD, added, "") == []
