"""Without Chromium the browser tests skip with a line saying how to enable them, unless
TAGLINE_REQUIRE_CHROMIUM=1 makes the missing browser a failure (as CI does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import chromium


def test_a_missing_browser_skips_with_how_to_enable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv(chromium.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        chromium.skip_unless_available()


def test_a_missing_browser_fails_when_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv(chromium.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="TAGLINE_REQUIRE_CHROMIUM=1"):
        chromium.skip_unless_available()
