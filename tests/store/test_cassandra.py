"""Tagline's store on JanusGraph Server with its graph in a real Apache Cassandra 5.0 (the setup of
`make janusgraph-cql`): lineage written through `GraphStore` is in Cassandra's keyspace `tagline`,
reads back both ways, and is still there after JanusGraph Server restarts. The rest of tests/store
runs on this server too (the `store` fixture's `janusgraph-cql` case)."""

from __future__ import annotations

import pytest

from tagline.graph.model import DatasetAccess, JobRef, LineageBatch
from tagline.graph.records import Direction
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.cassandra_node import CassandraNode
from tests.conftest import col, derive

pytestmark = pytest.mark.engine


def chain() -> LineageBatch:
    a, b, c, d = col("db.raw", "id"), col("db.stage", "id"), col("db.mart", "id"), col("db.mart", "id_hash")
    job = JobRef(namespace="default", name="load")
    return LineageBatch(
        edges=[
            derive(a, b, job="load"),
            derive(b, c, job="load"),
            derive(b, d, "DIRECT", "TRANSFORMATION", True, "load"),
        ],
        reads=[DatasetAccess(job=job, dataset=a.dataset_ref)],
        writes=[DatasetAccess(job=job, dataset=b.dataset_ref)],
    )


def walk(store: GraphStore, key: str, direction: Direction) -> set[tuple[str, str]]:
    """The (source field, target field) pairs of the column lineage from ``key``."""
    start = store.find([key])[key]
    found = store.lineage([start.id], direction, depth=5)
    met = {start.id: start, **found.vertices}  # the walk lists the vertices it reached, not its start
    fields = {v: r.props["dataset"] + "." + r.props["field"] for v, r in met.items()}
    return {(fields[e.out_id], fields[e.in_id]) for e in found.edges.values()}


def test_lineage_lives_in_cassandra_and_survives_a_server_restart(
    janusgraph_cql: janusgraph_server.JanusGraphServer, cassandra: CassandraNode
) -> None:
    janusgraph_server.clear(janusgraph_cql.url)
    downstream = {("db.raw.id", "db.stage.id"), ("db.stage.id", "db.mart.id"), ("db.stage.id", "db.mart.id_hash")}
    upstream = {("db.raw.id", "db.stage.id"), ("db.stage.id", "db.mart.id_hash")}
    store = GraphStore(janusgraph_cql.url)
    try:
        written = store.write(chain())
        assert written.vertices_created == 3 + 4 + 1  # datasets, columns, the job
        assert walk(store, col("db.raw", "id").key, "out") == downstream
        assert walk(store, col("db.mart", "id_hash").key, "in") == upstream
    finally:
        store.close()

    # The graph is Cassandra's: the keyspace's tables on its disk, no BerkeleyJE beside the server.
    keyspace = cassandra.data / "data" / "tagline"
    assert any(p.name.startswith("edgestore-") for p in keyspace.iterdir()), sorted(keyspace.iterdir())
    assert not (janusgraph_cql.data / "berkeleyje").exists()

    janusgraph_cql.stop()
    janusgraph_cql.restart()
    reopened = GraphStore(janusgraph_cql.url)
    try:
        assert reopened.counts()["derives"] == 3
        assert walk(reopened, col("db.raw", "id").key, "out") == downstream
        assert reopened.write(chain()).edges_created == 0
    finally:
        reopened.close()
