"""Fixtures shared by every test folder: temporary stores and small lineage builders.

The `store` fixture runs each test on every engine: the embedded GremLite file, a real JanusGraph
Server on BerkeleyJE (tests/janusgraph_server.py), and a real JanusGraph Server on a real Cassandra
(tests/cassandra_node.py), each server started once per session from deploy/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tagline.graph.model import ColumnEdge, ColumnRef, JobRef, LineageType, Subtype, Transformation
from tagline.graph.store import GraphStore
from tests import cassandra_node, janusgraph_server
from tests.engines import need, stop_on_sigterm

# What each external engine's tests are recognised by: a fixture they use, a `store` parameter, or
# their module's name; what `make test` announces it will start before it starts anything.
ENGINES = {
    "JanusGraph (BerkeleyJE)": ({"janusgraph", "janusgraph_url"}, "janusgraph", ()),
    "Cassandra with JanusGraph on it": ({"cassandra", "janusgraph_cql", "janusgraph_cql_url"}, "janusgraph-cql", ()),
    "Kafka": (set(), None, ("kafka",)),
    "Spark with the OpenLineage listener": (set(), None, ("spark",)),
    "dbt with dbt-ol": (set(), None, ("dbt_ol",)),
    "Chromium": (set(), None, ("browser",)),
}


def pytest_configure(config: pytest.Config) -> None:
    stop_on_sigterm()


def _engines_of(item: pytest.Item) -> set[str]:
    fixtures = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    store_param = callspec.params.get("store_location") if callspec is not None else None
    module = item.path.stem
    return {
        name
        for name, (names, param, words) in ENGINES.items()
        if fixtures & names or (param is not None and store_param == param) or any(w in module for w in words)
    }


def pytest_collection_finish(session: pytest.Session) -> None:
    """Say up front which engines this run will start, and about how long it takes with them."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller reports
        return
    engines = set().union(*(_engines_of(item) for item in session.items)) if session.items else set()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if not engines or reporter is None:
        return
    reporter.write_line(
        "engines this run starts (once each, stopped at the end, on Ctrl-C or on SIGTERM): "
        + ", ".join(sorted(engines))
    )
    reporter.write_line(
        "with them the whole suite takes about 8-12 minutes on 2 cores, longer on the first run while "
        "Maven resolves them into ~/.m2; `make check` leaves them out and takes about a minute"
    )


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    return str(tmp_path / "graph.db")


@pytest.fixture(scope="session")
def janusgraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[janusgraph_server.JanusGraphServer]:
    """A JanusGraph Server for this session; skipped without Java 17 and Maven, unless
    TAGLINE_REQUIRE_JANUSGRAPH=1 makes that a failure."""
    need(janusgraph_server.available(), janusgraph_server.REQUIRE_ENV, janusgraph_server.MISSING)
    server = janusgraph_server.start(tmp_path_factory.mktemp("janusgraph"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def janusgraph_url(janusgraph: janusgraph_server.JanusGraphServer) -> str:
    return janusgraph.url


@pytest.fixture(scope="session")
def cassandra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[cassandra_node.CassandraNode]:
    """A one-node Cassandra for this session; skipped without Java 17 and Maven, unless
    TAGLINE_REQUIRE_CASSANDRA=1 makes that a failure."""
    need(cassandra_node.available(), cassandra_node.REQUIRE_ENV, cassandra_node.MISSING)
    node = cassandra_node.start(tmp_path_factory.mktemp("cassandra"))
    yield node
    node.stop()


@pytest.fixture(scope="session")
def janusgraph_cql(
    cassandra: cassandra_node.CassandraNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[janusgraph_server.JanusGraphServer]:
    """A JanusGraph Server for this session with its graph in the session's Cassandra."""
    server = janusgraph_server.start(tmp_path_factory.mktemp("janusgraph-cql"), cql_port=cassandra.port)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def janusgraph_cql_url(janusgraph_cql: janusgraph_server.JanusGraphServer) -> str:
    return janusgraph_cql.url


@pytest.fixture(
    params=[
        "gremlite",
        pytest.param("janusgraph", marks=pytest.mark.engine),
        pytest.param("janusgraph-cql", marks=pytest.mark.engine),
    ]
)
def store_location(request: pytest.FixtureRequest, store_path: str) -> str:
    """Where the `store` fixture's graph lives: a GremLite file, or an emptied JanusGraph (on
    BerkeleyJE, or on Cassandra)."""
    if request.param == "gremlite":
        return store_path
    url_fixture = "janusgraph_url" if request.param == "janusgraph" else "janusgraph_cql_url"
    url = str(request.getfixturevalue(url_fixture))
    janusgraph_server.clear(url)
    return url


@pytest.fixture
def store(store_location: str) -> Iterator[GraphStore]:
    graph = GraphStore(store_location)
    yield graph
    graph.close()


def col(dataset: str, field: str, namespace: str = "ns") -> ColumnRef:
    return ColumnRef(namespace=namespace, dataset=dataset, field=field)


def derive(
    source: ColumnRef,
    target: ColumnRef,
    type_: str = "DIRECT",
    subtype: str = "IDENTITY",
    masking: bool = False,
    job: str | None = "job1",
) -> ColumnEdge:
    return ColumnEdge(
        source=source,
        target=target,
        transformation=Transformation(type=LineageType(type_), subtype=Subtype(subtype), masking=masking),
        job=JobRef(namespace="default", name=job) if job else None,
    )
