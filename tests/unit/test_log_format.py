"""A JSON log line: the record's fields, its `extra=` fields, the request id of the context that
wrote it (null outside a request), and never uvicorn's coloured copy of the message."""

from __future__ import annotations

import contextvars
import json
import logging

from tagline.api.services import request_ids
from tagline.api.services.log_format import JsonFormatter, RequestIdFilter


def line(record: logging.LogRecord) -> dict[str, object]:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))  # type: ignore[no-any-return]


def record(**extra: object) -> logging.LogRecord:
    made = logging.LogRecord("tagline.events", logging.INFO, __file__, 1, "event %s applied", ("e1",), None)
    made.__dict__.update(extra)
    return made


def test_a_line_in_a_request_carries_its_id_and_the_records_extra_fields() -> None:
    def in_request() -> dict[str, object]:
        request_ids.current.set("req-1")
        return line(record(job="nightly", color_message="\x1b[32mevent\x1b[0m"))

    found = contextvars.copy_context().run(in_request)
    assert found["message"] == "event e1 applied" and found["logger"] == "tagline.events"
    assert (found["request_id"], found["job"], found["level"]) == ("req-1", "nightly", "INFO")
    assert "color_message" not in found and str(found["time"]).endswith("+00:00")


def test_a_line_outside_a_request_has_a_null_id() -> None:
    assert line(record())["request_id"] is None


def test_a_client_id_is_kept_only_when_it_is_short_and_plain() -> None:
    assert request_ids.request_id_of("emitter-42") == "emitter-42"
    for bad in (None, "", "a b", "x" * 129, 'q"uote'):
        assert request_ids.request_id_of(bad) != bad
