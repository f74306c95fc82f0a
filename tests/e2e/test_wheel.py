"""The built wheel, installed apart from the checkout, serves the demo from an empty folder: the
package carries its rooms, the explorer's bundle and the demo warehouse, not just the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# Builds in an isolated environment that pip fills from the package index: slow for `make check`.
pytestmark = [pytest.mark.smoke, pytest.mark.engine]


def _run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def test_installed_wheel_loads_and_serves_the_demo_from_an_empty_folder(tmp_path: Path) -> None:
    dist, site, empty = tmp_path / "dist", tmp_path / "site", tmp_path / "empty"
    empty.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    _run(*pip, "wheel", "--no-deps", "--wheel-dir", dist, ROOT)
    (wheel,) = dist.glob("tagline-*.whl")
    _run(*pip, "install", "--no-deps", "--target", site, wheel)
    # The wheel's copy comes first on the path, ahead of the checkout's editable install.
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = _run(sys.executable, "-c", "import tagline; print(tagline.__file__)", env=env, cwd=empty)
    assert where.strip().startswith(str(site)), where
    tagline = site / "bin" / "tagline"

    out = _run(tagline, "demo", "--store", "demo.db", env=env, cwd=empty)
    assert "demo loaded" in out

    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [tagline, "serve", "--store", "demo.db", "--port", str(port)],
        cwd=empty,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # only catches a server that never starts
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        query = '{ column(namespace: "hive://warehouse", dataset: "dw.dim_customer", field: "email_sha256") { upstream(depth: 2) { source { dataset field } } } }'
        answer = httpx.post(f"{url}/graphql", json={"query": query}, timeout=30).json()
        sources = {(e["source"]["dataset"], e["source"]["field"]) for e in answer["data"]["column"]["upstream"]}
        assert ("ods.customers", "email") in sources, answer
        assert "<script" in httpx.get(f"{url}/ui", timeout=30, follow_redirects=True).text
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
