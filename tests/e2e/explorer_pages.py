"""What the explorer's browser tests share: Chromium for a module, the demo served for a module, a
fresh tab that fails the test on a page error or a request leaving Tagline (no CDN), and ways to
wait for and click the graph."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.chromium import chromium, skip_unless_available
from tests.e2e.conftest import Server, run_cli, start_server, stop_server

# How long a step may wait before the test calls it hung: generous, since the machine may be busy;
# how fast the explorer draws is not asserted here (bench/explorer.py measures it).
HANG_MS = 180_000
expect.set_options(timeout=HANG_MS)


def module_browser() -> Iterator[Browser]:
    """Chromium for a module's tests, which skip where it is not installed."""
    skip_unless_available()
    with chromium() as running:
        yield running


def demo_server(folder: Path) -> Iterator[Server]:
    """`tagline serve` over the demo warehouse, loaded into a store made in ``folder``."""
    store = str(folder / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store)
    yield running
    stop_server(running)


def open_page(browser: Browser, url: str) -> Iterator[Page]:
    """A fresh tab (its own session, downloads allowed) that records requests leaving the server
    at ``url`` and fails on page errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(HANG_MS)
    foreign: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:")) else foreign.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert foreign == [], f"the page fetched from outside Tagline: {foreign}"
    assert errors == [], f"errors in the page: {errors}"


def graph_ready(page: Page) -> None:
    page.wait_for_selector("#graph[data-render-ms]", timeout=HANG_MS)


def redrawn(page: Page, action: str) -> None:
    """Click ``action`` (a selector) and wait for the graph drawn again."""
    page.evaluate("() => { delete document.getElementById('graph').dataset.renderMs; }")
    page.click(action)
    graph_ready(page)


def click_column(page: Page, node_id: str) -> None:
    """Click a node of the graph canvas where cytoscape drew it, brought into view first."""
    x, y = page.evaluate(
        """(id) => { const cy = window.taglineExplorer.graph; const n = cy.getElementById(id);
                     const box = document.getElementById('graph').getBoundingClientRect();
                     const r = n.renderedBoundingBox();
                     if (r.x1 < 0 || r.y1 < 0 || r.x2 > box.width || r.y2 > box.height) cy.center(n);
                     const at = n.renderedPosition(); return [box.x + at.x, box.y + at.y]; }""",
        node_id,
    )
    page.mouse.click(x, y)


def drawn_edges(page: Page, selector: str = "edge") -> int:
    """How many column edges the drawn lines matching ``selector`` stand for."""
    return int(
        page.evaluate("(s) => window.taglineExplorer.graph.$(s).reduce((n, e) => n + e.data('count'), 0)", selector)
    )
