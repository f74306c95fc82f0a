"""The explorer's graph tools in Debian's headless Chromium, on the demo's 224-edge neighbourhood
of ods.payment_cards.ds: datasets collapsed by default and expanded on demand, the filters, find,
focus on one path, the legend, CSV export of lineage and impact, the usage strip's dates, and the
job page's SQL with the selected column's expression marked. No timing is asserted."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Server
from tests.e2e.explorer_pages import (
    click_column,
    demo_server,
    drawn_edges,
    graph_ready,
    module_browser,
    open_page,
    redrawn,
)

pytestmark = pytest.mark.engine

WAREHOUSE = "hive://warehouse"
CARDS = f"/ui/column?namespace={quote(WAREHOUSE)}&dataset=ods.payment_cards&field=ds&up=2&down=4&direct=0"
ROOT = f"{WAREHOUSE}\u0001ods.payment_cards\u0001ds"
LINEAGE = """query($dir: Direction!, $depth: Int!) {
  lineage(namespace: "hive://warehouse", dataset: "ods.payment_cards", field: "ds", direction: $dir, depth: $depth,
          directOnly: false, maxNodes: 2500) {
    truncated edges { source { namespace dataset field } target { namespace dataset field }
      transformation { type subtype masking } expression job { name } }
  }
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from module_browser()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from demo_server(tmp_path_factory.mktemp("tools"))


@pytest.fixture(scope="module")
def edges(demo: Server) -> list[dict[str, Any]]:
    """The neighbourhood's column edges as the flat `lineage` field answers them, both ways."""
    found: list[dict[str, Any]] = []
    for direction, depth in (("UPSTREAM", 2), ("DOWNSTREAM", 4)):
        body = httpx.post(
            f"{demo.url}/graphql", json={"query": LINEAGE, "variables": {"dir": direction, "depth": depth}}, timeout=60
        ).json()
        assert not body["data"]["lineage"]["truncated"]
        found += body["data"]["lineage"]["edges"]
    return found


@pytest.fixture
def page(browser: Browser, demo: Server) -> Iterator[Page]:
    yield from open_page(browser, demo.url)


def expanded(page: Page, demo: Server) -> None:
    page.goto(demo.url + CARDS)
    graph_ready(page)
    redrawn(page, "#expand-all")


def test_the_neighbourhood_opens_collapsed_with_its_counts_and_expands(
    page: Page, demo: Server, edges: list[dict[str, Any]]
) -> None:
    assert len(edges) == 224
    page.goto(demo.url + CARDS)
    graph_ready(page)
    expect(page.locator("#neighbourhood-counts")).to_have_text("78 columns, 224 edges")
    # ds only filters (INDIRECT): no other column lies on its DIRECT path, so each dataset is one row.
    collapsed = page.evaluate("() => window.taglineExplorer.graph.$('node.col').not('.more').length")
    assert collapsed == 1
    assert drawn_edges(page) == 224  # every edge is counted on the lines between the collapsed datasets
    redrawn(page, "#expand-all")
    assert page.evaluate("() => window.taglineExplorer.graph.$('node.col').not('.more').length") == 78
    assert drawn_edges(page) == 224
    redrawn(page, "#collapse-all")
    assert page.evaluate("() => window.taglineExplorer.graph.$('node.col').not('.more').length") == collapsed
    # One dataset expanded by a click on its "N more" row: its 9 columns are drawn.
    page.evaluate("() => { delete document.getElementById('graph').dataset.renderMs; }")
    click_column(page, f"more\u0001{WAREHOUSE}\u0001dw.dim_payment_card")
    graph_ready(page)
    fields = page.evaluate(
        """() => window.taglineExplorer.graph.$('node.col').not('.more')
                  .filter((n) => n.data('boxKey').endsWith('dw.dim_payment_card')).length"""
    )
    assert fields == 9


def test_hide_indirect_fans_keeps_every_direct_edge(page: Page, demo: Server) -> None:
    expanded(page, demo)
    direct, indirect = direct_edges(page), drawn_edges(page) - direct_edges(page)
    assert indirect > 0
    redrawn(page, "#hide-fans")
    assert direct_edges(page) == direct
    assert drawn_edges(page) - direct_edges(page) < indirect


def direct_edges(page: Page) -> int:
    return int(page.evaluate("() => window.taglineExplorer.graph.edges().reduce((n, e) => n + e.data('direct'), 0)"))


def test_a_transformation_subtype_keeps_its_edges_alone(page: Page, demo: Server, edges: list[dict[str, Any]]) -> None:
    subtypes = Counter(str(e["transformation"]["subtype"]) for e in edges)
    expanded(page, demo)
    offered = page.locator("#subtype option").all_inner_texts()[1:]
    assert offered == sorted(s for s in subtypes if s != "None")
    for subtype in ("IDENTITY", "FILTER"):
        page.evaluate("() => { delete document.getElementById('graph').dataset.renderMs; }")
        page.select_option("#subtype", subtype)
        graph_ready(page)
        assert drawn_edges(page) == subtypes[subtype], subtype


def test_a_tag_family_draws_the_columns_carrying_it(page: Page, demo: Server) -> None:
    expanded(page, demo)
    page.evaluate("() => { delete document.getElementById('graph').dataset.renderMs; }")
    page.select_option("#family", "pci")
    graph_ready(page)
    labels = page.evaluate(
        "(root) => window.taglineExplorer.graph.$('node.col').not('.more').filter((n) => n.id() !== root).map((n) => n.data('label'))",
        ROOT,
    )
    assert labels, "no column of the pci family drawn"
    assert all("pci" in label for label in labels), labels


def test_find_marks_the_matches_and_focus_draws_one_path(page: Page, demo: Server) -> None:
    expanded(page, demo)
    page.fill("#find", "card_brand")
    expect(page.locator("#found-count")).to_contain_text("matches drawn")
    found = page.evaluate("() => window.taglineExplorer.graph.$('node.found').map((n) => n.data('find'))")
    assert found and all("card_brand" in name for name in found), found
    assert page.locator("#found-count").inner_text().startswith(f"{len(found)} match")
    page.fill("#find", "")
    brand = f"{WAREHOUSE}\u0001dw.dim_payment_card\u0001card_brand"
    click_column(page, brand)
    expect(page.locator("#path-counts")).to_contain_text("upstream")
    upstream, downstream = [int(w) for w in page.locator("#path-counts").inner_text().split() if w.isdigit()]
    redrawn(page, "#focus-path")
    expect(page.locator("#unfocus")).to_be_visible()
    drawn = page.evaluate("() => window.taglineExplorer.graph.$('node.col').not('.more').map((n) => n.id())")
    assert brand in drawn and len(drawn) == upstream + downstream + 1
    redrawn(page, "#unfocus")
    assert page.evaluate("() => window.taglineExplorer.graph.$('node.col').not('.more').length") == 78


def test_the_legend_explains_masked_tags(page: Page, demo: Server) -> None:
    page.goto(demo.url + CARDS)
    graph_ready(page)
    legend = page.locator("#legend")
    for words in ("DIRECT", "INDIRECT", "masking", "restricted"):
        expect(legend).to_contain_text(words)
    masked = page.locator("#legend-masked")
    expect(masked.locator(".tag.masked")).to_be_visible()
    expect(masked).to_contain_text("every path that brings the tag masks the value")


def test_csv_export_of_the_lineage(page: Page, demo: Server, edges: list[dict[str, Any]]) -> None:
    page.goto(demo.url + CARDS)
    graph_ready(page)
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert download.value.suggested_filename == "lineage-ods.payment_cards.ds.csv"
    assert len(rows) == len(edges) == 224

    def edge_row(e: dict[str, Any]) -> tuple[str, ...]:
        t = e["transformation"]
        fields = (e["source"]["dataset"], e["source"]["field"], e["target"]["dataset"], e["target"]["field"])
        job = (e["job"] or {}).get("name", "")
        return (*fields, t["type"], t["subtype"] or "", str(t["masking"]).lower(), job, e["expression"] or "")

    columns = ("source_dataset", "source_column", "target_dataset", "target_column", "type", "subtype", "masking")
    got = Counter((*(r[c] for c in columns), r["job"], r["expression"]) for r in rows)
    assert got == Counter(edge_row(e) for e in edges)


def test_csv_export_of_an_impact_and_the_usage_strips_dates(page: Page, demo: Server) -> None:
    page.goto(f"{demo.url}/ui/dataset?namespace={quote(WAREHOUSE)}&name=dw.dim_customer")
    dates = page.locator("#usage-dates .date")
    expect(dates).to_have_count(30)
    query = '{ dataset(namespace: "hive://warehouse", name: "dw.dim_customer") { usage(days: 30) { date } } }'
    days = [
        d["date"]
        for d in httpx.post(f"{demo.url}/graphql", json={"query": query}, timeout=60).json()["data"]["dataset"]["usage"]
    ]
    assert dates.first.inner_text() == days[0][5:] and dates.last.inner_text() == days[-1][5:]
    labelled = [t for t in dates.all_inner_texts() if t]
    assert 3 <= len(labelled) <= 7, labelled  # the ends and the Mondays between
    page.locator("#columns tr", has_text="country").get_by_role("button", name="impact").click()
    impact = page.locator("#impact")
    expect(impact).to_contain_text("Dropping country breaks")
    columns = int(impact.locator("p").first.inner_text().split()[0])
    with page.expect_download() as download:
        page.click("#impact-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert len(rows) == columns
    assert {"depth", "namespace", "dataset", "column"} == set(rows[0])
    assert ("marts.revenue_by_country_month", "country") in {(r["dataset"], r["column"]) for r in rows}


def test_the_job_page_marks_the_selected_columns_expression(page: Page, demo: Server) -> None:
    column = quote("dw.dim_payment_card.card_number_masked")
    page.goto(f"{demo.url}/ui/job?namespace=airflow&name=build_dim_payment_card&column={column}")
    sql = page.locator("#job-sql")
    expect(sql).to_contain_text("-- into dw.dim_payment_card")
    expect(sql).to_contain_text("pc.card_brand AS card_brand")
    expect(page.locator("#selected-expression")).to_have_text(
        "  MASK_SHOW_LAST_N(pc.card_number, 4) AS card_number_masked"
    )
    expect(sql.locator("mark")).to_have_count(1)
