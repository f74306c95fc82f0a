"""deploy/lib.sh, which every run script under deploy/ sources: templates filled literally, and
Java's version checked before a JVM service is started with the wrong one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "deploy" / "lib.sh"
BASH = shutil.which("bash") or "/bin/bash"


def _bash(script: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path} if path is not None else None
    return subprocess.run(
        [BASH, "-c", f'source "{LIB}"\n{script}'], capture_output=True, text=True, env=env, check=False
    )


def test_templates_take_values_literally(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.properties", tmp_path / "out.properties"
    src.write_text("storage.directory=@DATA@/berkeleyje\nport=@PORT@\nkeep=@OTHER@\n")
    value = r"/tmp/a|b&c\d e/$HOME"
    result = _bash(f"fill_template '{src}' '{dst}' 'DATA={value}' PORT=8182")
    assert result.returncode == 0, result.stderr
    assert dst.read_text() == f"storage.directory={value}/berkeleyje\nport=8182\nkeep=@OTHER@\n"


def _fake_java(tmp_path: Path, version: str) -> str:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2020-01-01' >&2\n")
    java.chmod(0o755)
    return f"{bin_dir}:/usr/bin:/bin"


@pytest.mark.parametrize("version", ["11.0.2", "1.8.0_392"])
def test_an_old_java_is_refused_with_its_version_named(tmp_path: Path, version: str) -> None:
    result = _bash("require_java JanusGraph 17", path=_fake_java(tmp_path, version))
    assert result.returncode == 2
    assert f"JanusGraph needs Java >= 17; 'java' on PATH is version '{version}'" in result.stderr


def test_a_missing_java_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = _bash("require_java Kafka 17", path=f"{empty}")
    assert result.returncode == 2
    assert "Kafka needs Java >= 17 (java not found on PATH)" in result.stderr
