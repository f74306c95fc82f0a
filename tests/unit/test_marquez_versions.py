"""Versions of datasets and jobs drawn from logged events: a new version for a new schema, new
column lineage or a new definition, none for a repeat or for a new emitter version, and stable ids."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tagline.api.http.marquez.history import Said, Snapshot
from tagline.api.http.marquez.versions import job_versions, said_versions, version_at_run


def said(n: int, run: str, sql: str, fields: list[str], producer: str = "p/1", applied: bool = True) -> Said:
    at = datetime(2026, 11, 30, n, tzinfo=UTC)
    out = {
        "namespace": "s3://lake",
        "name": "t",
        "facets": {"schema": {"_producer": producer, "fields": [{"name": f, "type": "int"} for f in fields]}},
    }
    raw: dict[str, Any] = {
        "eventType": "COMPLETE",
        "eventTime": at.isoformat(),
        "run": {"runId": run},
        "job": {"namespace": "ns", "name": "j", "facets": {"sql": {"_producer": producer, "query": sql}}},
        "inputs": [{"namespace": "s3://lake", "name": "src"}],
        "outputs": [out],
    }
    return Said(f"e{n}", at, raw, applied)


def test_a_new_schema_is_a_new_dataset_version_and_a_repeat_is_not() -> None:
    events = [
        said(1, "r1", "q1", ["a"]),
        said(2, "r2", "q1", ["a"]),
        said(3, "r3", "q1", ["a", "b"]),
        said(4, "r4", "q1", ["a", "b"], producer="p/2"),
    ]
    snapshot = Snapshot(events, [])
    versions = said_versions(snapshot.by_dataset[("s3://lake", "t")], "s3://lake", "t")
    assert [(v.run_id, [f["name"] for f in v.fields]) for v in versions] == [("r1", ["a"]), ("r3", ["a", "b"])]
    assert versions[0].at == "2026-11-30T01:00:00.000Z"
    again = said_versions(Snapshot(events, []).by_dataset[("s3://lake", "t")], "s3://lake", "t")
    assert [v.version for v in again] == [v.version for v in versions]


def test_events_that_failed_bring_no_dataset_version() -> None:
    snapshot = Snapshot([said(1, "r1", "q1", ["a"], applied=False)], [])
    assert ("s3://lake", "t") not in snapshot.by_dataset


def test_a_new_definition_is_a_new_job_version_with_its_runs() -> None:
    events = [
        said(1, "r1", "q1", ["a"]),
        said(2, "r2", "q1", ["a"], producer="p/2"),  # a new emitter, the same definition
        said(3, "r3", "q2", ["a"]),
    ]
    versions = job_versions(Snapshot(events, []), "ns", "j")
    assert [v.run_ids for v in versions] == [["r1", "r2"], ["r3"]]
    assert versions[1].facets["sql"]["query"] == "q2"
    assert versions[0].inputs == [{"namespace": "s3://lake", "name": "src"}]
    assert version_at_run(versions, "r2") == versions[0] and version_at_run(versions, "r9") is None
