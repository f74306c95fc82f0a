"""The rules that turn change-log transactions into notices (governance/notifications.py), with the
outbox keeping what they remember, and the backoff between tries of a delivery."""

from __future__ import annotations

from pathlib import Path

import pytest

from tagline.api.notify.notifier import Backoff
from tagline.api.notify.outbox import Outbox
from tagline.governance.notifications import JOB_FAILED, PRODUCER_LOST, NoticeRules
from tagline.graph.change_feed import GONE, SET, Change

JOB = "j|default|nightly"
DATASET = "d|pg://crm|crm.customers"


@pytest.fixture
def rules(tmp_path: Path) -> NoticeRules:
    return NoticeRules(Outbox(str(tmp_path / "state.notify")))


def run(run_id: str, state: str) -> Change:
    return Change(
        SET, JOB, "job", props={"last_run_id": run_id, "last_run_state": state, "last_run_at": "2026-01-01T00:00:00Z"}
    )


def test_a_failed_run_is_notified_once_however_often_it_is_reported(rules: NoticeRules) -> None:
    assert rules.transaction([run("r1", "START")]) == []
    first = rules.transaction([run("r1", "FAIL")])
    assert [(n.kind, n.subject, n.data["runId"]) for n in first] == [(JOB_FAILED, "default/nightly", "r1")]
    assert rules.transaction([run("r1", "FAIL")]) == []
    # the next run fails too: the state did not change, the run did
    assert [n.data["runId"] for n in rules.transaction([Change(SET, JOB, "job", props={"last_run_id": "r2"})])] == [
        "r2"
    ]


def test_a_dataset_loses_its_producer_when_its_last_writer_stops(rules: NoticeRules) -> None:
    def writes(job: str, what: str = SET) -> Change:
        return Change(what, f"w|{job}|{DATASET}", "writes", job, DATASET, {"valid_from": "2026-01-01T00:00:00Z"})

    assert rules.transaction([writes("j|default|a"), writes("j|default|b")]) == []
    assert rules.transaction([writes("j|default|a", GONE)]) == []
    closed = Change(
        SET, f"w|j|default|b|{DATASET}", "writes", "j|default|b", DATASET, {"valid_to": "2026-02-01T00:00:00Z"}
    )
    lost = rules.transaction([closed])
    assert [(n.kind, n.subject, n.data["lastProducer"]) for n in lost] == [
        (PRODUCER_LOST, "pg://crm/crm.customers", "default/b")
    ]


def test_backoff_doubles_up_to_its_maximum_then_gives_up() -> None:
    backoff = Backoff(first_s=1, max_s=60, max_attempts=12)
    waits = [backoff.retry_at(n, 0.0) for n in range(1, 12)]
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60]
    assert backoff.retry_at(12, 0.0) is None
    assert sum(w for w in waits if w is not None) > 300  # a receiver away for minutes loses nothing
