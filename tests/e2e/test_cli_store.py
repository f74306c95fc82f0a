"""A store that is not there: every command that reads refuses it with exit 2 and its path, so a
mistyped --store never passes as an empty store; the commands whose job is to make one (demo, and
ingest or serve with --create) make it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import run_cli, run_cli_process

COLUMN = ["mysql://orders-db:3306", "shop.orders", "customer_id"]
READERS = [
    ["violations"],
    ["health"],
    ["impact", *COLUMN],
    ["lineage", *COLUMN],
    ["why", *COLUMN, "pii"],
    ["audit"],
    ["deadletter", "list"],
    ["deadletter", "replay"],
    ["eventlog", "list"],
    ["sources", "list"],
    ["deps", "recommend", "airflow", "build_orders"],
    ["purge-expired"],
    ["propagate", "--full"],
    ["tag", "set", *COLUMN, "pii", "--why", "x"],
    ["serve", "--port", "1"],
    ["mcp"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_a_command_refuses_a_store_that_is_not_there(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "data" / "tagilne.db"
    result = run_cli(*command, "--store", str(typo), check=False)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"no store at {typo}" in result.stderr
    assert not typo.exists() and not typo.parent.exists()


def test_the_installed_command_exits_2_naming_the_path(tmp_path: Path) -> None:
    typo = tmp_path / "tagilne.db"
    result = run_cli_process("violations", "--store", str(typo), check=False)
    assert result.returncode == 2 and f"no store at {typo}" in result.stderr
    assert "No sensitivity violations" not in result.stdout and not typo.exists()


def test_the_environment_store_is_checked_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAGLINE_STORE", str(tmp_path / "missing.db"))
    result = run_cli("violations", check=False)
    assert result.returncode == 2 and "missing.db" in result.stderr


def test_an_ingest_makes_a_store_only_when_asked(tmp_path: Path) -> None:
    sql = tmp_path / "etl.sql"
    sql.write_text("INSERT INTO mart.t SELECT a FROM raw.s")
    store = tmp_path / "new.db"
    args = ["ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://wh", "--store", str(store)]
    refused = run_cli(*args, check=False)
    assert refused.returncode == 2 and f"no store at {store}" in refused.stderr and not store.exists()
    made = run_cli(*args, "--create")
    assert "1 statements, 5 new edges" in made.stdout and store.exists()
    again = run_cli(*args)  # an existing store needs no --create
    assert again.returncode == 0
    assert run_cli("violations", "--store", str(store)).returncode == 0


def test_demo_makes_its_store(tmp_path: Path) -> None:
    store = tmp_path / "fresh" / "demo.db"
    assert "demo loaded" in run_cli("demo", "--store", str(store)).stdout
    assert run_cli("impact", *COLUMN, "--store", str(store)).returncode == 0


def test_errors_carry_the_code_rest_and_graphql_give_them(tmp_path: Path) -> None:
    store = str(tmp_path / "demo.db")
    run_cli("demo", "--store", store)
    missing = run_cli("impact", "nowhere", "nothing", "--store", store, check=False)
    assert missing.returncode == 2 and "error: NOT_FOUND: no dataset 'nothing'" in missing.stderr


def test_a_file_event_from_the_far_future_or_without_an_offset_is_kept_as_a_failure(tmp_path: Path) -> None:
    def event(time: str) -> str:
        return (
            f'{{"eventType": "COMPLETE", "eventTime": "{time}", "producer": "p", '
            f'"run": {{"runId": "{uuid.uuid4()}"}}, "job": {{"namespace": "cli", "name": "j"}}}}'
        )

    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join([event("9999-12-31T00:00:00Z"), event("2026-01-05T06:00:00"), event("2026-01-05T06:00:00Z")])
    )
    store = str(tmp_path / "g.db")
    result = run_cli("ingest", "openlineage", str(events), "--store", store, "--create", check=False)
    assert result.returncode == 1 and "3 events" in result.stdout and "2 failed" in result.stdout
    assert "TAGLINE_EVENT_TIME_SKEW_SECONDS" in result.stderr and "offset" in result.stderr
