"""Which intakes say "this is the job's whole lineage into these outputs, as of this time"."""

from __future__ import annotations

from datetime import UTC, datetime

from tagline.graph.model import DatasetRef, JobRef
from tagline.ingest.definitions import defined_by
from tagline.ingest.openlineage import event_batch
from tagline.ingest.openlineage_events import parse_event
from tagline.ingest.querylog import LoggedQuery, QueryLogEntry, QueryLogOptions, query_batch
from tagline.ingest.sql.extract import extract_sql

JOB = JobRef(namespace="default", name="report")
AT = datetime(2026, 3, 1, tzinfo=UTC)


def ol(state: str, facet: bool, inputs: bool = True) -> dict:
    lineage = {"c": {"inputFields": [{"namespace": "hive://d", "name": "s.b", "field": "y"}]}}
    output: dict = {"namespace": "hive://d", "name": "t.report"}
    if facet:
        output["facets"] = {"columnLineage": {"fields": lineage}}
    return {
        "eventType": state,
        "eventTime": "2026-03-01T00:00:00Z",
        "producer": "https://example.com/producer",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": "0190f3a2-0000-7000-8000-0000000000aa"},
        "job": {"namespace": "airflow", "name": "report"},
        "inputs": [{"namespace": "hive://d", "name": "s.b"}] if inputs else [],
        "outputs": [output],
    }


def test_a_column_lineage_facet_defines_its_output_and_complete_the_tables() -> None:
    complete = event_batch(parse_event(ol("COMPLETE", facet=True)))
    [definition] = complete.definitions
    assert definition.outputs == [DatasetRef(namespace="hive://d", name="t.report")]
    assert definition.tables and definition.at == AT
    running = event_batch(parse_event(ol("RUNNING", facet=True)))
    assert [d.tables for d in running.definitions] == [False]


def test_events_without_the_facet_close_nothing_but_complete_replaces_tables() -> None:
    assert event_batch(parse_event(ol("START", facet=False))).definitions == []
    assert event_batch(parse_event(ol("FAIL", facet=True))).definitions == []
    [tables] = event_batch(parse_event(ol("COMPLETE", facet=False))).definitions
    assert tables.outputs == [] and tables.tables


def test_a_named_job_sql_defines_the_tables_it_writes_unless_it_failed() -> None:
    batch = extract_sql("INSERT INTO t.report SELECT y AS c FROM s.b", dialect="hive", namespace="hive://d", job=JOB)
    [definition] = defined_by(batch, JOB, AT).definitions
    assert definition.outputs == [DatasetRef(namespace="hive://d", name="t.report")]
    broken = extract_sql("INSERT INTO t.report SELECT FROM WHERE", dialect="hive", namespace="hive://d", job=JOB)
    assert broken.failures and defined_by(broken, JOB, AT).definitions == []


def test_a_query_log_entry_of_a_job_defines_and_an_ad_hoc_one_expires() -> None:
    options = QueryLogOptions(dialect="hive", namespace="hive://d")
    sql = "INSERT INTO t.report SELECT y AS c FROM s.b"
    scheduled = query_batch(
        LoggedQuery(1, QueryLogEntry(sql=sql, job="report", ts="2026-03-01T00:00:00Z")), options, "log"
    )
    assert [d.at for d in scheduled.definitions] == [AT]
    ad_hoc = query_batch(LoggedQuery(2, QueryLogEntry(sql=sql, user="ana", ts="2026-03-01T00:00:00Z")), options, "log")
    assert ad_hoc.definitions == [] and all(e.expires_at for e in ad_hoc.edges)
