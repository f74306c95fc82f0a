"""The explorer keeps an open page current: a column's page, open in Debian's headless Chromium,
draws a column that `tagline ingest sql` in another process adds downstream of it, without being
reloaded, and says when it was updated (the page follows lineageChanged and tagsChanged over the
server's WebSocket)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import TimeoutError as PageTimeout

from tests.e2e.conftest import Server, run_cli, run_cli_process, start_server, stop_server
from tests.e2e.explorer_pages import HANG_MS, graph_ready, module_browser, open_page

pytestmark = pytest.mark.engine

NS = "hive://live"
COLUMN = f"/ui/column?namespace={quote(NS)}&dataset=s.b&field=y"
# How long one written column is waited for before another is written, should the first have
# been written before the page's subscription was registered (then the next event brings both).
ROUND_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from module_browser()


def ingest(store: str, sql: str, *more: str, in_process: bool = True) -> None:
    run = run_cli if in_process else run_cli_process
    run(
        "ingest",
        "sql",
        "--store",
        store,
        "--dialect",
        "hive",
        "--namespace",
        NS,
        "--job",
        "live",
        *more,
        "-",
        stdin=sql,
    )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("explorer-live") / "graph.db")
    ingest(store, "INSERT INTO s.b SELECT x AS y FROM s.a", "--create")
    running = start_server(store)
    yield running
    stop_server(running)


DRAWN = "(id) => window.taglineExplorer.graph.getElementById(id).length > 0"
NEW_COLUMN = f"{NS}\u0001s.c1\u0001z"


def test_a_column_added_downstream_by_another_process_appears_on_the_open_page(browser: Browser, live: Server) -> None:
    for page in open_page(browser, live.url):
        page.goto(live.url + COLUMN)
        graph_ready(page)
        expect(page.locator("#status")).to_contain_text("2 columns, 1 edge")
        expect(page.locator("#live-note[data-live]")).to_be_attached()
        expect(page.locator("#live-note")).to_have_text("")
        page.evaluate("() => { window.notReloaded = true; }")

        deadline = time.monotonic() + HANG_MS / 1000
        n = 0
        while not page.evaluate(DRAWN, NEW_COLUMN):
            assert time.monotonic() < deadline, f"s.c1.z not drawn after {n} writes"
            n += 1
            ingest(live.store, f"INSERT INTO s.c{n} SELECT y AS z FROM s.b", in_process=False)
            try:
                page.wait_for_function(DRAWN, arg=NEW_COLUMN, timeout=ROUND_MS)
            except PageTimeout:
                continue

        assert page.evaluate("() => window.notReloaded") is True
        expect(page.locator("#live-note")).to_contain_text("updated ")
        expect(page.locator("#status")).to_contain_text(f"{n + 2} columns, {n + 1} edges")
