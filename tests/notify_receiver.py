"""What the notification tests share: a real HTTP receiver of webhooks that checks each one's
signature, the scripted sequence of changes with the notices each step must bring, and the
subscribers file that points the notifier at a receiver or a topic."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.e2e.conftest import run_cli
from tests.ports import free_port

SECRET = "a-secret-of-more-than-16-characters"
NS = "pg://crm"
# (kind, subject, what identifies it among its kind and subject)
Expected = tuple[str, str, str]


def verified(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does with ``X-Tagline-Signature-256``: recompute and compare in constant time."""
    wanted = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(wanted, header)


class Receiver:
    """A webhook receiver on a fixed port that can be stopped (connections refused) and started
    again, answer 500 for a while, or answer slowly."""

    def __init__(self, secret: str = SECRET) -> None:
        self.port = free_port()
        self.secret = secret
        self.events: list[dict[str, Any]] = []
        self.unsigned = 0
        self.failing = False
        self.delay_s = 0.0
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not verified(receiver.secret, body, self.headers.get("X-Tagline-Signature-256")):
                    with receiver.lock:
                        receiver.unsigned += 1
                    self.send_response(401)
                elif receiver.failing:
                    self.send_response(500)
                else:
                    time.sleep(receiver.delay_s)
                    assert self.headers["Content-Type"].startswith("application/cloudevents+json")
                    with receiver.lock:
                        receiver.events.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def received(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.events)


def subscribers_file(folder: Path, entries: list[dict[str, Any]]) -> Path:
    lines = []
    for entry in entries:
        lines.append("[[subscriber]]")
        lines += [f"{name} = {json.dumps(value)}" for name, value in entry.items()]
    path = folder / "subscribers.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def webhook(receiver: Receiver, name: str = "hook") -> dict[str, Any]:
    return {"name": name, "kind": "webhook", "url": receiver.url, "secret": receiver.secret, "events": ["*"]}


def notify_env(subscribers: Path, **extra: str) -> dict[str, str]:
    """Settings for a server under test: a quick poll and a short backoff (seconds, not minutes)."""
    return {
        "TAGLINE_NOTIFY_SUBSCRIBERS": str(subscribers),
        "TAGLINE_NOTIFY_POLL_SECONDS": "0.1",
        "TAGLINE_NOTIFY_BACKOFF_SECONDS": "0.2",
        "TAGLINE_NOTIFY_BACKOFF_MAX_SECONDS": "1",
        "TAGLINE_NOTIFY_TIMEOUT_SECONDS": "5",
        **extra,
    }


def sql(store: str, job: str, text: str) -> None:
    run_cli("ingest", "sql", "-", "--dialect", "postgres", "--namespace", NS, "--job", job, "--store", store, "--create", stdin=text)  # fmt: skip


def openlineage(store: str, folder: Path, job: str, state: str, inputs: list[str], outputs: list[str]) -> None:
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    event = {
        "eventType": state,
        "eventTime": now,
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "default", "name": job},
        "inputs": [{"namespace": NS, "name": n} for n in inputs],
        "outputs": [{"namespace": NS, "name": n} for n in outputs],
        "producer": "https://example.com/notify-test",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    }
    path = folder / f"{uuid.uuid4()}.json"
    path.write_text(json.dumps(event))
    run_cli("ingest", "openlineage", str(path), "--store", store)


def setup(store: str) -> None:
    """What is there before anyone subscribes: a job loading crm.customers."""
    sql(store, "load_customers", "INSERT INTO crm.customers SELECT id, email, name FROM raw.signups")


CONTACT = f"{NS}/exports.mailing.contact"
EMAIL = f"{NS}/crm.customers.email"


def script(store: str, folder: Path) -> list[tuple[Callable[[], None], set[Expected]]]:
    """The scripted changes, each with the notices it must bring (and no others)."""
    return [
        (
            lambda: run_cli("tag", "set", NS, "crm.customers", "email", "pii", "--store", store),
            {
                ("tagline.tag.gained", EMAIL, "pii"),
                # crm.customers is a sink for now: no job reads it, no column derives from it
                ("tagline.violation.opened", EMAIL, "SINK_RECEIVES_SENSITIVE"),
            },
        ),
        (
            lambda: sql(
                store, "export_mailing", "INSERT INTO exports.mailing SELECT email AS contact FROM crm.customers"
            ),
            {
                ("tagline.lineage.added", CONTACT, "crm.customers.email"),
                ("tagline.job.dependencies_changed", "default/export_mailing", "+default/load_customers"),
                ("tagline.tag.gained", CONTACT, "pii"),
                ("tagline.violation.opened", CONTACT, "SINK_RECEIVES_SENSITIVE"),
                ("tagline.violation.closed", EMAIL, "SINK_RECEIVES_SENSITIVE"),
            },
        ),
        (
            lambda: sql(
                store, "export_mailing", "INSERT INTO exports.mailing SELECT name AS contact FROM crm.customers"
            ),
            {
                ("tagline.lineage.added", CONTACT, "crm.customers.name"),
                ("tagline.lineage.retired", CONTACT, "crm.customers.email"),
                ("tagline.tag.lost", CONTACT, "pii"),
                ("tagline.violation.closed", CONTACT, "SINK_RECEIVES_SENSITIVE"),
            },
        ),
        (
            lambda: openlineage(store, folder, "nightly_report", "FAIL", ["exports.mailing"], []),
            {
                ("tagline.job.failed", "default/nightly_report", "FAIL"),
                ("tagline.job.dependencies_changed", "default/nightly_report", "+default/export_mailing"),
            },
        ),
        (
            lambda: openlineage(store, folder, "load_customers", "COMPLETE", ["raw.signups"], ["crm.customers_v2"]),
            {
                ("tagline.dataset.producer_lost", f"{NS}/crm.customers", "default/load_customers"),
                ("tagline.job.dependencies_changed", "default/export_mailing", "-default/load_customers"),
            },
        ),
    ]


def identity(event: dict[str, Any]) -> Expected:
    """An event as the script's expectations name it."""
    data = event["data"]
    kind = event["type"]
    if kind.startswith("tagline.tag."):
        what = data["tag"]
    elif kind.startswith("tagline.lineage."):
        what = f"{data['source']['dataset']}.{data['source']['field']}"
    elif kind.startswith("tagline.violation."):
        what = data["kind"]
    elif kind == "tagline.job.failed":
        what = "FAIL"
    elif kind == "tagline.dataset.producer_lost":
        what = data["lastProducer"]
    else:
        what = ",".join([*(f"+{j}" for j in data["added"]), *(f"-{j}" for j in data["removed"])])
    return kind, event["subject"], what


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    """Wait for ``condition``; the timeout only catches a hang."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not {what} within {timeout_s} s")


def run_script(store: str, folder: Path, received: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each step of the script, then wait until its notices arrived; every step's notices, and only
    those, must arrive (one copy each: ids are unique)."""
    for step, expected in script(store, folder):
        before = len(received())
        step()
        wanted = before + len(expected)
        wait_until(lambda wanted=wanted: len(received()) >= wanted, f"notified of {sorted(expected)}")
        time.sleep(0.5)  # a notice beyond the expected ones would arrive meanwhile
        got = received()[before:]
        found = sorted(identity(e) for e in got)
        assert found == sorted(expected), f"expected {sorted(expected)}, got {found}"
    events = received()
    assert len({e["id"] for e in events}) == len(events)
    return events
