"""The id of the request a piece of work serves, carried in a context variable.

Set once per HTTP request (api/http/request_id.py) from the client's ``X-Request-Id`` or made
here, it follows the work wherever the request sends it: GraphQL's worker threads, the store
thread and the index readers all run the request's work in a copy of its context
(api/gql/off_loop.py, api/services/store_thread.py), so a log line written there carries the id of
the request that caused it (api/services/log_format.py).
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-Id"
# What is taken from a client: short, printable, no spaces or quotes that would break a log line.
ACCEPTED = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")

current: ContextVar[str | None] = ContextVar("tagline_request_id", default=None)


def request_id_of(sent: str | None) -> str:
    """The client's id when it is a sensible one, else a new one."""
    if sent is not None and ACCEPTED.fullmatch(sent):
        return sent
    return uuid.uuid4().hex
