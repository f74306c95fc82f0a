"""The store on both engines (a GremLite file, a real JanusGraph): idempotent writes, persistence, cycles, limits, dead letter."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.model import DatasetAccess, Failure, Job, JobRef, LineageBatch, RunState, column_key
from tagline.graph.reader import labelled_edges
from tagline.graph.store import GraphStore
from tests.conftest import col, derive


def chain_batch() -> LineageBatch:
    a, b, c = col("db.a", "x"), col("db.b", "y"), col("db.c", "z")
    job = JobRef(namespace="default", name="job1")
    return LineageBatch(
        edges=[derive(a, b), derive(b, c, subtype="TRANSFORMATION", masking=True)],
        reads=[DatasetAccess(job=job, dataset=a.dataset_ref)],
        writes=[DatasetAccess(job=job, dataset=b.dataset_ref)],
    )


def test_writing_twice_changes_no_counts(store: GraphStore) -> None:
    first = store.write(chain_batch())
    counts = store.counts()
    second = store.write(chain_batch())
    assert first.edges_created == 3 + 2 + 2  # has_column x3, derives x2, reads + writes
    assert second.vertices_created == 0 and second.edges_created == 0
    assert (
        store.counts()
        == counts
        == {
            "dataset": 3,
            "column": 3,
            "job": 1,
            "has_column": 3,
            "derives": 2,
            "reads": 1,
            "writes": 1,
        }
    )


def test_last_seen_moves_but_first_seen_stays(store: GraphStore) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    store.write(chain_batch(), at=t0)
    store.write(chain_batch(), at=t0 + timedelta(days=1))
    edges = labelled_edges(store.g, "derives", store.labels_indexed).element_map("first_seen", "last_seen").to_list()
    assert {e["first_seen"] for e in edges} == {"2026-01-01T00:00:00.000Z"}
    assert {e["last_seen"] for e in edges} == {"2026-01-02T00:00:00.000Z"}


def test_edges_keep_the_time_the_engine_ran_them_and_the_ingest_time_apart(store: GraphStore) -> None:
    edge = derive(col("db.a", "x"), col("db.b", "y"))
    ingested = datetime(2026, 6, 1, tzinfo=UTC)
    store.write(
        LineageBatch(edges=[edge.model_copy(update={"seen_at": datetime(2026, 3, 1, tzinfo=UTC)})]), at=ingested
    )
    # History replayed late: an older run moves first_seen back and leaves last_seen where it was.
    older = edge.model_copy(update={"seen_at": datetime(2026, 1, 1, tzinfo=UTC)})
    store.write(LineageBatch(edges=[older]), at=ingested + timedelta(days=1))
    (stored,) = labelled_edges(store.g, "derives", store.labels_indexed).element_map().to_list()
    assert stored["first_seen"] == "2026-01-01T00:00:00.000Z"
    assert stored["last_seen"] == "2026-03-01T00:00:00.000Z"
    assert stored["ingested_at"] == "2026-06-02T00:00:00.000Z"


def test_a_look_up_folds_the_names_but_not_the_namespace(store: GraphStore) -> None:
    account = "snowflake://ACME-XY12345"
    store.write(LineageBatch(edges=[derive(col("db.src", "id", account), col("db.dst", "id", account))]))
    found = store.find_folded(column_key(account, "DB.DST", "ID"))
    assert found is not None and found.key == column_key(account, "db.dst", "id")
    assert store.find_folded(column_key(account.lower(), "db.dst", "id")) is None


def test_data_survives_reopen(store_path: str) -> None:
    first = GraphStore(store_path)
    first.write(chain_batch())
    first.close()
    reopened = GraphStore(store_path)
    try:
        assert reopened.counts()["derives"] == 2
        assert reopened.write(chain_batch()).edges_created == 0
    finally:
        reopened.close()


def test_lineage_walk_terminates_on_cycles(store: GraphStore) -> None:
    a, b, c = col("db.a", "x"), col("db.b", "y"), col("db.c", "z")
    store.write(LineageBatch(edges=[derive(a, b), derive(b, c), derive(c, a)]))
    start = store.find([a.key])[a.key]
    walked = store.lineage([start.id], "out", depth=10)
    assert len(walked.edges) == 3
    assert {v.props["field"] for v in walked.vertices.values()} == {"x", "y", "z"}
    assert not walked.truncated


def test_lineage_walk_respects_depth_and_node_limit(store: GraphStore) -> None:
    root = col("db.src", "id")
    fan_out = [derive(root, col(f"db.t{i}", "id")) for i in range(10)]
    deeper = [derive(col("db.t0", "id"), col("db.deep", "id"))]
    store.write(LineageBatch(edges=fan_out + deeper))
    start = store.find([root.key])[root.key].id
    assert len(store.lineage([start], "out", depth=1).edges) == 10
    assert len(store.lineage([start], "out", depth=2).edges) == 11
    cut = store.lineage([start], "out", depth=2, max_nodes=4)
    assert cut.truncated and len(cut.vertices) == 4


def test_properties_merge_and_job_runs_only_move_forward(store: GraphStore) -> None:
    newer = datetime(2026, 3, 2, tzinfo=UTC)
    older = datetime(2026, 3, 1, tzinfo=UTC)
    job = {"namespace": "default", "name": "job1"}
    store.write(LineageBatch(jobs=[Job(**job, last_run_at=newer, last_run_state=RunState.COMPLETE)]))
    store.write(LineageBatch(jobs=[Job(**job, last_run_at=older, last_run_state=RunState.START, schedule="@daily")]))
    record = store.find([JobRef(**job).key])[JobRef(**job).key]
    assert record.props["last_run_state"] == "COMPLETE"
    assert record.props["last_run_at"] == "2026-03-02T00:00:00.000Z"
    assert record.props["schedule"] == "@daily"


def test_adhoc_expiry_is_cleared_when_a_job_confirms_the_edge(store: GraphStore) -> None:
    a, b = col("db.a", "x"), col("db.b", "y")
    soon = datetime(2030, 1, 1, tzinfo=UTC)
    store.write(LineageBatch(edges=[derive(a, b, job=None).model_copy(update={"expires_at": soon})]))
    assert labelled_edges(store.g, "derives", store.labels_indexed).values("expires_at").to_list() == [
        "2030-01-01T00:00:00.000Z"
    ]
    store.write(LineageBatch(edges=[derive(a, b, job=None)]))
    assert labelled_edges(store.g, "derives", store.labels_indexed).values("expires_at").to_list() == []


def test_failures_are_kept_once_and_a_failed_batch_writes_nothing(store: GraphStore) -> None:
    failure = Failure(source="x.sql", location="statement 2, line 4", reason="bad", payload="SELEC 1")
    batch = chain_batch()
    batch.failures.append(failure)
    store.write(batch)
    store.write(batch)
    kept = store.failures()
    assert len(kept) == 1 and kept[0].attempts == 1 and kept[0].failure == failure

    broken = LineageBatch(edges=[derive(col("db.q", "a"), col("db.r", "b"))])
    before = store.counts()
    with pytest.raises(RuntimeError, match="interrupted mid-batch"), store.connection.transaction() as g:
        changes = ChangeSet()
        store._writer.write(g, broken, datetime.now(UTC), changes)
        assert changes.entries, "the batch was written before the interruption"
        raise RuntimeError("interrupted mid-batch")
    assert store.counts() == before


def test_another_process_writing_is_seen_without_reopening(store: GraphStore) -> None:
    store.write(chain_batch())
    writer = (
        "import sys; from tagline.graph.store import GraphStore; from tests.conftest import col, derive;"
        "from tagline.graph.model import LineageBatch;"
        "s = GraphStore(sys.argv[1]); s.write(LineageBatch(edges=[derive(col('db.c','z'), col('db.d','w'))])); s.close()"
    )
    subprocess.run(
        [sys.executable, "-c", writer, store.location],
        check=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[2]),
    )
    start = store.find([col("db.a", "x").key])[col("db.a", "x").key].id
    walked = store.lineage([start], "out", depth=5)
    assert {v.props["dataset"] for v in walked.vertices.values()} == {"db.b", "db.c", "db.d"}
