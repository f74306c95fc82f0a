"""The GitHub Action (action.yml) end to end: a real git repository with a base branch of three
job scripts and a change branch that edits one, the Action's steps run as the runner runs them
(each `run:` under bash with the inputs and GitHub's environment), posting to a local HTTP server
that stands in for the code host's REST API. One comment is created, then updated, never doubled."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.e2e.conftest import run_cli, start_server, stop_server
from tests.e2e.test_review import BASE, CHANGED, NS

ROOT = Path(__file__).resolve().parents[2]
REPOSITORY = "acme/warehouse"
PULL = 7
TOKEN = "test-token"
MARKER = "<!-- tagline-review -->"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@dataclass
class FakeCodeHost:
    """Issue comments of one pull request, as GitHub's REST API keeps them."""

    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, authorization

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any]:
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))  # type: ignore[no-any-return]

            def _record(self) -> None:
                host.requests.append((self.command, self.path, self.headers.get("Authorization", "")))

            def do_GET(self) -> None:
                self._record()
                if self.path.startswith(f"/repos/{REPOSITORY}/issues/{PULL}/comments"):
                    self._answer(200, host.comments)
                else:
                    self._answer(404, {"message": "Not Found"})

            def do_POST(self) -> None:
                self._record()
                if self.path != f"/repos/{REPOSITORY}/issues/{PULL}/comments":
                    return self._answer(404, {"message": "Not Found"})
                comment = {"id": 1000 + len(host.comments), "body": self._body()["body"]}
                host.comments.append(comment)
                self._answer(201, comment)

            def do_PATCH(self) -> None:
                self._record()
                found = re.fullmatch(rf"/repos/{REPOSITORY}/issues/comments/(\d+)", self.path)
                comment = next((c for c in host.comments if found and c["id"] == int(found[1])), None)
                if comment is None:
                    return self._answer(404, {"message": "Not Found"})
                comment["body"] = self._body()["body"]
                self._answer(200, comment)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def code_host() -> Iterator[tuple[FakeCodeHost, str]]:
    host = FakeCodeHost(comments=[{"id": 1, "body": "Looks good to me."}])
    server, url = host.serve()
    yield host, url
    server.shutdown()


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A base branch with three job scripts, and a change branch that edits one of them."""
    repo = tmp_path / "warehouse"
    (repo / "jobs").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev")
    for job, sql in BASE.items():
        (repo / "jobs" / f"{job}.sql").write_text(sql + ";\n")
    (repo / "README.md").write_text("jobs\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "three jobs")
    git(repo, "checkout", "-q", "-b", "add-buyer-email")
    (repo / "jobs" / "stage_orders.sql").write_text(CHANGED + ";\n")
    (repo / "README.md").write_text("jobs, with buyer e-mail\n")
    git(repo, "commit", "-q", "-am", "orders carry the buyer's e-mail, without the discount")
    return repo


@pytest.fixture
def store(tmp_path: Path, repository: Path) -> str:
    """The store artifact: the base branch's jobs, ingested, with the e-mail declared pii."""
    path = str(tmp_path / "graph.db")
    for job, sql in BASE.items():
        script = tmp_path / f"{job}.sql"
        script.write_text(sql + ";\n")
        run_cli("ingest", "sql", str(script), "--dialect", "hive", "--namespace", NS, "--job", job, "--store", path,
                "--create")  # fmt: skip
    run_cli("tag", "set", NS, "raw.customers", "email", "pii", "--store", path)
    return path


def run_action(repo: Path, api_url: str, inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Each step of action.yml as the runner runs a composite action's steps: `${{ }}` expressions
    filled in from the inputs (their defaults otherwise) and the `github` context, `if:` judged,
    `run:` under bash in the workspace with the step's env over the runner's."""
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text())
    github = {"action_path": str(ROOT), "token": TOKEN, "base_ref": "main", "api_url": api_url}
    # An input's default may itself be an expression of the `github` context (the token's is).
    given = {
        name: EXPRESSION.sub(lambda m: github[m[1].removeprefix("github.")], str(spec.get("default", "")))
        for name, spec in action["inputs"].items()
    }
    given.update(inputs)
    event = repo.parent / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": PULL, "pull_request": {"number": PULL}}))

    def value(expression: str) -> str:
        scope, _, name = expression.partition(".")
        return given[name] if scope == "inputs" else github[name]

    def fill(text: str) -> str:
        return EXPRESSION.sub(lambda m: value(m[1]), text)

    runner_env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": "https://api.github.invalid",  # the action's api-url input wins
        "GITHUB_BASE_REF": "main",
        "GITHUB_HEAD_REF": "add-buyer-email",
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    result = subprocess.CompletedProcess[str]([], 0, "", "")
    for step in action["runs"]["steps"]:
        condition = step.get("if")
        if condition is not None:
            judged = re.fullmatch(r"\$\{\{\s*inputs\.([\w-]+) == '([^']*)'\s*\}\}", condition)
            assert judged, f"a condition this runner does not judge: {condition}"
            if given[judged[1]] != judged[2]:
                continue
        env = {**runner_env, **{k: fill(str(v)) for k, v in (step.get("env") or {}).items()}}
        result = subprocess.run(
            [step.get("shell", "bash"), "-e", "-c", fill(step["run"])],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            break
    return result


def test_the_action_posts_one_comment_then_updates_it(
    repository: Path, store: str, code_host: tuple[FakeCodeHost, str]
) -> None:
    host, api = code_host
    common = {"paths": "jobs/*.sql", "dialect": "hive", "namespace": NS, "install": "false"}
    first = run_action(repository, api, {**common, "store": store, "fail-on": "tag-gained:pii"})
    assert first.returncode == 1, first.stderr  # the rule fired: the check fails
    assert "comment posted" in first.stderr
    assert len(host.comments) == 2
    posted = host.comments[1]["body"]
    assert posted.startswith(MARKER)
    assert "`jobs/stage_orders.sql`" in posted and "❌ fails `tag-gained:pii`" in posted
    for named in ("stage.orders.buyer_email", "mart.report.total_discount", "`pii`"):
        assert named in posted
    assert "load_customers.sql`" not in posted  # unchanged scripts are not reviewed

    # A second push changes another script; this run asks a Tagline server instead of the store.
    (repository / "jobs" / "load_customers.sql").write_text(
        "INSERT INTO stage.customers SELECT c.id AS id, c.email AS email, c.country AS country FROM raw.customers c;\n"
    )
    git(repository, "commit", "-q", "-am", "customers carry their country")
    server = start_server(store)
    try:
        second = run_action(repository, api, {**common, "server": server.url})
    finally:
        stop_server(server)
    assert second.returncode == 0, second.stderr
    assert "comment updated" in second.stderr
    assert len(host.comments) == 2 and host.comments[0]["body"] == "Looks good to me."
    updated = host.comments[1]["body"]
    assert updated.startswith(MARKER) and "✅" in updated
    assert "`jobs/load_customers.sql`" in updated and "stage.customers.country" in updated
    assert [m for m, _, _ in host.requests if m != "GET"] == ["POST", "PATCH"]
    assert {auth for _, _, auth in host.requests} == {f"Bearer {TOKEN}"}


def test_the_action_refuses_bad_input_with_status_2(
    repository: Path, store: str, code_host: tuple[FakeCodeHost, str]
) -> None:
    host, api = code_host
    result = run_action(repository, api, {"paths": "jobs/*.sql", "install": "false"})
    assert result.returncode == 2 and "store" in result.stderr and "server" in result.stderr
    bad_rule = run_action(repository, api, {"store": store, "fail-on": "everything", "install": "false"})
    assert bad_rule.returncode == 2 and "everything" in bad_rule.stderr
    assert len(host.comments) == 1  # nothing posted


@pytest.mark.parametrize("page", ["README.md", "docs/guides/review.md"])
def test_the_documented_workflow_steps_name_only_the_actions_inputs(page: str) -> None:
    """The Action's YAML in the README and the guide is not run by CI here: its step must at least
    give only inputs action.yml declares, and every input action.yml requires."""
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text())
    declared = set(action["inputs"])
    required = {name for name, spec in action["inputs"].items() if spec.get("required")}
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / page).read_text(), re.S)
    steps = [step for block in blocks for step in _steps(YAML(typ="safe").load(block))]
    ours = [step for step in steps if str(step.get("uses", "")).startswith("tagline/tagline")]
    assert ours, f"{page} shows no step using the Action"
    for step in ours:
        given = set(step.get("with", {}))
        assert given <= declared, f"{page}: inputs action.yml does not declare: {sorted(given - declared)}"
        assert required <= given, f"{page}: required inputs left out: {sorted(required - given)}"


def _steps(document: Any) -> list[dict[str, Any]]:
    """The steps of a workflow, or of a README's lone step list."""
    if isinstance(document, list):
        return [step for step in document if isinstance(step, dict)]
    if isinstance(document, dict) and "jobs" in document:
        return [step for job in document["jobs"].values() for step in job.get("steps", [])]
    return []
