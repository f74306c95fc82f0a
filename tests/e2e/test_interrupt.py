"""Interrupting the suite stops what it started: Ctrl-C (SIGINT) or SIGTERM to a pytest that holds
a JanusGraph Server leaves no process of that server behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import janusgraph_server
from tests.engines import need

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.engine


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_leaves_no_engine_behind(sig: signal.Signals, tmp_path: Path) -> None:
    need(janusgraph_server.available(), janusgraph_server.REQUIRE_ENV, janusgraph_server.MISSING)
    log = tmp_path / "pytest.log"
    with log.open("w") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", "tests/e2e/engine_hold.py", "-s", "-q", "-p", "no:cacheprovider",
             "--basetemp", str(tmp_path / "inner")],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 900  # only catches a hang (the first start resolves Maven artifacts)
        engine_pid = None
        while engine_pid is None:
            held = [line for line in log.read_text().splitlines() if line.startswith("HOLDING ")]
            if held:
                engine_pid = int(held[0].split()[1])
                break
            assert run.poll() is None, f"the inner run ended before holding JanusGraph:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"JanusGraph never came up:\n{log.read_text()}"
            time.sleep(0.5)
        assert _group_alive(engine_pid)

        run.send_signal(sig)
        status = run.wait(timeout=180)
        assert status != 0, log.read_text()
        assert not _group_alive(engine_pid), f"JanusGraph's processes outlived the run:\n{log.read_text()}"
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
