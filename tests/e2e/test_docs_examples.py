"""Every example of the docs site, run against the demo: each page on a demo store of its own, its
GraphQL operations, its `curl` requests and its `tagline` commands in the order the page gives
them. A wrong example (a renamed field, a stale column, a changed flag) fails here.

An example that needs the reader's own files (`etl/*.sql`, `target/manifest.json`) or another
program (`spark-submit`, `dbt-ol`, `make`) cannot run against the demo; those are listed by
:func:`test_what_the_examples_leave_out_is_only_what_needs_the_readers_files` so nothing is left
out silently."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from websockets.sync.client import ClientConnection, connect

from tagline.api.cli.main import app as cli_app
from tests.e2e.conftest import Server, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# The README is the front door: its examples run like the docs'.
PAGES = [ROOT / "README.md", *sorted(p for p in DOCS.rglob("*.md") if "generated" not in p.relative_to(DOCS).parts)]
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
SDL = re.compile(r"^\s*(type|input|enum|interface|union|scalar|schema|directive)\b")
# Commands that serve or consume forever, or reload the demo under the page's feet.
LONG_RUNNING = {"serve", "mcp", "consume", "notify run"}
LOCAL = "http://127.0.0.1:8000"


@dataclass
class Example:
    page: str
    kind: str  # graphql, curl, tagline
    text: str


def _commands(block: str) -> Iterator[str]:
    """The commands of a shell block: continuation lines joined, quotes that span lines kept
    together, comment lines dropped."""
    pending = ""
    for raw in re.sub(r"\\\n\s*", " ", block).splitlines():
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        pending = f"{pending}\n{raw}" if pending else raw.strip()
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open: the command goes on on the next line
            continue
        yield pending
        pending = ""


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT if page.parent == ROOT else DOCS))


def _is_tagline(word: str) -> bool:
    return word == "tagline" or word.endswith("/tagline")


def examples(page: Path) -> Iterator[Example]:
    name = _name(page)
    for lang, body in BLOCK.findall(page.read_text()):
        if lang == "graphql" and not SDL.match(body):
            yield Example(name, "graphql", body)
        elif lang in ("sh", "bash"):
            for command in _commands(body):
                words = shlex.split(command, comments=True)
                if words and words[0] == "curl":
                    yield Example(name, "curl", command)
                elif any(map(_is_tagline, words[:4])) and (_is_tagline(words[0]) or words[0] == "echo"):
                    yield Example(name, "tagline", command)


def _missing_files(words: list[str]) -> list[str]:
    """Arguments that name files of the reader's own (absent from the repository)."""
    pathlike = [w for w in words if not w.startswith("-") and ("/" in w or re.search(r"\.(sql|jsonl?|ya?ml)$", w))]
    return [w for w in pathlike if "://" not in w and not any((ROOT).glob(w))]


def runnable(example: Example) -> str | None:
    """Why the example cannot run against the demo, or None."""
    if example.kind == "graphql":
        return None
    words = shlex.split(example.text, comments=True)
    if example.kind == "curl":
        data = [w for w in words if w.startswith("@")]
        return f"reads {data[0][1:]}, the reader's file" if data else None
    if "|" in words:
        words = words[words.index("|") + 1 :]
    if len(words) > 1 and (words[1] in LONG_RUNNING or " ".join(words[1:3]) in LONG_RUNNING):
        return f"`tagline {words[1]}` runs until stopped"
    placeholders = [w for w in words[1:] if re.fullmatch(r"[A-Z][A-Z_]+", w)]
    if placeholders:
        return f"needs the reader's value for {', '.join(placeholders)}"
    missing = _missing_files(words[1:])
    return f"needs the reader's files: {', '.join(missing)}" if missing else None


SUBSCRIPTION = re.compile(r"^\s*subscription\b")
# Only catches a subscription that never hears of the page's changes.
HANG_S = 60


def open_subscription(server: Server, example: Example, stack: ExitStack) -> ClientConnection:
    """A subscription example, opened over a WebSocket (graphql-transport-ws) as a client would:
    the page's later examples change what it follows."""
    ws = stack.enter_context(
        connect(server.url.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])
    )  # type: ignore[list-item]
    ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(ws.recv(timeout=HANG_S))["type"] == "connection_ack"
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": example.text}}))
    return ws


def heard(ws: ClientConnection, example: Example) -> None:
    """The subscription got an event, without errors, from what the page's examples changed."""
    message = json.loads(ws.recv(timeout=HANG_S))
    assert message["type"] == "next" and "errors" not in message["payload"], (
        f"{example.page}: the subscription\n{example.text}\nanswered {message}"
    )


def run_graphql(server: Server, example: Example) -> None:
    answer = httpx.post(f"{server.url}/graphql", json={"query": example.text}, timeout=60).json()
    assert "errors" not in answer, f"{example.page}: the example\n{example.text}\nanswered {answer['errors']}"


def run_curl(server: Server, example: Example) -> None:
    words = shlex.split(example.text.replace(LOCAL, server.url), comments=True)[1:]
    method, headers, data, url = "GET", {}, None, None
    while words:
        word = words.pop(0)
        if word == "-X":
            method = words.pop(0)
        elif word == "-H":
            key, value = words.pop(0).split(":", 1)
            headers[key.strip()] = value.strip()
        elif word == "-d":
            data = words.pop(0)
        else:
            url = word
    assert url is not None, example.text
    response = httpx.request(method, url, headers=headers, content=data, timeout=60)
    assert response.status_code < 400, (
        f"{example.page}: {example.text}\nanswered {response.status_code} {response.text[:500]}"
    )
    if data is not None and "json" in headers.get("Content-Type", headers.get("content-type", "")):
        json.loads(data)  # the example's body is valid JSON


def run_tagline(store: str, example: Example) -> None:
    words = shlex.split(example.text, comments=True)
    stdin = None
    if words[0] == "echo":
        bar = words.index("|")
        stdin, words = " ".join(words[1:bar]) + "\n", words[bar + 1 :]
    result = CliRunner().invoke(cli_app, words[1:], input=stdin, env={"TAGLINE_STORE": store})
    # `deps check` says what is wrong with exit 1, as the docs say; anything else must succeed.
    allowed = {0, 1} if words[1:3] == ["deps", "check"] else {0}
    assert result.exit_code in allowed, f"{example.page}: `{example.text}` exited {result.exit_code}:\n{result.output}"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo loaded once; each page works on a copy of its own, so one page's examples (tags
    set, blocked) never change what another page's examples see."""
    store = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(cli_app, ["demo", "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


@pytest.mark.parametrize("page", [p for p in PAGES if any(runnable(e) is None for e in examples(p))], ids=_name)
def test_every_example_of_the_page_runs_against_the_demo(
    page: Path, demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page_examples = [e for e in examples(page) if runnable(e) is None]
    monkeypatch.chdir(ROOT)  # the examples name files as from the repository's root (examples/...)
    store = str(tmp_path / "demo.db")
    shutil.copy(demo_store, store)
    server = start_server(store)
    subscriptions: list[tuple[ClientConnection, Example]] = []
    stack = ExitStack()
    try:
        for example in page_examples:
            if example.kind == "graphql" and SUBSCRIPTION.match(example.text):
                subscriptions.append((open_subscription(server, example, stack), example))
            elif example.kind == "graphql":
                run_graphql(server, example)
            elif example.kind == "curl":
                run_curl(server, example)
            else:
                run_tagline(store, example)
                server.caught_up()
        for ws, example in subscriptions:
            heard(ws, example)
    finally:
        stack.close()
        stop_server(server)


def test_what_the_examples_leave_out_is_only_what_needs_the_readers_files() -> None:
    left_out = {(e.page, e.text): runnable(e) for page in PAGES for e in examples(page) if runnable(e) is not None}
    run = [e for page in PAGES for e in examples(page) if runnable(e) is None]
    assert len(run) > len(left_out), f"most examples must run against the demo; left out: {left_out}"
    for (page, text), reason in left_out.items():
        assert reason is not None and ("reader's" in reason or "until stopped" in reason), (page, text, reason)
