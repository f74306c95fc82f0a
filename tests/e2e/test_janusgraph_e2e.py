"""The demo warehouse on JanusGraph answers exactly as on GremLite, through `tagline serve`; and a
JanusGraph that goes away mid-flight is reported, then picked up again once it is back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests import janusgraph_server
from tests.e2e.conftest import Server, run_cli, start_server, stop_server

pytestmark = pytest.mark.engine

SHOP = "mysql://orders-db:3306"
WAREHOUSE = "hive://warehouse"
MARTS = "redshift://analytics.eu-west-1:5439"

LINEAGE = """
query ($ns: String!, $ds: String!, $f: String!) {
  column(namespace: $ns, dataset: $ds, field: $f) {
    namespace dataset field sensitivity
    upstream(depth: 5) {
      source { namespace dataset field } target { namespace dataset field }
      transformation { type subtype masking } job { namespace name }
    }
    downstream(depth: 5) {
      source { namespace dataset field } target { namespace dataset field }
      transformation { type subtype masking } job { namespace name }
    }
    tags {
      name origin masked
      sources {
        column { namespace dataset field }
        path { source { dataset field } target { dataset field } transformation { type subtype masking } job { name } }
      }
    }
  }
}
"""

COLUMNS = [
    (SHOP, "shop.customers", "email"),
    (WAREHOUSE, "dw.dim_customer", "email_sha256"),
    (MARTS, "marts.marketing_contacts", "email"),
]

SCHEDULING = """
{
  recommendDependencies(namespace: "airflow", name: "build_fact_orders", directOnly: false) {
    job { namespace name } datasets { namespace name } stale evidence { dataset { name } }
  }
  checkDependencies(namespace: "airflow", name: "build_fact_orders",
                    configured: [{namespace: "airflow", name: "sync_orders"}]) {
    missing { name } redundant { name } stale { name } cycles { name } unknown { name } ok
  }
}
"""

HEALTH = """
{
  health(days: 30) {
    orphans { dataset { namespace name } readers }
    zombies { dataset { name } writers }
    unused { dataset { name } readers downstreamEdges }
    unusedColumns { column { dataset field } }
    deprecationCandidates { dataset { name } }
  }
  impact(namespace: "mysql://orders-db:3306", dataset: "shop.customers", field: "email", depth: 5) {
    columns { depth column { namespace dataset field sensitivity } }
    datasets { depth dataset { namespace name } columns { field } }
    jobs { job { namespace name schedule } writes { name } reads { name } }
    sensitivity tags { name columns unmaskedColumns } truncated
  }
}
"""


def canonical(value: Any) -> Any:
    """The answer with every list sorted: the two engines hand out ids, and so orders, differently."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def answer(server: Server, query: str, variables: dict[str, object] | None = None) -> Any:
    body = server.graphql(query, variables)
    assert "errors" not in body, body
    return canonical(body["data"])


@pytest.fixture(scope="module")
def both(janusgraph_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    janusgraph_server.clear(janusgraph_url)
    gremlite = str(tmp_path_factory.mktemp("demo") / "graph.db")
    for store in (gremlite, janusgraph_url):
        run_cli("demo", "--store", store)
    servers = (start_server(gremlite), start_server(janusgraph_url))
    yield servers
    for server in servers:
        stop_server(server)


@pytest.mark.parametrize("column", COLUMNS, ids=lambda c: f"{c[1]}.{c[2]}")
def test_lineage_and_tag_provenance_are_the_same(both: tuple[Server, Server], column: tuple[str, str, str]) -> None:
    ns, ds, f = column
    on_gremlite, on_janusgraph = (answer(s, LINEAGE, {"ns": ns, "ds": ds, "f": f}) for s in both)
    assert on_gremlite["column"] is not None
    assert on_janusgraph == on_gremlite


def test_dependency_recommendations_are_the_same(both: tuple[Server, Server]) -> None:
    on_gremlite, on_janusgraph = (answer(s, SCHEDULING) for s in both)
    assert on_gremlite["recommendDependencies"]
    assert on_janusgraph == on_gremlite


def test_health_and_impact_are_the_same(both: tuple[Server, Server]) -> None:
    on_gremlite, on_janusgraph = (answer(s, HEALTH) for s in both)
    assert on_gremlite["impact"]["columns"]
    assert on_janusgraph == on_gremlite


def test_janusgraph_going_away_is_reported_and_recovered_from(
    both: tuple[Server, Server], janusgraph: janusgraph_server.JanusGraphServer
) -> None:
    served = both[1]
    assert httpx.get(f"{served.url}/readyz", timeout=10).status_code == 200
    janusgraph.stop()
    try:
        down = httpx.get(f"{served.url}/readyz", timeout=60)
        assert down.status_code == 503
        assert down.json()["status"] == "unavailable" and down.json()["error"]
        # Liveness never touches the store: the process is alive, and lineage is still answered
        # from its index.
        assert httpx.get(f"{served.url}/healthz", timeout=10).status_code == 200
        failed = run_cli("demo", "--store", janusgraph.url, check=False)
        assert failed.returncode == 2 and "cannot reach the Gremlin Server" in failed.stderr
    finally:
        janusgraph.restart()
    # Each pooled connection may fail once more (the one request it had when the server went).
    deadline = time.monotonic() + 180  # only catches a server that never recovers
    while (up := httpx.get(f"{served.url}/readyz", timeout=60)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert up.status_code == 200, up.text
    assert answer(served, SCHEDULING)["recommendDependencies"]
