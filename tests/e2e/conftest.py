"""Tagline's app served by a real uvicorn on a free port, and the real `tagline` commands, on a
temporary store: in this process for speed, or as processes of their own for the smoke tests
(marked ``smoke``) that check what only the installed script does."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from tagline.api.app import create_app
from tagline.api.cli.main import app as cli_app
from tagline.api.http.connections import connection_options
from tagline.api.settings import Settings
from tests.ports import free_port

TAGLINE = str(Path(sys.executable).parent / "tagline")


@dataclass
class Server:
    """A server under test: on a thread of this process (``served``), or a process of its own."""

    url: str
    store: str
    served: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None  # where a server process writes its output

    def output(self) -> str:
        """What a server process has written so far (its log lines)."""
        return self.log.read_text(errors="replace") if self.log is not None else ""

    def caught_up(self, timeout_s: float = 180) -> None:
        """Wait until the server's index has applied every write (on a Gremlin Server, whose log a
        server follows on its own schedule; the embedded store's is read by every request).
        ``timeout_s`` only catches an index that never catches up."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if httpx.get(f"{self.url}/readyz", timeout=5).json().get("index_lag") == 0:
                return
            time.sleep(0.05)
        raise AssertionError(f"the server's lineage index did not catch up within {timeout_s} s")

    def graphql(self, query: str, variables: dict[str, object] | None = None) -> dict[str, object]:
        self.caught_up()
        response = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
        return response.json()


def run_cli(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The `tagline` command with ``args``, run in this process through Typer's runner: the same
    commands, options and exit statuses as the installed script, without a second's start-up."""
    result = CliRunner().invoke(cli_app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    completed = subprocess.CompletedProcess(["tagline", *args], result.exit_code, result.stdout, result.stderr)
    return _checked(completed, check)


def run_cli_process(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The installed `tagline` script in a process of its own (the smoke tests' way)."""
    result = subprocess.run([TAGLINE, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False)
    return _checked(result, check)


def _checked(result: subprocess.CompletedProcess[str], check: bool) -> subprocess.CompletedProcess[str]:
    if check and result.returncode != 0:
        raise AssertionError(
            f"tagline {' '.join(result.args[1:])} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def start_server(store: str, env: dict[str, str] | None = None) -> Server:
    """The app `tagline serve` runs, served by a real uvicorn on a free port, on a thread of this
    process; ``env`` holds settings (``TAGLINE_*``) for this server only."""
    port = free_port()
    with _environment(env or {}):
        settings = Settings(store=store, port=port)
        app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **connection_options(settings))
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, name=f"tagline-serve-{port}", daemon=True)
    thread.start()
    server = Server(url=f"http://127.0.0.1:{port}", store=store, served=served, thread=thread)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise AssertionError("the server stopped while starting (see the log above)")
        if served.started:
            return server
        time.sleep(0.02)
    stop_server(server)
    raise AssertionError("the server did not start within 30 s")


def start_server_process(
    store: str, env: dict[str, str] | None = None, preexec_fn: Callable[[], None] | None = None
) -> Server:
    """`tagline serve` in a process of its own, as users start it (the smoke tests' way);
    ``preexec_fn`` runs in the child before it starts (to set its resource limits, say)."""
    port = free_port()
    # The server's output goes to a file: a pipe nobody reads fills up and stops the server at
    # its next log line.
    log = tempfile.NamedTemporaryFile(prefix=f"tagline-serve-{port}-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [TAGLINE, "serve", "--store", store, "--create", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,  # noqa: PLW1509 - callers pass a lone system call (setrlimit), no locks
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"tagline serve exited early:\n{Path(log.name).read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url=url, store=store, process=process, log=Path(log.name))
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("tagline serve did not answer /healthz within 30 s")


def stop_server(server: Server) -> None:
    """Stop as SIGTERM stops `tagline serve`: requests finish, the index snapshot is written."""
    if server.process is not None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
        return
    assert server.served is not None and server.thread is not None
    server.served.should_exit = True
    server.thread.join(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(str(tmp_path_factory.mktemp("store") / "graph.db"))
    yield running
    stop_server(running)
