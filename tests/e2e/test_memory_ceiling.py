"""The attacks that once took the server down, against `tagline serve` in a process of its own
under an address-space limit, on a store dense enough for them to matter: each is answered within
its budgets or refused, the process lives on, and /healthz answers every poll throughout.

The limit is the operating system's (``RLIMIT_AS``, set in the child before it runs): a server
that let an answer grow with what a document asks for meets it as a crash, not as a slow test
(measured with the budgets lifted: about 1.5 GiB mapped two seconds into the walk, then SIGSEGV;
the control test below). Answers are read after the polling stops: decoding tens of megabytes of JSON
holds this process's interpreter, and the polls would time that, not the server."""

from __future__ import annotations

import json
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.e2e.conftest import Server, start_server_process, stop_server
from tests.e2e.test_hostile_http import WALK, Liveness, dense_store, error_codes, graphql
from tests.unit.test_graphql_cost import deep_introspection

CEILING = 2 * 1024**3
"""The server's address space, in bytes. Idle on the dense store it maps about 440 MiB of it
(`VmSize` in /proc/<pid>/status); the rest is the room the attacks may use."""

WALKS = {
    "float-variable": ("query($d: Int) { " + WALK.replace("D", "$d") + " }", {"d": 5.0}),
    "variable-default": ("query($d: Int = 5) { " + WALK.replace("D", "$d") + " }", {}),
}
ALIASED_SEARCH = (
    "{ "
    + " ".join(f'h{i}: search(query: "c", first: 500) {{ edges {{ node {{ name field }} }} }}' for i in range(30))
    + " }"
)


def ceiling() -> None:
    """Run in the server's process before it starts: its address space may not grow past CEILING."""
    resource.setrlimit(resource.RLIMIT_AS, (CEILING, CEILING))


@dataclass
class Capped:
    server: Server
    priced: bool  # whether the cost budget is the one shipped (else only the answer budget bounds)


@pytest.fixture(
    scope="module",
    # Rendering tens of megabytes of lineage per attack, the second server's rounds are long runs.
    params=[
        pytest.param(True, id="default-limits"),
        pytest.param(False, id="answer-budget-only", marks=pytest.mark.thorough),
    ],
)
def capped(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Capped]:
    """The dense store served under the ceiling: with the limits as shipped, and with a cost budget
    so large that only the (default) answer budget stands between a walk and the ceiling."""
    store = dense_store(str(tmp_path_factory.mktemp("capped") / "graph.db"))
    env = {} if request.param else {"TAGLINE_MAX_QUERY_COST": str(10**12)}
    running = start_server_process(store, env, preexec_fn=ceiling)
    yield Capped(running, priced=request.param)
    stop_server(running)


def survived(server: Server) -> None:
    assert server.process is not None and server.process.poll() is None, server.output()[-2000:]
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


def answered_or_refused(capped: Capped, response: httpx.Response) -> None:
    """Under the shipped limits the walk is refused by its price before it runs (COST_LIMIT);
    with only the answer budget in its way it is answered cut to that budget (ANSWER_LIMIT, the
    data that fit), or, on a machine too busy to render that much in time, stopped by its time
    budget (503 TIMEOUT). Bounded every way, never a server error or a dropped connection."""
    codes = error_codes(response)
    if capped.priced:
        assert (response.status_code, codes) == (200, ["COST_LIMIT"]), response.text[:300]
        assert response.json()["data"] is None
    elif codes == ["TIMEOUT"]:
        assert response.status_code == 503, response.text[:300]
    else:
        assert (response.status_code, codes) == (200, ["ANSWER_LIMIT"]), response.text[:300]
        assert response.json()["data"]["column"]["downstream"], "the answer keeps what fits"
        assert len(response.content) <= 2 * 64 * 1024 * 1024  # TAGLINE_MAX_ANSWER_BYTES, as shipped


@pytest.mark.parametrize("how", ["float-variable", "variable-default"])
def test_the_nested_walk_posted_is_bounded_under_the_ceiling(capped: Capped, how: str) -> None:
    document, variables = WALKS[how]
    with Liveness(capped.server):
        response = graphql(capped.server, document, variables, timeout=120)
    answered_or_refused(capped, response)
    survived(capped.server)


def test_the_nested_walk_as_a_plain_get_is_bounded_under_the_ceiling(capped: Capped) -> None:
    """A GET a page could make cross-origin with no preflight: the same walk, the same bounds."""
    document, variables = WALKS["float-variable"]
    url = f"{capped.server.url}/graphql?" + urlencode({"query": document, "variables": json.dumps(variables)})
    with Liveness(capped.server):
        response = httpx.get(url, timeout=120)
    answered_or_refused(capped, response)
    survived(capped.server)


def test_thirty_aliases_of_a_deep_schema_are_priced_under_the_ceiling(capped: Capped) -> None:
    """Refused by its price as shipped; with the cost budget lifted, answered whole (the schema is
    finite: the fan-out is the document's, not the graph's)."""
    with Liveness(capped.server):
        response = graphql(capped.server, deep_introspection(30), timeout=60)
    if capped.priced:
        assert error_codes(response) == ["COST_LIMIT"], response.text[:300]
    else:
        body = response.json()
        assert "errors" not in body and len(body["data"]) == 30, response.text[:300]
    survived(capped.server)


def test_thirty_aliases_of_a_search_page_of_500_are_bounded_under_the_ceiling(capped: Capped) -> None:
    with Liveness(capped.server):
        response = graphql(capped.server, ALIASED_SEARCH, timeout=60)
    body: dict[str, Any] = response.json()
    if response.status_code == 200 and "errors" not in body:
        assert len(body["data"]) == 30
        assert all(0 < len(hits["edges"]) <= 500 for hits in body["data"].values())
    else:
        assert error_codes(response) in (["COST_LIMIT"], ["ANSWER_LIMIT"]), response.text[:300]
    survived(capped.server)


def test_the_ceiling_is_in_force_in_the_server(capped: Capped) -> None:
    """What the attacks above ran against: the server process itself holds the limit."""
    assert capped.server.process is not None
    limits = Path(f"/proc/{capped.server.process.pid}/limits").read_text()
    (line,) = [line for line in limits.splitlines() if line.startswith("Max address space")]
    assert line.split()[3:5] == [str(CEILING), str(CEILING)], line


@pytest.mark.thorough
def test_without_its_budgets_the_walk_meets_the_ceiling(tmp_path: Path) -> None:
    """The control: the store is dense enough for the walk to matter. With the cost and answer
    budgets lifted, the same server under the same ceiling does not survive it, so the tests above
    pass because of the budgets, not because the store is small."""
    lifted = {
        "TAGLINE_MAX_QUERY_COST": str(10**12),
        "TAGLINE_MAX_ANSWER_OBJECTS": str(10**12),
        "TAGLINE_MAX_ANSWER_BYTES": str(10**12),
        "TAGLINE_REQUEST_TIMEOUT_SECONDS": "120",
    }
    unbounded = start_server_process(dense_store(str(tmp_path / "graph.db")), lifted, preexec_fn=ceiling)
    assert unbounded.process is not None
    document, variables = WALKS["float-variable"]
    try:
        with pytest.raises(httpx.TransportError):
            graphql(unbounded, document, variables, timeout=150)
        assert unbounded.process.wait(timeout=30) != 0
    finally:
        stop_server(unbounded)
