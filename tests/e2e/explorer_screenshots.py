"""The README's screenshots of the explorer: `make screenshots` (or
``python -m tests.e2e.explorer_screenshots docs/screenshots``) loads the demo into a temporary
store, serves it, and photographs the main views in Debian's Chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from tests.chromium import chromium
from tests.e2e.conftest import run_cli, start_server, stop_server

MARTS = quote("redshift://analytics.eu-west-1:5439")
WAREHOUSE = quote("hive://warehouse")
EMAIL = f"/ui/column?namespace={MARTS}&dataset=marts.marketing_contacts&field=email&up=3&down=2"
# The demo's 224-edge neighbourhood: ods.payment_cards.ds, a partition column every job filters on.
CARDS = f"/ui/column?namespace={WAREHOUSE}&dataset=ods.payment_cards&field=ds&up=2&down=4&direct=0"
BRAND = "hive://warehouse\\u0001dw.dim_payment_card\\u0001card_brand"


def take(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        store = str(Path(scratch) / "graph.db")
        run_cli("demo", "--store", store)
        server = start_server(store)
        taken: list[Path] = []
        try:
            with chromium() as browser:
                page = browser.new_page(viewport={"width": 1440, "height": 900})

                def shot(name: str) -> None:
                    page.wait_for_timeout(400)
                    path = folder / f"{name}.png"
                    page.screenshot(path=str(path))
                    taken.append(path)

                page.goto(server.url + CARDS)
                page.wait_for_selector("#graph[data-render-ms]")
                shot("column-collapsed")
                page.evaluate("() => { delete document.getElementById('graph').dataset.renderMs; }")
                page.click("#expand-all")
                page.wait_for_selector("#graph[data-render-ms]")
                x, y = page.evaluate(
                    f"""() => {{ const n = window.taglineExplorer.graph.getElementById('{BRAND}');
                               const box = document.getElementById('graph').getBoundingClientRect();
                               const at = n.renderedPosition(); return [box.x + at.x, box.y + at.y]; }}"""
                )
                page.mouse.click(x, y)
                shot("column-graph")
                page.goto(server.url + EMAIL)
                page.wait_for_selector("#graph[data-render-ms]")
                page.click("button.why[data-tag='pii.email']")
                page.wait_for_selector("#why-title")
                shot("column-why")
                page.get_by_role("button", name="Tree table").click()
                page.wait_for_selector("#tree-table")
                shot("tree-table")
                page.goto(f"{server.url}/ui/dataset?namespace={WAREHOUSE}&name=dw.dim_customer")
                page.wait_for_selector("#table-lineage canvas")
                page.locator("#columns tr", has_text="email_sha256").get_by_role("button", name="impact").click()
                page.wait_for_selector("#impact h3")
                shot("dataset")
                page.goto(f"{server.url}/ui/security")
                page.wait_for_selector("#audit tbody tr")
                shot("security")
        finally:
            stop_server(server)
    return taken


if __name__ == "__main__":
    for written in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(written)
