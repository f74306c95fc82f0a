"""What the tests need of the machine for the external engines, and one rule when it is missing:
skip with a line saying how to enable the engine, or fail when ``TAGLINE_REQUIRE_<ENGINE>=1``
(CI sets them, so an engine missing there is a failure, not a skip)."""

from __future__ import annotations

import os
import shutil
import subprocess
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


class EngineProcess:
    """What every engine the tests start has: its process, a log file, and how it stops (SIGTERM,
    then a kill past ``STOP_TIMEOUT_S``). Mixed into each engine's own record."""

    STOP_TIMEOUT_S = 30.0
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
