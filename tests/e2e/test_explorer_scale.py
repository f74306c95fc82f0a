"""The explorer on a neighbourhood of 10,000 column edges (one column feeding 100 datasets of 100
columns; tests/e2e/explorer_neighbourhood.py) in Debian's headless Chromium: it opens collapsed
and says how many columns and edges the neighbourhood holds however few it draws; a dataset
expands on demand and collapses again; find reaches a dataset; the CSV export holds every edge.
How fast is bench/explorer.py's to measure, not asserted here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Server, start_server, stop_server
from tests.e2e.explorer_neighbourhood import NAMESPACE, build, column_path
from tests.e2e.explorer_pages import click_column, graph_ready, module_browser, open_page, redrawn

pytestmark = pytest.mark.engine

EDGES = 10_000
DATASETS = EDGES // 100
START = f"{NAMESPACE}\u0001src.events\u0001x"
COLLAPSED_ROWS = 8  # ui/src/graph/boxes.js


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from module_browser()


@pytest.fixture(scope="module")
def wide(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(build(tmp_path_factory.mktemp("wide"), EDGES))
    yield running
    stop_server(running)


@pytest.fixture
def page(browser: Browser, wide: Server) -> Iterator[Page]:
    yield from open_page(browser, wide.url)


def columns_drawn(page: Page) -> int:
    return int(page.evaluate("() => window.taglineExplorer.graph.$('node.col').not('.more').length"))


def test_ten_thousand_edges_open_collapsed_with_their_counts(page: Page, wide: Server) -> None:
    page.goto(wide.url + column_path())
    graph_ready(page)
    expect(page.locator("#neighbourhood-counts")).to_have_text("10,001 columns, 10,000 edges")
    expect(page.locator("#status")).to_contain_text(f"in {DATASETS + 1} datasets")
    # Collapsed: the start column, one node per dataset, one line per dataset, each counted.
    assert columns_drawn(page) == 1
    summaries = page.evaluate("() => window.taglineExplorer.graph.$('node.summary').map((n) => n.data('label'))")
    assert len(summaries) == DATASETS and all("100 columns" in label for label in summaries)
    lines = page.evaluate("() => window.taglineExplorer.graph.edges().map((e) => e.data('countLabel'))")
    assert lines == ["100 edges"] * DATASETS
    # Hovering the start column lights its whole path.
    click_column(page, START)
    expect(page.locator("#path-counts")).to_contain_text("0 upstream")


def test_a_dataset_expands_on_demand_and_collapses(page: Page, wide: Server) -> None:
    page.goto(wide.url + column_path())
    graph_ready(page)
    page.evaluate("() => { delete document.getElementById('graph').dataset.renderMs; }")
    click_column(page, f"more\u0001{NAMESPACE}\u0001wide.t042")
    graph_ready(page)
    # Its column edges were fetched; it draws 59 of its 100 columns and "41 more" (at most 60 rows).
    assert columns_drawn(page) == 1 + 59
    assert page.evaluate(
        f"() => window.taglineExplorer.graph.getElementById('{NAMESPACE}\u0001wide.t042\u0001c001').nonempty()"
    )
    more = page.evaluate(
        f"() => window.taglineExplorer.graph.getElementById('more\u0001{NAMESPACE}\u0001wide.t042').data('label')"
    )
    assert more.startswith("41 more columns")
    expect(page.locator("#neighbourhood-counts")).to_have_text("10,001 columns, 10,000 edges")
    # Collapsed again, now that its edges are known: the first of its columns on the start's DIRECT path.
    redrawn(page, "#collapse-all")
    assert columns_drawn(page) == 1 + COLLAPSED_ROWS
    more = page.evaluate(
        f"() => window.taglineExplorer.graph.getElementById('more\u0001{NAMESPACE}\u0001wide.t042').data('label')"
    )
    assert more.startswith(f"{100 - COLLAPSED_ROWS} more columns")


def test_find_reaches_a_collapsed_dataset(page: Page, wide: Server) -> None:
    page.goto(wide.url + column_path())
    graph_ready(page)
    page.fill("#find", "wide.t077")
    expect(page.locator("#found-count")).to_have_text("1 match drawn")
    found = page.evaluate("() => window.taglineExplorer.graph.$('node.found').map((n) => n.data('find'))")
    assert found == ["wide.t077"]
    page.fill("#find", "nothing such")
    expect(page.locator("#found-count")).to_have_text("0 matches drawn")


def test_csv_export_holds_every_edge(page: Page, wide: Server) -> None:
    page.goto(wide.url + column_path())
    graph_ready(page)
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert len(rows) == EDGES
    assert {(r["source_dataset"], r["source_column"]) for r in rows} == {("src.events", "x")}
    assert len({(r["target_dataset"], r["target_column"]) for r in rows}) == EDGES
    assert {r["type"] for r in rows} == {"DIRECT"}
    first = min(rows, key=lambda r: (r["target_dataset"], r["target_column"]))
    assert (first["target_dataset"], first["target_column"], first["expression"]) == ("wide.t001", "c001", "s.x + 1")
