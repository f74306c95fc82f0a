"""End to end: `tagline extract-sql`, `tagline ingest querylog` and `tagline purge-expired`, with the
lineage they load served over HTTP by a running `tagline serve`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Server, run_cli

SCRIPT = """
CREATE TEMPORARY VIEW recent AS SELECT id, upper(name) AS name FROM shop.users WHERE active;
INSERT INTO mart.report SELECT id, name FROM recent;
"""


def test_extract_sql_prints_text_for_people() -> None:
    out = run_cli("extract-sql", "--dialect", "spark", stdin=SCRIPT).stdout
    assert out.splitlines()[:2] == ["reads:  shop.users", "writes: mart.report"]
    assert "shop.users.name -> mart.report.name  DIRECT/TRANSFORMATION" in out
    assert "recent" not in out


def test_extract_sql_json_with_catalog_and_kept_temporary_hop(tmp_path: Path) -> None:
    sql = tmp_path / "q.sql"
    sql.write_text(SCRIPT)
    result = json.loads(
        run_cli("extract-sql", str(sql), "--dialect", "spark", "--format", "json", "--keep-temporary").stdout
    )
    assert set(result["writes"]) == {"recent", "mart.report"} and result["error"] is None
    hops = {(e["source"]["dataset"], e["target"]["dataset"]) for e in result["edges"]}
    assert hops == {("shop.users", "recent"), ("recent", "mart.report")}


def test_extract_sql_reports_bad_sql_and_exits_non_zero() -> None:
    result = run_cli("extract-sql", "--dialect", "hive", stdin="INSERT INTO t SELECT a FROM s; SELEC x", check=False)
    assert result.returncode == 1
    assert "t" in result.stdout and "statement 2, line 1" in result.stderr


def test_extract_sql_without_dialect_says_what_to_do() -> None:
    result = run_cli("extract-sql", stdin="SELECT 1", check=False)
    assert result.returncode == 2 and "--dialect is required" in result.stderr


def test_extract_sql_batch_answers_every_line_in_order(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "sql": "INSERT INTO d.t SELECT * FROM d.s", "dialect": "ansi", "catalog": {"d.s": ["x", "y"]}},
        "not json",
        {
            "id": 7,
            "sql": "MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET v = s.v",
            "dialect": "sparksql",
        },
        {"id": "c", "sql": "SELECT 1", "dialect": "cobol"},
        {"id": "d", "sql": "SELECT a FROM d.only_read"},
    ]
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n")
    out = [
        json.loads(line)
        for line in run_cli("extract-sql", "--batch", str(batch), "--dialect", "hive").stdout.splitlines()
    ]
    assert [o["id"] for o in out] == ["a", None, 7, "c", "d"]
    assert {(e["source"]["field"], e["target"]["field"]) for e in out[0]["edges"]} == {("x", "x"), ("y", "y")}
    assert out[1]["error"].startswith("line 2: not JSON")
    assert (out[2]["reads"], out[2]["writes"], out[2]["error"]) == (["s"], ["t"], None)
    assert "unknown SQL dialect 'cobol'" in out[3]["error"]
    assert (out[4]["reads"], out[4]["writes"], out[4]["edges"]) == (["d.only_read"], [], [])


def _log(path: Path, entries: list[dict[str, object] | str]) -> Path:
    path.write_text("\n".join(json.dumps(e) if isinstance(e, dict) else e for e in entries) + "\n")
    return path


def test_query_log_records_readers_lineage_failures_and_expiry(server: Server, tmp_path: Path) -> None:
    log = _log(
        tmp_path / "log.jsonl",
        [
            {"sql": "INSERT INTO mart.daily SELECT id, amount FROM shop.orders", "dialect": "hive",
             "namespace": "hive://ql", "job": "nightly", "ts": "2024-05-01T10:00:00Z", "query_id": "q1"},
            {"sql": "SELECT id FROM shop.orders", "dialect": "hive", "namespace": "hive://ql", "user": "alice",
             "ts": "2024-05-01T11:00:00Z", "query_id": "q2"},
            {"sql": "CREATE TABLE sandbox.old AS SELECT amount FROM shop.orders", "dialect": "hive",
             "namespace": "hive://ql", "user": "bob", "ts": "2020-01-01T00:00:00Z", "query_id": "q3"},
            {"sql": "CREATE TABLE sandbox.new AS SELECT id FROM shop.orders", "dialect": "hive",
             "namespace": "hive://ql", "user": "bob", "query_id": "q4"},
            {"sql": "INSERT INTO x SELECT FROM", "dialect": "hive", "user": "carol", "query_id": "q5"},
            "{broken",
        ],
    )  # fmt: skip
    result = run_cli("ingest", "querylog", str(log), "--adhoc-ttl-days", "30", "--store", server.store, check=False)
    assert result.returncode == 1, "a pipeline running the ingest notices the failures"
    assert "6 queries" in result.stdout and "2 failed" in result.stdout and "1 expired edges purged" in result.stdout
    assert "query q5 (line 5)" in result.stderr and "line 6" in result.stderr
    answer = server.graphql(
        """{ dataset(namespace: "hive://ql", name: "shop.orders") { readers { namespace name } }
             daily: column(namespace: "hive://ql", dataset: "mart.daily", field: "amount") { upstream { source { field } } }
             fresh: column(namespace: "hive://ql", dataset: "sandbox.new", field: "id") { upstream { source { field } } }
             old: column(namespace: "hive://ql", dataset: "sandbox.old", field: "amount") { upstream { source { field } } } }"""
    )["data"]
    readers = {(r["namespace"], r["name"]) for r in answer["dataset"]["readers"]}
    assert readers == {("default", "nightly"), ("user", "alice"), ("user", "bob")}
    assert answer["daily"]["upstream"] == [{"source": {"field": "amount"}}]
    assert answer["fresh"]["upstream"] == [{"source": {"field": "id"}}]  # ad hoc, not yet expired
    assert answer["old"]["upstream"] == []  # ad hoc from 2020: expired and purged
    listed = run_cli("deadletter", "list", "--store", server.store).stdout
    assert "query q5 (line 5)" in listed
    assert run_cli("purge-expired", "--store", server.store).stdout.splitlines()[0] == "0 expired edges removed"


def test_query_log_accepts_a_plain_sql_file(server: Server, tmp_path: Path) -> None:
    sql = tmp_path / "weekly_job.sql"
    sql.write_text("INSERT INTO mart.weekly\nSELECT id\nFROM shop.orders;\n\nSELECT * FROM mart.weekly;\n")
    result = run_cli(
        "ingest", "querylog", str(sql), "--dialect", "hive", "--namespace", "hive://ql", "--store", server.store
    )
    assert "2 queries" in result.stdout and "0 failed" in result.stdout
    answer = server.graphql('{ job(namespace: "default", name: "weekly_job") { inputs { name } outputs { name } } }')
    job = answer["data"]["job"]
    assert {d["name"] for d in job["inputs"]} == {"shop.orders", "mart.weekly"}
    assert [d["name"] for d in job["outputs"]] == ["mart.weekly"]


def test_a_file_that_is_not_utf8_fails_alone_is_kept_and_replays_once_converted(server: Server, tmp_path: Path) -> None:
    folder = tmp_path / "etl"
    folder.mkdir()
    (folder / "a_good.sql").write_text("INSERT INTO mart.good SELECT id FROM src.users;")
    latin1 = "INSERT INTO mart.caf\u00e9 SELECT id AS caf\u00e9_id FROM src.users;"
    (folder / "b_latin1.sql").write_bytes(latin1.encode("latin-1"))
    args = ["ingest", "sql", str(folder), "--dialect", "hive", "--namespace", "hive://wh", "--store", server.store]
    result = run_cli(*args, check=False)
    assert result.returncode == 1 and "1 failed" in result.stdout
    said = " ".join(result.stderr.split())
    assert "b_latin1.sql is not UTF-8: byte 20 (e9" in said and "Traceback" not in said
    good = server.graphql(
        '{ column(namespace: "hive://wh", dataset: "mart.good", field: "id") { upstream { source { field } } } }'
    )
    assert good["data"]["column"]["upstream"] == [{"source": {"field": "id"}}]
    assert "b_latin1.sql" in run_cli("deadletter", "list", "--store", server.store).stdout

    still = run_cli("deadletter", "replay", "--store", server.store, check=False)
    assert "0 replayed" in still.stdout and "b_latin1.sql is not UTF-8" in " ".join(still.stderr.split())
    (folder / "b_latin1.sql").write_text(latin1)  # converted
    # Other tests of this module left failures of their own, still failing: hence check=False.
    assert "1 replayed" in run_cli("deadletter", "replay", "--store", server.store, check=False).stdout
    cafe = server.graphql(
        '{ column(namespace: "hive://wh", dataset: "mart.caf\u00e9", field: "caf\u00e9_id") { upstream { source { field } } } }'
    )
    assert cafe["data"]["column"]["upstream"] == [{"source": {"field": "id"}}]


def test_a_table_renamed_in_a_later_script_takes_its_stored_lineage_along(server: Server, tmp_path: Path) -> None:
    build = tmp_path / "build_stage.sql"
    build.write_text("INSERT INTO dw.stage_orders SELECT id, amount FROM shop.orders;\n")
    publish = tmp_path / "publish.sql"
    publish.write_text("ALTER TABLE dw.stage_orders RENAME TO dw.orders;\n")
    for script in (build, publish):
        run_cli("ingest", "sql", str(script), "--dialect", "hive", "--namespace", "hive://wh", "--store", server.store)
    upstream = """query ($table: String!) { column(namespace: "hive://wh", dataset: $table, field: "amount") {
        upstream { source { dataset field } } } }"""
    moved = server.graphql(upstream, {"table": "dw.orders"})["data"]["column"]
    assert moved["upstream"] == [{"source": {"dataset": "shop.orders", "field": "amount"}}]
    old = server.graphql(upstream, {"table": "dw.stage_orders"})["data"]["column"]
    assert old is None or old["upstream"] == []
    writers = server.graphql('{ dataset(namespace: "hive://wh", name: "dw.orders") { writers { name } } }')
    assert writers["data"]["dataset"]["writers"] == [{"name": "build_stage"}]


def test_ingest_sql_lands_every_target_of_a_multi_insert(server: Server, tmp_path: Path) -> None:
    sql = tmp_path / "fan_out.sql"
    sql.write_text(
        "FROM shop.orders o\n"
        "INSERT OVERWRITE TABLE mart.totals SELECT o.customer_id, sum(o.amount) GROUP BY o.customer_id\n"
        "INSERT OVERWRITE TABLE mart.big SELECT o.id WHERE o.amount > 100;\n"
    )
    args = ["ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://multi", "--store", server.store]
    result = run_cli(*args)
    assert "1 statements" in result.stdout and "0 failed" in result.stdout
    answer = server.graphql(
        """{ totals: column(namespace: "hive://multi", dataset: "mart.totals", field: "customer_id") {
               upstream(directOnly: true) { source { field } } }
             big: column(namespace: "hive://multi", dataset: "mart.big", field: "id") {
               upstream { source { field } transformation { subtype } } } }"""
    )["data"]
    assert answer["totals"]["upstream"] == [{"source": {"field": "customer_id"}}]
    big = {(e["source"]["field"], e["transformation"]["subtype"]) for e in answer["big"]["upstream"]}
    assert big == {("id", "IDENTITY"), ("amount", "FILTER")}


def test_ingest_sql_reports_a_write_without_column_lineage_as_partial(server: Server, tmp_path: Path) -> None:
    sql = tmp_path / "untraceable.sql"
    sql.write_text("INSERT INTO mart.latest VALUES ((SELECT max(id) FROM shop.orders));\n")
    args = ["ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://partial", "--store", server.store]
    result = run_cli(*args, check=False)
    assert result.returncode == 1
    assert "1 failed (1 partial" in result.stdout and "untraceable.sql statement 1, line 1" in result.stderr
    kept = " ".join(run_cli("deadletter", "list", "--store", server.store).stdout.split())
    assert f"sql (partial) {sql} statement 1, line 1 mart.latest: the statement does not say" in kept
    writers = server.graphql('{ dataset(namespace: "hive://partial", name: "mart.latest") { writers { name } } }')
    assert writers["data"]["dataset"]["writers"] == [{"name": "untraceable"}]
