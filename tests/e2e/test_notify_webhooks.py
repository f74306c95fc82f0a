"""Changes pushed to webhooks by the server's notifier: a real HTTP receiver (checking every
signature) gets the notices of a scripted sequence exactly; a receiver away for a while gets them
afterwards, in order per subject; a server killed with SIGKILL mid-delivery loses none; a
delivery that fails every try lands in the dead letter, and a replay delivers it."""

from __future__ import annotations

import json
import signal
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from tagline.api.notify.outbox import Outbox
from tests.e2e.conftest import run_cli, start_server, start_server_process, stop_server
from tests.notify_receiver import (
    Receiver,
    notify_env,
    run_script,
    setup,
    sql,
    subscribers_file,
    wait_until,
    webhook,
)


@pytest.fixture
def receiver() -> Any:
    running = Receiver()
    running.start()
    yield running
    running.stop()


def in_order_per_subject(events: list[dict[str, Any]]) -> None:
    """A subject's notices arrive in the order they were derived (ids are ascending numbers)."""
    by_subject: dict[str, list[int]] = defaultdict(list)
    for event in events:
        by_subject[event["subject"]].append(int(event["id"]))
    for subject, ids in by_subject.items():
        assert ids == sorted(ids), f"{subject} out of order: {ids}"


def test_scripted_sequence_reaches_the_webhook_exactly(tmp_path: Path, receiver: Receiver) -> None:
    store = str(tmp_path / "graph.db")
    setup(store)
    server = start_server(store, notify_env(subscribers_file(tmp_path, [webhook(receiver)])))
    try:
        events = run_script(store, tmp_path, receiver.received)
    finally:
        stop_server(server)
    assert receiver.unsigned == 0
    in_order_per_subject(events)
    first = events[0]
    assert first["specversion"] == "1.0" and first["source"].startswith("urn:tagline:store:")
    assert first["datacontenttype"] == "application/json" and first["time"].endswith("Z")


def test_a_receiver_away_for_a_while_gets_everything_after_in_order(tmp_path: Path, receiver: Receiver) -> None:
    """Away for 6 s here, with tries every 0.2 s doubling to 1 s; the product's defaults (1 s
    doubling to 60 s, 12 tries) keep a notice for about six minutes."""
    store = str(tmp_path / "graph.db")
    setup(store)
    server = start_server(store, notify_env(subscribers_file(tmp_path, [webhook(receiver)])))
    outbox = Outbox(str(tmp_path / "graph.db.notify"))
    try:
        receiver.stop()  # connections refused
        away = time.monotonic()
        for n in range(3):
            run_cli("tag", "set", "pg://crm", "crm.customers", "email", f"pii{n}", "--store", store)
            sql(store, f"copy_{n}", f"INSERT INTO exports.copy{n} SELECT email AS contact FROM crm.customers")
        wait_until(lambda: outbox.head() >= 12 and _tried(outbox), "notices derived and tried more than once")
        time.sleep(max(0.0, 6 - (time.monotonic() - away)))
        receiver.start()
        wait_until(lambda: _all_delivered(outbox, receiver), "notices delivered after the receiver came back")
    finally:
        stop_server(server)
        outbox.close()
    events = receiver.received()
    assert sorted(int(e["id"]) for e in events) == list(range(1, len(events) + 1))
    in_order_per_subject(events)


def _all_delivered(outbox: Outbox, receiver: Receiver) -> bool:
    pending = outbox.con.execute("SELECT COUNT(*) FROM pending").fetchone()[0]
    return pending == 0 and len({e["id"] for e in receiver.received()}) == outbox.head()


def _tried(outbox: Outbox) -> bool:
    return bool(outbox.con.execute("SELECT 1 FROM pending WHERE attempts > 1").fetchone())


@pytest.mark.smoke
def test_kill_9_mid_delivery_loses_nothing(tmp_path: Path, receiver: Receiver) -> None:
    store = str(tmp_path / "graph.db")
    setup(store)
    env = notify_env(subscribers_file(tmp_path, [webhook(receiver)]))
    receiver.delay_s = 0.05  # slow enough to be killed halfway
    server = start_server_process(store, env)
    columns = ", ".join(f"email AS c{n}" for n in range(40))
    try:
        run_cli("tag", "set", "pg://crm", "crm.customers", "email", "pii", "--store", store)
        sql(store, "wide_export", f"INSERT INTO exports.wide SELECT {columns} FROM crm.customers")
        wait_until(lambda: len(receiver.received()) >= 10, "the first notices delivered")
        assert server.process is not None
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        delivered_before = len(receiver.received())
        server = start_server_process(store, env)
        outbox = Outbox(str(tmp_path / "graph.db.notify"))
        total = outbox.head()
        outbox.close()
        wait_until(lambda: len({e["id"] for e in receiver.received()}) >= total, "every notice delivered")
    finally:
        stop_server(server)
    events = receiver.received()
    ids = sorted({int(e["id"]) for e in events})
    # 40 lineage edges and 40 inherited tags (and one declared, one violation per sink column)
    assert total >= 81 and delivered_before < total
    assert ids == list(range(1, total + 1))
    first_copies = {}
    for event in events:
        first_copies.setdefault(event["id"], event)
    in_order_per_subject(list(first_copies.values()))


def test_dead_letter_after_the_last_try_then_replay(tmp_path: Path, receiver: Receiver) -> None:
    store = str(tmp_path / "graph.db")
    setup(store)
    hook = {**webhook(receiver), "events": ["tag.gained"]}
    env = notify_env(subscribers_file(tmp_path, [hook]), TAGLINE_NOTIFY_MAX_ATTEMPTS="3")
    receiver.failing = True
    server = start_server(store, env)
    try:
        run_cli("tag", "set", "pg://crm", "crm.customers", "email", "pii", "--store", store)
        wait_until(lambda: "tag.gained" in _dead_letters(store), "the notice in the dead letter")
        receiver.failing = False
        replayed = run_cli("notify", "replay", "hook", "--store", store)
        assert "1 notice(s) of hook queued again" in replayed.stdout
        wait_until(lambda: len(receiver.received()) == 1, "the replayed notice delivered")
    finally:
        stop_server(server)
    assert receiver.received()[0]["type"] == "tagline.tag.gained"
    assert "tag.gained" not in _dead_letters(store)


def _dead_letters(store: str) -> str:
    return run_cli("notify", "deadletter", "--store", store).stdout


def test_subscribers_registered_through_graphql_by_an_admin(tmp_path: Path, receiver: Receiver) -> None:
    store = str(tmp_path / "graph.db")
    setup(store)
    keys = "boss:admin-key-0123456789:admin,sam:steward-key-0123456789:steward"
    server = start_server(store, {"TAGLINE_API_KEYS": keys, "TAGLINE_NOTIFY_POLL_SECONDS": "0.1"})
    mutation = """mutation($url: String!, $secret: String!) {
      subscribe(name: "security", kind: WEBHOOK, url: $url, secret: $secret, events: ["tag.gained"]) {
        name kind events origin pending
      }
    }"""
    variables = {"url": receiver.url, "secret": receiver.secret}

    def post(key: str) -> dict[str, Any]:
        answer = httpx.post(
            f"{server.url}/graphql",
            json={"query": mutation, "variables": variables},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        return dict(answer.json())

    try:
        refused = post("steward-key-0123456789")
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        done = post("admin-key-0123456789")
        assert done["data"]["subscribe"] == {
            "name": "security",
            "kind": "WEBHOOK",
            "events": ["tag.gained"],
            "origin": "api",
            "pending": 0,
        }
        run_cli("tag", "set", "pg://crm", "crm.customers", "email", "pii", "--store", store)
        sql(store, "export_mailing", "INSERT INTO exports.mailing SELECT email AS contact FROM crm.customers")
        wait_until(lambda: len(receiver.received()) == 2, "the two tags gained delivered")
    finally:
        stop_server(server)
    assert {e["type"] for e in receiver.received()} == {"tagline.tag.gained"}
    sample = run_cli("notify", "test", "security", "--store", store)
    assert "the sample reached security" in sample.stdout
    assert receiver.received()[-1]["type"] == "tagline.test"


def test_a_bad_subscribers_file_is_refused_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = str(tmp_path / "graph.db")
    setup(store)
    path = subscribers_file(tmp_path, [{"name": "x", "kind": "webhook", "url": "ftp://x", "secret": "s" * 16}])
    monkeypatch.setenv("TAGLINE_NOTIFY_SUBSCRIBERS", str(path))
    refused = run_cli("notify", "list", "--store", store, check=False)
    assert refused.returncode == 2
    said = " ".join((refused.stdout + refused.stderr).split())
    assert "subscriber 1 (x): a webhook needs `url`, an http:// or https:// address" in said


def test_payloads_in_the_guide_are_what_a_receiver_gets(tmp_path: Path, receiver: Receiver) -> None:
    """The guide's examples have the attributes and data fields real notices have."""
    guide = (Path(__file__).resolve().parents[2] / "docs" / "guides" / "subscribe.md").read_text()
    examples = [json.loads(block.split("```", 1)[0]) for block in guide.split("```json\n")[1:]]
    examples = [e for e in examples if isinstance(e, dict) and e.get("specversion") == "1.0"]
    assert examples
    store = str(tmp_path / "graph.db")
    setup(store)
    server = start_server(store, notify_env(subscribers_file(tmp_path, [webhook(receiver)])))
    try:
        events = run_script(store, tmp_path, receiver.received)
    finally:
        stop_server(server)
    real = {e["type"]: e for e in events}
    for example in examples:
        assert example["type"] in real, example["type"]
        assert set(example) == set(real[example["type"]])
        assert set(example["data"]) == set(real[example["type"]]["data"]), example["type"]
