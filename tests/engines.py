"""What the tests need of the machine for the external engines, and one rule when it is missing:
skip with a line saying how to enable the engine, or fail when ``TAGLINE_REQUIRE_<ENGINE>=1``
(CI sets them, so an engine missing there is a failure, not a skip)."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest


def java_major() -> int | None:
    java = shutil.which("java")
    if java is None:
        return None
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    text = result.stderr or result.stdout
    try:
        quoted = text.split('"')[1]
        return int(quoted.split(".")[0])
    except (IndexError, ValueError):
        return None


def java_and_maven() -> bool:
    """Java 17 or later and Maven: what every engine from Maven Central needs."""
    major = java_major()
    return major is not None and major >= 17 and shutil.which("mvn") is not None


def required(env: str) -> bool:
    return os.environ.get(env, "") not in ("", "0")


def need(available: bool, env: str, missing: str) -> None:
    """Go on if the engine is ``available``; else skip saying ``missing``, or fail if ``env`` requires it."""
    if available:
        return
    if required(env):
        pytest.fail(missing)
    pytest.skip(missing)


# Every engine process group started in this test process, stopped at exit whatever ends the run.
_running: dict[int, subprocess.Popen[bytes]] = {}


def spawn(command: list[str], log: Path, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start an engine's run script in a process group of its own, its output appended to ``log``.

    Its own group, so that the terminal's Ctrl-C reaches pytest alone and pytest stops the engines
    in order (JanusGraph before the Cassandra under it), and so that stopping one reaches every
    process its script started. Registered, so that no exit of pytest leaves one behind."""
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=dict(env), start_new_session=True)
    _running[process.pid] = process
    return process


def stop_group(process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """SIGTERM to the process's whole group, then SIGKILL past ``timeout_s``."""
    _running.pop(process.pid, None)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=timeout_s)
            # The script has gone; what it started may linger a moment: SIGKILL reaches the rest.
            os.killpg(process.pid, signal.SIGKILL)
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            pass
        break


@atexit.register
def stop_all() -> None:
    """Stop every engine still running: after Ctrl-C, SIGTERM, or a session that ended abruptly."""
    for process in list(_running.values()):
        stop_group(process)


def stop_on_sigterm() -> None:
    """SIGTERM ends the run as Ctrl-C does: fixtures are torn down and engines stopped, instead of
    pytest dying at once with its engines left running."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


class EngineProcess:
    """What every engine the tests start has: its process (a group of its own, see :func:`spawn`),
    a log file, and how it stops (:func:`stop_group`). Mixed into each engine's own record."""

    STOP_TIMEOUT_S = 30.0
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        stop_group(self.process, self.STOP_TIMEOUT_S)
