"""Blocking a tag on the edges from one column, and lifting the block, the same way from the CLI
and from GraphQL: the tag stops and comes back, and each change is in the audit log."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import run_cli, start_server, stop_server

NS = "hive://wh"
SOURCE = [NS, "raw.s", "a"]
TARGET = [NS, "mart.t", "a"]
CHANGE = """
mutation ($lift: Boolean!, $tag: String!, $why: String!) {
  blockTag(column: {namespace: "hive://wh", dataset: "mart.t", field: "a"}, tag: $tag, justification: $why,
           fromColumn: {namespace: "hive://wh", dataset: "raw.s", field: "a"}) @skip(if: $lift) { tags { name } }
  unblockTag(column: {namespace: "hive://wh", dataset: "mart.t", field: "a"}, tag: $tag, justification: $why,
             fromColumn: {namespace: "hive://wh", dataset: "raw.s", field: "a"}) @include(if: $lift) { tags { name } }
}
"""


def test_a_block_from_one_column_stops_the_tag_and_lifting_it_brings_it_back(tmp_path: Path) -> None:
    sql = tmp_path / "etl.sql"
    sql.write_text("INSERT INTO mart.t SELECT a FROM raw.s")
    store = ["--store", str(tmp_path / "graph.db")]
    run_cli("ingest", "sql", str(sql), "--dialect", "hive", "--namespace", NS, *store, "--create")
    run_cli("tag", "set", *SOURCE, "pii.email", "--why", "contact data", *store)

    blocked = run_cli("tag", "block", *TARGET, "pii", "--why", "consented", "--from", *SOURCE, *store)
    assert blocked.stdout.startswith("blocked pii: 1 columns changed"), blocked.stdout
    again = run_cli("tag", "block", *TARGET, "pii", "--why", "twice", "--from", *SOURCE, *store, check=False)
    assert again.returncode == 2 and "already blocked on the edges from" in again.stderr, again.stderr
    lifted = run_cli("tag", "unblock", *TARGET, "pii", "--why", "not consented", "--from", *SOURCE, *store)
    assert lifted.stdout.startswith("unblocked pii: 1 columns changed"), lifted.stdout
    audit = run_cli("audit", "--column", *TARGET, *store).stdout
    assert "BLOCKED" in audit and "UNBLOCKED" in audit, audit

    server = start_server(store[1])
    try:
        ask = {"tag": "pii", "why": "over GraphQL"}
        assert server.graphql(CHANGE, {**ask, "lift": False}) == {"data": {"blockTag": {"tags": []}}}
        back = server.graphql(CHANGE, {**ask, "lift": True})
        assert back == {"data": {"unblockTag": {"tags": [{"name": "pii.email"}]}}}, back
    finally:
        stop_server(server)
