"""One error tree, mapped once per transport: HTTP status, GraphQL code, CLI exit status."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tagline.api.http.errors import server_error, status_of
from tagline.errors import Conflict, InvalidInput, NotFound, TaglineError, Unavailable
from tagline.governance.impact import NotFound as ImpactNotFound
from tagline.governance.scheduling import UnknownJob
from tagline.governance.service import GovernanceError
from tagline.graph.connection import StoreError
from tagline.graph.deadline import OutOfTime
from tagline.graph.model import JobRef
from tagline.graph.store import is_unavailable
from tagline.ingest.openlineage_events import EventError


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("x"), 404, "NOT_FOUND"),
        (UnknownJob(JobRef(namespace="n", name="j")), 404, "NOT_FOUND"),
        (ImpactNotFound("x"), 404, "NOT_FOUND"),
        (InvalidInput("x"), 422, "INVALID_INPUT"),
        (GovernanceError("x"), 422, "INVALID_INPUT"),
        (EventError([("eventTime", "bad")]), 422, "INVALID_INPUT"),
        (Conflict("x"), 409, "CONFLICT"),
        (Unavailable("x"), 503, "UNAVAILABLE"),
        (StoreError("x"), 503, "UNAVAILABLE"),
        (OutOfTime("x"), 503, "UNAVAILABLE"),
        (TaglineError("x"), 400, "ERROR"),
    ],
)
def test_each_kind_has_one_status_and_one_code(error: TaglineError, status: int, code: str) -> None:
    assert status_of(error) == status
    assert error.code == code


def test_invalid_input_is_still_a_value_error_and_not_found_a_lookup_error() -> None:
    assert isinstance(InvalidInput("x"), ValueError)
    assert isinstance(NotFound("x"), LookupError)


def test_a_bug_is_a_500_with_an_error_id_logged_with_its_stack(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(request: Request) -> Response:
        raise KeyError("a bug")

    app = Starlette(routes=[Route("/api/v1/x", broken)], exception_handlers={500: server_error})
    with caplog.at_level(logging.ERROR, "tagline.api"):
        response = TestClient(app, raise_server_exceptions=False).get("/api/v1/x")
    error_id = response.headers["x-tagline-error-id"]
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "INTERNAL" and error_id in body["detail"] and "a bug" not in body["detail"]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None and isinstance(logged[0].exc_info[1], KeyError)


@pytest.mark.parametrize(
    ("failure", "retry_may_work"),
    [
        (StoreError("down"), True),
        (OutOfTime("late"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (KeyError("a bug"), False),
        (InvalidInput("bad"), False),
    ],
)
def test_only_store_failures_a_retry_may_get_past_are_unavailable(failure: Exception, retry_may_work: bool) -> None:
    assert is_unavailable(failure) is retry_may_work
