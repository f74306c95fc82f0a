"""The pull-request comment of the GitHub Action (action.yml): review every job script the pull
request changes, then post one comment — or update the one an earlier run posted, found by a
hidden marker — through the code host's REST API. Run as ``python -m tagline.api.cli.review_comment``.

Configured by environment, as the Action's step sets it:

- ``TAGLINE_REVIEW_PATHS``: git pathspecs of the job scripts (``jobs/*.sql``); a script's job is
  its file name without ``.sql``, as ``tagline ingest sql`` names it;
- ``TAGLINE_REVIEW_STORE`` (a store file) or ``TAGLINE_REVIEW_SERVER`` (a Tagline server's URL,
  asked through ``previewChange``; ``TAGLINE_API_KEY`` if it wants one);
- ``TAGLINE_REVIEW_DIALECT``, ``TAGLINE_REVIEW_NAMESPACE``, ``TAGLINE_REVIEW_JOB_NAMESPACE``,
  ``TAGLINE_REVIEW_FAIL_ON``, ``TAGLINE_REVIEW_UI_URL``, ``TAGLINE_REVIEW_BASE`` (the base
  revision; default ``origin/$GITHUB_BASE_REF``);
- GitHub's own: ``GITHUB_API_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_EVENT_PATH`` (the pull
  request's number), ``GITHUB_TOKEN``.

Exit status: 1 when a ``--fail-on`` rule fires on any script, 2 for bad input, else 0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tagline.api.services.review import verdict
from tagline.api.services.review_markdown import render_markdown
from tagline.governance.review.verdict import parse_rules

MARKER = "<!-- tagline-review -->"
PREVIEW = """query($job: JobRefInput!, $sql: String!, $dialect: String, $ns: String!) {
  previewChange(job: $job, sql: $sql, dialect: $dialect, namespace: $ns) {
    edges { added { ...edge } removed { ...edge } }
    tags { gained { ...tag } lost { ...tag } }
    broken { namespace dataset field }
    downstream { columns { namespace dataset field } datasets { namespace name } jobs { namespace name } }
    dependencies { added { ...dependency } removed { ...dependency } }
    violations { created { ...violation } cleared { ...violation } } } }
fragment edge on ReviewEdge { source { namespace dataset field } target { namespace dataset field }
  transformation { type subtype masking } job { namespace name } }
fragment tag on ReviewTag { column { namespace dataset field } tag path { namespace dataset field } }
fragment dependency on ReviewDependency { job { namespace name } upstream { namespace name } datasets { namespace name } }
fragment violation on ReviewViolation { kind column { namespace dataset field } tags message }"""


class BadInput(Exception):
    """Configuration or a script the review cannot take; the message says which and why."""


@dataclass(frozen=True)
class Config:
    paths: list[str]
    base: str
    dialect: str
    namespace: str
    job_namespace: str
    store: str | None
    server: str | None
    rules: list[str]
    ui_url: str | None

    @classmethod
    def from_environment(cls, env: dict[str, str]) -> Config:
        store, server = env.get("TAGLINE_REVIEW_STORE") or None, env.get("TAGLINE_REVIEW_SERVER") or None
        if (store is None) == (server is None):
            raise BadInput("give one of store (a store file) and server (a Tagline server's URL)")
        base = env.get("TAGLINE_REVIEW_BASE") or ""
        if not base:
            branch = env.get("GITHUB_BASE_REF") or ""
            if not branch:
                raise BadInput("no base revision: set base, or run on a pull_request event (GITHUB_BASE_REF)")
            base = f"origin/{branch}" if _git_has(f"origin/{branch}") else branch
        try:
            rules = parse_rules(env.get("TAGLINE_REVIEW_FAIL_ON"))
        except ValueError as exc:
            raise BadInput(str(exc)) from exc
        return cls(
            paths=(env.get("TAGLINE_REVIEW_PATHS") or "*.sql").split(),
            base=base,
            dialect=env.get("TAGLINE_REVIEW_DIALECT") or "ansi",
            namespace=env.get("TAGLINE_REVIEW_NAMESPACE") or "default",
            job_namespace=env.get("TAGLINE_REVIEW_JOB_NAMESPACE") or "default",
            store=store,
            server=server.rstrip("/") if server else None,
            rules=rules,
            ui_url=env.get("TAGLINE_REVIEW_UI_URL") or None,
        )


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BadInput(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def _git_has(revision: str) -> bool:
    return (
        subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", revision], capture_output=True, check=False
        ).returncode
        == 0
    )


def changed_scripts(config: Config) -> list[Path]:
    """The job scripts the pull request adds or changes (deleted ones have nothing to run)."""
    names = _git("diff", "--name-only", "--diff-filter=AMR", f"{config.base}...HEAD", "--", *config.paths)
    return [Path(n) for n in names.splitlines() if n.endswith(".sql")]


def review_script(config: Config, script: Path, env: dict[str, str]) -> dict[str, Any]:
    """One script's review, by the CLI on the store or by ``previewChange`` on the server."""
    job = script.stem
    if config.store is not None:
        args = ["review", "--store", config.store, "--dialect", config.dialect, "--namespace", config.namespace]
        args += ["--job-namespace", config.job_namespace, "--job", job, "--after", str(script), "--format", "json"]
        done = subprocess.run([_tagline(), *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BadInput(f"{script}: {done.stderr.strip()}")
        found: dict[str, Any] = json.loads(done.stdout)
        return found
    variables = {
        "job": {"namespace": config.job_namespace, "name": job},
        "sql": script.read_text(encoding="utf-8"),
        "dialect": config.dialect,
        "ns": config.namespace,
    }
    headers = {"Content-Type": "application/json"}
    if env.get("TAGLINE_API_KEY"):
        headers["Authorization"] = f"Bearer {env['TAGLINE_API_KEY']}"
    answer = _request("POST", f"{config.server}/graphql", {"query": PREVIEW, "variables": variables}, headers)
    if answer.get("errors"):
        raise BadInput(f"{script}: {answer['errors'][0].get('message')}")
    found = answer["data"]["previewChange"]
    return found


def _tagline() -> str:
    """The `tagline` command installed beside this Python (the Action's), else the one on PATH."""
    beside = Path(sys.executable).parent / "tagline"
    return str(beside) if beside.exists() else shutil.which("tagline") or "tagline"


def _request(method: str, url: str, body: Any, headers: dict[str, str]) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def post_comment(body: str, env: dict[str, str]) -> str:
    """Update the comment an earlier run left (found by :data:`MARKER`), else post one; which it did."""
    api = (env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/")
    repository = env["GITHUB_REPOSITORY"]
    event = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text())
    number = event.get("pull_request", {}).get("number") or event.get("number")
    if not number:
        raise BadInput("the event names no pull request: run the Action on pull_request")
    headers = {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {env['GITHUB_TOKEN']}",
        "Content-Type": "application/json",
    }
    page = 1
    while True:
        comments = _request(
            "GET", f"{api}/repos/{repository}/issues/{number}/comments?per_page=100&page={page}", None, headers
        )
        mine = next((c for c in comments if MARKER in (c.get("body") or "")), None)
        if mine is not None:
            _request("PATCH", f"{api}/repos/{repository}/issues/comments/{mine['id']}", {"body": body}, headers)
            return "updated"
        if len(comments) < 100:
            break
        page += 1
    _request("POST", f"{api}/repos/{repository}/issues/{number}/comments", {"body": body}, headers)
    return "posted"


def main() -> int:
    env = dict(os.environ)
    try:
        config = Config.from_environment(env)
        scripts = changed_scripts(config)
        sections = []
        tripped = False
        for script in scripts:
            found = review_script(config, script, env)
            fired = verdict(config.rules, found)
            tripped = tripped or bool(fired)
            sections.append(render_markdown(found, f"`{script}`", fired, config.ui_url))
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not sections:
        sections = ["**Tagline review**: no job script changed.\n"]
    body = "\n".join([MARKER, *sections])
    print(body)
    print(f"comment {post_comment(body, env)}", file=sys.stderr)
    return 1 if tripped else 0


if __name__ == "__main__":
    sys.exit(main())
