"""How the server's log lines look: plain text for a terminal, or one JSON object a line
(``TAGLINE_LOG_FORMAT=json``) for a log pipeline, each with the id of the request it was written
for (``request_id``, null for work no request caused: start-up, the index follower)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import orjson

from tagline.api.services import request_ids

TEXT = "%(levelname)s:     %(message)s"
# Attributes every LogRecord has: anything else on a record came from `extra=` and is kept (but
# uvicorn's copy of its message with terminal colours).
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id of the context that wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_ids.current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO-8601), level, logger, message, request_id, the
    record's extra fields, and the exception's text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """One handler on the root logger, in ``log_format`` (``text`` or ``json``), every record
    stamped with its request id; uvicorn's own loggers hand their lines to it."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
