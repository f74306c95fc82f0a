"""The explorer in Debian's Chromium at 1,000, 3,582 and 10,000 column edges: first paint and
interaction, then cytoscape's canvas against sigma.js's WebGL on the same drawings.

Part 1, the explorer as shipped: a temporary store per size (tests/e2e/explorer_neighbourhood.py:
one column feeding N columns in datasets of 100), a real server, and the column's page opened
collapsed. Figures, the median of ``--rounds`` fresh tabs:
- first paint: from the page's navigation to the graph's first frame (assets, the queries, layout,
  drawing);
- hover: the start column's path highlighted and the next two frames drawn;
- expand: a collapsed dataset clicked, its column edges fetched and the graph drawn again.

Part 2, the renderers alone (ui/bench/renderers.js, built by vite.bench.config.js into
build/ui-bench, served from a local folder): every one of the N columns drawn in its dataset's box,
once by the explorer's cytoscape drawing and once by sigma.js 4 (WebGL; SwiftShader here, as the
browser has no GPU); first frame, and a hover highlight redrawn.

    .venv/bin/python bench/explorer.py [--edges 1000 3582 10000] [--rounds 3] [--no-build]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, TimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.chromium import chromium
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.explorer_neighbourhood import NAMESPACE, build, column_path

ROOT = Path(__file__).resolve().parent.parent
BENCH_PAGE = ROOT / "build" / "ui-bench"
START = f"{NAMESPACE}\u0001src.events\u0001x"
FIRST_BOX = f"more\u0001{NAMESPACE}\u0001wide.t001"
HANG_MS = 300_000

HOVER = """async (id) => {
  const cy = window.taglineExplorer.graph;
  const at = performance.now();
  cy.getElementById(id).emit('mouseover');
  await new Promise((done) => { requestAnimationFrame(() => requestAnimationFrame(done)); });
  return performance.now() - at;
}"""
EXPAND = (
    """(id) => { window.expandAt = performance.now(); window.taglineExplorer.graph.getElementById(id).emit('tap'); }"""
)


def median(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f}"


def explorer_round(browser: Browser, url: str) -> tuple[float, float, float]:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.set_default_timeout(HANG_MS)
    try:
        page.goto(url)
        page.wait_for_selector("#graph[data-painted-at]")
        painted = float(page.get_attribute("#graph", "data-painted-at") or 0)
        hover = float(page.evaluate(HOVER, START))
        page.evaluate(EXPAND, FIRST_BOX)
        page.wait_for_function("() => Number(document.getElementById('graph')?.dataset.paintedAt) > window.expandAt")
        expand = float(
            page.evaluate("() => Number(document.getElementById('graph').dataset.paintedAt) - window.expandAt")
        )
        return painted, hover, expand
    finally:
        page.close()


def explorer_figures(browser: Browser, sizes: list[int], rounds: int, folder: Path) -> None:
    print("explorer (ms, median)   edges  first paint  hover  expand a dataset   drawn on first paint")
    for edges in sizes:
        store = build(folder, edges)
        server = start_server(store)
        try:
            taken = [explorer_round(browser, server.url + column_path()) for _ in range(rounds)]
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(server.url + column_path())
            page.wait_for_selector("#graph[data-painted-at]")
            drawn = page.evaluate("() => window.taglineExplorer.graph.elements().length")
            page.close()
        finally:
            stop_server(server)
        first, hover, expand = ([t[i] for t in taken] for i in range(3))
        print(f"{'':24}{edges:>6,}  {median(first):>11}  {median(hover):>5}  {median(expand):>16}   {drawn:,} elements")


@contextmanager
def served(folder: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def renderer_round(browser: Browser, url: str, patience_ms: int) -> dict[str, float] | None:
    """What the page measured, or None when it had not drawn within ``patience_ms``."""
    page: Page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.benchResult !== undefined", timeout=patience_ms)
        result: dict[str, float] = page.evaluate("() => window.benchResult")
        if "error" in result:
            raise RuntimeError(f"{url}: {result['error']}")
        return result
    except TimeoutError:
        return None
    finally:
        page.close()


def renderer_figures(browser: Browser, sizes: list[int], rounds: int, patience_ms: int) -> None:
    print("renderers, every row drawn (ms, median)   edges  first frame  hover")
    with served(BENCH_PAGE) as base:
        for edges in sizes:
            for renderer in ("cytoscape", "sigma"):
                url = f"{base}/renderers.html?edges={edges}&renderer={renderer}"
                taken = [renderer_round(browser, url, patience_ms) for _ in range(rounds)]
                done = [t for t in taken if t is not None]
                if not done:
                    print(f"  {renderer:<40}{edges:>6,}  not drawn within {patience_ms / 1000:.0f} s")
                    continue
                first = median([t["firstPaint"] for t in done])
                hover = median([t["hover"] for t in done])
                print(f"  {renderer:<40}{edges:>6,}  {first:>11}  {hover:>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[1000, 3582, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="use build/ui-bench as it is")
    parser.add_argument("--patience", type=float, default=120, help="seconds a renderer may take to draw")
    args = parser.parse_args()
    if not args.no_build:
        if not (ROOT / "ui" / "node_modules").is_dir():  # the locked packages, as `make ui` installs them
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT / "ui", check=True)
        subprocess.run(
            ["npx", "vite", "build", "--config", "vite.bench.config.js", "--logLevel", "warn"],
            cwd=ROOT / "ui",
            check=True,
        )
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as scratch, chromium() as browser:
        explorer_figures(browser, args.edges, args.rounds, Path(scratch))
        renderer_figures(browser, args.edges, args.rounds, int(args.patience * 1000))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
