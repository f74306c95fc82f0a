"""Persisted queries: Apollo's protocol (not found, then registered; a wrong hash refused), the
bounded store, the allow-list's files, and a persisted document parsed and validated once."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tagline.api.auth import LOCAL
from tagline.api.gql.persisted import (
    NOT_ALLOWED_CODE,
    NOT_FOUND,
    NOT_FOUND_CODE,
    PersistedQueries,
    PersistedQueryError,
    load_allowed,
    sha256,
)
from tagline.api.gql.schema import build_schema
from tagline.api.settings import Settings
from tagline.errors import InvalidInput

DOC = "{ __typename }"


def apq(text: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


def test_an_unknown_hash_is_not_found_then_hash_and_document_register_it() -> None:
    store = PersistedQueries(10)
    with pytest.raises(PersistedQueryError) as missing:
        store.resolve(None, apq(DOC))
    assert (str(missing.value), missing.value.code, missing.value.status) == (NOT_FOUND, NOT_FOUND_CODE, 200)
    assert store.resolve(DOC, apq(DOC)) == DOC
    assert store.resolve(None, apq(DOC)) == DOC


@pytest.mark.parametrize(
    "extensions",
    [apq("{ other }"), {"persistedQuery": {"version": 2, "sha256Hash": sha256(DOC)}}, {"persistedQuery": "x"}],
)
def test_a_wrong_hash_or_version_is_refused(extensions: dict[str, object]) -> None:
    with pytest.raises(PersistedQueryError) as refused:
        PersistedQueries(10).resolve(DOC, extensions)
    assert refused.value.status == 400


def test_the_store_keeps_the_most_recently_used() -> None:
    store = PersistedQueries(2)
    documents = [f"{{ a{n}: __typename }}" for n in range(3)]
    store.resolve(documents[0], apq(documents[0]))
    store.resolve(documents[1], apq(documents[1]))
    store.resolve(None, apq(documents[0]))  # used again: the second is now the oldest
    store.resolve(documents[2], apq(documents[2]))
    assert len(store) == 2
    assert store.get(sha256(documents[0])) is not None and store.get(sha256(documents[1])) is None


def test_an_allow_list_runs_its_documents_only(tmp_path: Path) -> None:
    (tmp_path / "a.graphql").write_text(DOC)
    store = PersistedQueries(1, load_allowed(str(tmp_path)))
    assert store.resolve(None, apq(DOC)) == store.resolve(DOC, None) == DOC
    for query, extensions in (("{ other }", None), ("{ other }", apq("{ other }"))):
        with pytest.raises(PersistedQueryError) as refused:
            store.resolve(query, extensions)
        assert refused.value.code == NOT_ALLOWED_CODE


def test_allow_lists_in_apollo_manifests_and_hash_maps(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha256(DOC), "name": "T", "type": "query", "body": DOC}],
            }
        )
    )
    plain = tmp_path / "map.json"
    plain.write_text(json.dumps({sha256(DOC): DOC}))
    assert load_allowed(str(manifest)) == load_allowed(str(plain)) == {sha256(DOC): DOC}
    plain.write_text(json.dumps({"0" * 64: DOC}))
    with pytest.raises(InvalidInput, match="is not the SHA-256 of its document"):
        load_allowed(str(plain))


def test_a_persisted_document_is_parsed_and_validated_once() -> None:
    store = PersistedQueries(10)
    schema = build_schema(Settings(), store)
    context = SimpleNamespace(identity=LOCAL, response=None, feed=None, errors=[])
    try:
        store.resolve(DOC, apq(DOC))

        async def run() -> None:
            answer = await schema.execute(DOC, context_value=context, operation_extensions=apq(DOC))
            assert answer.errors is None and answer.data == {"__typename": "Query"}

        asyncio.run(run())
        kept = store.get(sha256(DOC))
        assert kept is not None and kept.document is not None and kept.validated
        parsed = kept.document
        asyncio.run(run())
        assert kept.document is parsed
    finally:
        schema.close()
