"""Lineage lifetimes in the store: a job's definition replaces what it reported before for its
outputs, in event time, whatever order definitions arrive in; nothing is deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tagline.api.services.querylog import ingest_querylog
from tagline.governance.health_scan import scan_health
from tagline.governance.service import Governance
from tagline.graph import schema
from tagline.graph.model import ColumnEdge, DatasetAccess, DatasetRef, JobDefinition, JobRef, LineageBatch
from tagline.graph.store import GraphStore
from tagline.ingest.querylog import QueryLogOptions
from tests.conftest import col, derive

JOB = JobRef(namespace="default", name="job1")
REPORT = DatasetRef(namespace="ns", name="t.report")


def day(n: int) -> datetime:
    return datetime(2026, 1, n, tzinfo=UTC)


def definition(at: datetime, *sources: str, tables: bool = False) -> LineageBatch:
    """job1's whole lineage into t.report.c as of ``at``: from each of ``sources`` (``s.a.x``)."""
    edges: list[ColumnEdge] = []
    reads = []
    for source in sources:
        dataset, field = source.rsplit(".", 1)
        edges.append(derive(col(dataset, field), col("t.report", "c")).model_copy(update={"seen_at": at}))
        reads.append(DatasetAccess(job=JOB, dataset=DatasetRef(namespace="ns", name=dataset), at=at))
    return LineageBatch(
        edges=edges,
        reads=reads,
        writes=[DatasetAccess(job=JOB, dataset=REPORT, at=at)],
        definitions=[JobDefinition(job=JOB, outputs=[REPORT], at=at, tables=tables)],
    )


def upstream(store: GraphStore, as_of: datetime | None = None) -> list[str]:
    target = store.find([col("t.report", "c").key])[col("t.report", "c").key]
    expansion = store.lineage([target.id], "in", 1, as_of=as_of)
    return sorted(store.keys_of([e.out_id for e in expansion.edges.values()]))


def key(source: str) -> str:
    dataset, field = source.rsplit(".", 1)
    return col(dataset, field).key


def test_a_redefinition_closes_what_it_lacks_and_keeps_it_for_as_of(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    result = store.write(definition(day(5), "s.b.y"))
    assert upstream(store) == [key("s.b.y")]
    assert upstream(store, day(3)) == [key("s.a.x")]
    assert upstream(store, day(6)) == [key("s.b.y")]
    assert [(r.source, r.target, r.job, r.at) for r in result.retired] == [
        (key("s.a.x"), key("t.report.c"), JOB.key, "2026-01-05T00:00:00.000Z")
    ]
    # nothing deleted: the closed edge is still in the store
    assert store.counts()[schema.DERIVES] == 2


def test_a_late_older_definition_neither_closes_nor_reopens(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    store.write(definition(day(5), "s.b.y"))
    store.write(definition(day(3), "s.a.x", "s.c.z"))  # arrives last, happened before day 5
    assert upstream(store) == [key("s.b.y")]
    assert upstream(store, day(2)) == [key("s.a.x")]
    assert upstream(store, day(4)) == [key("s.a.x"), key("s.c.z")]


def test_a_closed_edge_reported_again_opens_a_new_span(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    store.write(definition(day(3), "s.b.y"))
    store.write(definition(day(5), "s.a.x"))
    assert upstream(store) == [key("s.a.x")]
    assert upstream(store, day(2)) == [key("s.a.x")]
    assert upstream(store, day(4)) == [key("s.b.y")]


def test_table_level_definitions_close_reads(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x", tables=True))
    store.write(definition(day(5), "s.b.y", tables=True))
    job = store.find([JOB.key])[JOB.key]
    read = sorted(store.keys_of(h.neighbour.id for h in store.hops([job.id], "out", [schema.READS])))
    assert read == [DatasetRef(namespace="ns", name="s.b").key]


def test_lineage_without_a_definition_only_accumulates(store: GraphStore) -> None:
    store.write(LineageBatch(edges=[derive(col("s.a", "x"), col("t.report", "c"))]))
    store.write(LineageBatch(edges=[derive(col("s.b", "y"), col("t.report", "c"))]))
    assert upstream(store) == [key("s.a.x"), key("s.b.y")]


def test_another_process_index_follows(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    other = GraphStore(store.location)
    try:
        assert upstream(other) == [key("s.a.x")]
        store.write(definition(day(5), "s.b.y"))
        assert upstream(other) == [key("s.b.y")]
        assert upstream(other, day(2)) == [key("s.a.x")]
    finally:
        other.close()


def test_a_query_log_with_two_runs_of_a_job_keeps_the_later(store: GraphStore, tmp_path: Path) -> None:
    log = tmp_path / "queries.jsonl"
    runs = [("s.a", "x", "2026-01-01T00:00:00Z"), ("s.b", "y", "2026-01-05T00:00:00Z")]
    log.write_text(
        "".join(
            json.dumps({"sql": f"INSERT INTO t.report SELECT {f} AS c FROM {t}", "job": "job1", "ts": ts}) + "\n"
            for t, f, ts in runs
        )
    )
    ingest_querylog(store, log, QueryLogOptions(dialect="hive", namespace="ns"))
    assert upstream(store) == [key("s.b.y")]
    assert upstream(store, day(2)) == [key("s.a.x")]


def test_a_retired_edge_withdraws_its_tags_with_an_audited_cause(store: GraphStore) -> None:
    governance = Governance(store)
    store.write(definition(day(1), "s.a.x"))
    governance.declare(col("s.a", "x"), "pii", actor="steward")
    assert "pii" in tags_on(store, "t.report", "c")
    governance.after_write(store.write(definition(day(5), "s.b.y")), actor="ingest:sql")
    assert "pii" not in tags_on(store, "t.report", "c")
    [withdrawn] = [
        e for e in store.audit({"column": col("t.report", "c").key}) if e["change"] == "REMOVED" and e["tag"] == "pii"
    ]
    assert "ns/s.a.x -> ns/t.report.c of job default/job1, closed at 2026-01-05" in withdrawn["cause"]
    full = Governance(store)
    full.propagate_full("check")
    assert "pii" not in tags_on(store, "t.report", "c")


def tags_on(store: GraphStore, dataset: str, field: str) -> str:
    return str(store.column_props([col(dataset, field).key])[col(dataset, field).key].get(schema.TAGS_EFFECTIVE, ""))


def test_retention_removes_what_ended_long_ago_and_keeps_the_rest(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    store.write(definition(day(3), "s.b.y"))
    store.write(definition(day(5), "s.a.x"))  # s.a.x: [1, 3) and [5, now); s.b.y: [3, 5)
    assert store.purge_closed(day(2)) == 0  # nothing ended before day 2
    assert store.purge_closed(day(4)) == 0  # s.a.x's first span goes, the edge stays
    assert upstream(store, day(2)) == []
    assert upstream(store) == [key("s.a.x")]
    assert upstream(store, day(4)) == [key("s.b.y")]
    assert store.purge_closed(day(6)) == 1  # s.b.y ended on day 5
    assert upstream(store, day(4)) == []
    assert store.counts()[schema.DERIVES] == 1


def test_health_reports_a_column_that_lost_its_last_producer(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    assert scan_health(store, day(9), 30).unfed_columns == []
    empty = definition(day(4))  # job1 now writes t.report without column lineage into c
    store.write(empty)
    [unfed] = scan_health(store, day(9), 30).unfed_columns
    assert (unfed.column.key, unfed.since) == (col("t.report", "c").key, "2026-01-04T00:00:00.000Z")


def test_an_index_loaded_from_a_snapshot_keeps_what_is_current(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    store.write(definition(day(5), "s.b.y"))
    store.save_snapshot()
    other = GraphStore(store.location)
    try:
        assert upstream(other) == [key("s.b.y")]
        assert upstream(other, day(2)) == [key("s.a.x")]
    finally:
        other.close()


def test_a_closed_edge_reported_outside_a_definition_reopens_from_when_it_was_seen(store: GraphStore) -> None:
    store.write(definition(day(1), "s.a.x"))
    store.write(definition(day(5), "s.b.y"))
    again = derive(col("s.a", "x"), col("t.report", "c")).model_copy(update={"seen_at": day(7)})
    store.write(LineageBatch(edges=[again]))
    assert upstream(store) == [key("s.a.x"), key("s.b.y")]
    assert upstream(store, day(6)) == [key("s.b.y")]
    earlier = derive(col("s.b", "y"), col("t.report", "c")).model_copy(update={"seen_at": day(2)})
    store.write(LineageBatch(edges=[earlier]))  # seen before it was made: changes no span
    assert upstream(store, day(3)) == [key("s.a.x")]
