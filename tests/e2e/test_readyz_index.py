"""/readyz reports the lineage index's memory, everything included, per column edge."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.conftest import Server, run_cli


def test_readyz_reports_the_index_bytes_per_column_edge(server: Server, tmp_path: Path) -> None:
    sql = tmp_path / "etl.sql"
    sql.write_text("INSERT INTO mart.copy SELECT id, name, id + 1 AS next_id FROM crm.accounts;\n")
    run_cli("ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://ready", "--store", server.store)
    server.caught_up()
    ready = httpx.get(f"{server.url}/readyz", timeout=30).json()
    index = ready["index"]
    assert ready["status"] == "ready" and index["column_edges"] >= 3
    assert index["bytes"] > 0
    assert index["bytes_per_column_edge"] == index["bytes"] / index["column_edges"]
