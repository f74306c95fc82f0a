"""Fixtures shared by every test folder: temporary stores and small lineage builders.

The `store` fixture runs each test on both engines: the embedded GremLite file and a real
JanusGraph Server (tests/janusgraph_server.py), started once per session from deploy/janusgraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tagline.graph.model import ColumnEdge, ColumnRef, JobRef, LineageType, Subtype, Transformation
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.engines import need


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


@pytest.fixture(params=["gremlite", pytest.param("janusgraph", marks=pytest.mark.engine)])
def store_location(request: pytest.FixtureRequest, store_path: str) -> str:
    """Where the `store` fixture's graph lives: a GremLite file, or an emptied JanusGraph."""
    if request.param == "gremlite":
        return store_path
    url = str(request.getfixturevalue("janusgraph_url"))
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
