"""One error tree, mapped once per transport: HTTP status, GraphQL code, CLI exit status."""

from __future__ import annotations

import pytest

from tagline.api.http.errors import status_of
from tagline.errors import Conflict, InvalidInput, NotFound, TaglineError, Unavailable
from tagline.governance.impact import NotFound as ImpactNotFound
from tagline.governance.scheduling import UnknownJob
from tagline.governance.service import GovernanceError
from tagline.graph.connection import StoreError
from tagline.graph.deadline import OutOfTime
from tagline.graph.model import JobRef
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
