"""What every Marquez route shares: its errors, its paging, and how a path finds its handler.

Paging as Marquez pages: ``limit`` and ``offset`` in, ``totalCount`` out. Errors as Marquez
answers them, ``{"code": 404, "message": ...}`` (the fields marquez-java and marquez-python read),
in a problem document (``api/problems.py``) whose ``type`` carries Tagline's code. Namespace,
dataset, job, field, source and tag names in paths are URL-encoded (``hive%3A%2F%2Fwarehouse``);
paths are split on the raw path, so an encoded ``/`` stays inside its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse

from tagline.api.http.errors import status_of
from tagline.api.http.marquez.history import Snapshot
from tagline.api.problems import PROBLEM_JSON, problem_body
from tagline.api.services.node_ids import BadNodeId, NodeId, parse_node_id
from tagline.api.settings import Settings
from tagline.errors import InvalidInput, NotFound, TaglineError
from tagline.governance.policy import Policy
from tagline.graph.records import VertexRecord
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import parse_iso

PREFIX = "/api/v1"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
# Tagline's codes of the statuses these routes answer themselves.
CODES = {400: InvalidInput.code, 404: NotFound.code, 405: "METHOD_NOT_ALLOWED"}


class Problem(Exception):
    """An answer other than 200, in Marquez's error shape: a problem document whose ``code`` is
    the status, as Marquez's clients read it, with ``message`` beside ``detail``."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "ERROR")

    @classmethod
    def of(cls, error: TaglineError) -> Problem:
        """A query parameter the store refused is a 400, as Marquez answers bad parameters."""
        return cls(400 if isinstance(error, InvalidInput) else status_of(error), str(error), error.code)

    def response(self) -> JSONResponse:
        body = {**problem_body(self.status, self.code, self.message), "code": self.status, "message": self.message}
        return JSONResponse(body, self.status, media_type=PROBLEM_JSON)


@dataclass(frozen=True)
class Call:
    """One request to a Marquez route, as its handler sees it (on the store's thread, unless the
    route answers from the index alone)."""

    store: GraphStore
    params: Mapping[str, str]
    path: dict[str, str]
    body: dict[str, Any]
    actor: str
    settings: Settings
    policy: Policy
    read_history: Callable[[], Snapshot]

    @cached_property
    def history(self) -> Snapshot:
        """The log as of this request's first look at it (read once per request)."""
        return self.read_history()


@dataclass(frozen=True)
class Handler:
    """One route: its method, its path after ``/api/v1/`` (``{name}`` parts are names), the
    permission it needs and what answers it. ``on_loop`` answers from the lineage index alone, on
    the event loop; ``writes`` answers the change-log position a later read may wait for."""

    method: str
    pattern: str
    permission: str
    answer: Callable[[Call], Any]
    on_loop: bool = False
    writes: bool = False
    status: int = 200

    def match(self, parts: list[str]) -> dict[str, str] | None:
        wanted = self.pattern.split("/")
        if wanted[-1].endswith(":path}") and len(parts) >= len(wanted):
            # The rest of the path, slashes and all (a name a client put in a path unencoded).
            parts = [*parts[: len(wanted) - 1], "/".join(parts[len(wanted) - 1 :])]
            wanted = [*wanted[:-1], wanted[-1].removesuffix(":path}") + "}"]
        if len(wanted) != len(parts) or any(not p for p in parts):
            return None
        found = {}
        for want, part in zip(wanted, parts, strict=True):
            if want.startswith("{"):
                found[want[1:-1]] = part
            elif want != part:
                return None
        return found


def number(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    if not text.lstrip("-").isdigit() or not low <= int(text) <= high:
        raise Problem(400, f"{name} must be a whole number from {low} to {high} (got {text!r})")
    return int(text)


def flag(params: Mapping[str, str], name: str) -> bool:
    text = params.get(name, "false").lower()
    if text not in ("true", "false"):
        raise Problem(400, f"{name} must be true or false (got {params[name]!r})")
    return text == "true"


def moment(params: Mapping[str, str], name: str) -> datetime | None:
    """A date-time parameter (``2022-09-15T07:47:19Z``; a bare date is its midnight, UTC)."""
    text = params.get(name)
    if not text:
        return None
    try:
        found = parse_iso(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise Problem(400, f"{name} must be an ISO-8601 date-time such as 2022-09-15T07:47:19Z (got {text!r})") from exc
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def paged(items: list[Any], params: Mapping[str, str]) -> tuple[list[Any], int]:
    limit = number(params, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = number(params, "offset", 0, 0, 2**31)
    return items[offset : offset + limit], len(items)


def find(store: GraphStore, key: str, what: str) -> VertexRecord:
    record = store.find([key]).get(key)
    if record is None:
        raise Problem(404, f"{what} not found")
    return record


def node(store: GraphStore, params: Mapping[str, str]) -> tuple[NodeId, VertexRecord]:
    value = params.get("nodeId", "")
    if not value:
        raise Problem(400, "query parameter nodeId is required, e.g. nodeId=dataset:<namespace>:<name>")
    try:
        parsed = parse_node_id(value, lambda key: bool(store.find([key])))
    except BadNodeId as exc:
        raise Problem(400, str(exc)) from exc
    return parsed, find(store, parsed.key, f"node {value!r}")


def body_of(raw: Any, what: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Problem(400, f"the body of {what} must be a JSON object")
    return raw


def text_field(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise Problem(400, f"{name} must be a string (got {type(value).__name__})")
    return value


def raw_parts(request: Request) -> list[str]:
    """The path after ``/api/v1/``, split on ``/`` before decoding, so ``%2F`` stays in a name."""
    raw = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?")[0]
    return [unquote(p) for p in raw[len(PREFIX) + 1 :].split("/")]
