"""The document limits checked in validation: depth counts introspection like any selection, and
the rules are made once per schema so that validation is cached across requests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import strawberry
from strawberry.extensions.validation_cache import _get_validate_cache
from strawberry.types import ExecutionResult

from tagline.api.gql.context import Context
from tagline.api.gql.schema import build_schema
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=str(tmp_path / "graph.db"), max_query_depth=6)


@pytest.fixture
def thread(settings: Settings) -> Iterator[StoreThread]:
    running = StoreThread(settings.store)
    yield running
    running.close()


def ask(schema: strawberry.Schema, thread: StoreThread, settings: Settings, document: str) -> ExecutionResult:
    return asyncio.run(schema.execute(document, context_value=Context(thread=thread, settings=settings)))


def test_the_same_document_is_validated_once(thread: StoreThread, settings: Settings) -> None:
    schema = build_schema(settings)
    cache = _get_validate_cache(256)
    document = '{ column(namespace: "validated-once", dataset: "d", field: "f") { field } }'
    ask(schema, thread, settings, document)
    before = cache.cache_info()
    again = ask(schema, thread, settings, document)
    after = cache.cache_info()
    assert again.errors is None
    assert (after.hits, after.misses) == (before.hits + 1, before.misses)


def test_introspection_is_depth_limited_like_any_field(thread: StoreThread, settings: Settings) -> None:
    schema = build_schema(settings)
    deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }"
    refused = ask(schema, thread, settings, deep)
    assert refused.errors and "maximum operation depth of 6" in refused.errors[0].message
    shallow = ask(schema, thread, settings, "{ __schema { types { fields { type { name } } } } }")
    assert shallow.errors is None


def test_an_introspection_answer_is_computed_once_per_document(thread: StoreThread, settings: Settings) -> None:
    schema = build_schema(settings)
    document = "{ __schema { queryType { name } types { name } } }"
    first = ask(schema, thread, settings, document)
    second = ask(schema, thread, settings, document)
    assert first.errors is None and second.data == first.data
    assert second.data is first.data  # the very answer computed the first time
