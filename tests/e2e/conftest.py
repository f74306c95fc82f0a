"""A real `tagline serve` process on a free port, and the real `tagline` CLI, on a temporary store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

TAGLINE = str(Path(sys.executable).parent / "tagline")



@dataclass
class Server:
    url: str
    store: str
    process: subprocess.Popen[bytes]

    def caught_up(self, timeout_s: float = 10) -> None:
        """Wait until the server's index has applied every write (the CLI writes from another process)."""
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
    result = subprocess.run([TAGLINE, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"tagline {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def start_server(store: str, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [TAGLINE, "serve", "--store", store, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"tagline serve exited early:\n{output}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url=url, store=store, process=process)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("tagline serve did not answer /healthz within 30 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(str(tmp_path_factory.mktemp("store") / "graph.db"))
    yield running
    stop_server(running)
