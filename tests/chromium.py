"""Debian's Chromium (/usr/bin/chromium, installed by `make browser`) driven by Playwright.

Playwright only speaks to the browser here: its own browser downloads are never used, and the
browser is told not to reach the network by itself, so the explorer's tests need no internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.engines import need

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "TAGLINE_REQUIRE_CHROMIUM"
MISSING = (
    f"browser tests need Debian's Chromium at {CHROMIUM}: run `make browser` "
    f"(apt-get install -y chromium), or set {REQUIRE_ENV}=1 to make this a failure"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def skip_unless_available() -> None:
    """Skip the calling test (or fail it when TAGLINE_REQUIRE_CHROMIUM=1) without Chromium."""
    need(CHROMIUM.exists(), REQUIRE_ENV, MISSING)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
