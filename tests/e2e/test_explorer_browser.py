"""The lineage explorer in Debian's headless Chromium, against a real `tagline serve` app over HTTP
with the demo warehouse loaded: search, a column's graph, expansion, path highlighting, "why", the
tree table, a dataset, a job, the security view, API keys, the date control (test_explorer_tools.py
has the graph's tools, test_explorer_scale.py a neighbourhood of 10,000 edges).

Every test also checks the page fetched nothing from anywhere but Tagline (no CDN)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tagline.graph.timefmt import iso, utcnow
from tests.e2e.conftest import Server, run_cli, start_server, stop_server
from tests.e2e.explorer_pages import HANG_MS, click_column, demo_server, graph_ready, module_browser, open_page

pytestmark = pytest.mark.engine

MARTS = "redshift://analytics.eu-west-1:5439"
EMAIL = f"/ui/column?namespace={quote(MARTS)}&dataset=marts.marketing_contacts&field=email"
KEY = "explorer-test-key"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from module_browser()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from demo_server(tmp_path_factory.mktemp("explorer"))


@pytest.fixture
def page(browser: Browser, demo: Server) -> Iterator[Page]:
    yield from open_page(browser, demo.url)


def test_search_finds_a_column_and_opens_its_graph(page: Page, demo: Server) -> None:
    page.goto(f"{demo.url}/ui")
    expect(page.get_by_role("heading", name="Lineage explorer")).to_be_visible()
    page.fill("#search", "email")
    hit = page.locator("#search-results a", has_text="marts.marketing_contacts.email")
    hit.click()
    graph_ready(page)
    assert "/ui/column?" in page.url and "field=email" in page.url
    # directOnly on, two hops up: shop.customers.email -> ods.customers.email -> the mart's column.
    expect(page.locator("#status")).to_contain_text("3 columns, 2 edges")
    assert page.locator("#direct-only").is_checked()


def test_expand_one_hop_and_highlight_a_path(page: Page, demo: Server) -> None:
    page.goto(f"{demo.url}/ui/column?namespace=hive%3A%2F%2Fwarehouse&dataset=ods.customers&field=email&up=1&down=1")
    graph_ready(page)
    before = int(page.get_attribute("#graph", "data-nodes") or 0)
    page.click("#expand-down")
    page.wait_for_url("**down=2**")
    # The attribute graph_ready waits for is still there from the first drawing: wait for the
    # second one, which draws more columns (or time out, failing the test).
    page.wait_for_function(
        "(before) => Number(document.getElementById('graph').dataset.nodes) > before", arg=before, timeout=HANG_MS
    )
    expect(page.locator("#status")).not_to_contain_text(f"{before} columns,")
    after = int(page.get_attribute("#graph", "data-nodes") or 0)
    assert after > before, (before, after)
    root = "hive://warehouse\u0001ods.customers\u0001email"
    click_column(page, root)
    counts = page.locator("#path-counts")
    expect(counts).to_contain_text("upstream")
    upstream, downstream = [int(w) for w in counts.inner_text().split() if w.isdigit()]
    assert upstream == 1 and downstream == after - upstream - 1
    faded = page.evaluate("() => window.taglineExplorer.graph.$('node.col.faded').length")
    highlighted = page.evaluate("() => window.taglineExplorer.graph.$('node.col.hl').length")
    assert highlighted == upstream + downstream + 1 and faded == after - highlighted


def test_why_shows_where_a_tag_came_from(page: Page, demo: Server) -> None:
    page.goto(demo.url + EMAIL)
    graph_ready(page)
    page.click("button.why[data-tag='pii.email']")
    expect(page.locator("#why-title")).to_contain_text("marts.marketing_contacts.email")
    section = page.locator(".why-tag[data-tag='pii.email']")
    expect(section).to_contain_text("inherited")
    expect(section.locator(".source p a").first).to_have_text("shop.customers.email")
    expect(section.locator("ol.path li")).to_have_count(2)


def test_tree_table_lists_each_hop_with_its_job(page: Page, demo: Server) -> None:
    page.goto(demo.url + EMAIL)
    graph_ready(page)
    page.get_by_role("button", name="Tree table").click()
    table = page.locator("#tree-table")
    expect(table).to_be_visible()
    assert "view=tree" in page.url
    rows = table.locator("tr.hop.upstream")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("ods.customers.email")
    expect(rows.nth(0)).to_contain_text("build_marketing_contacts")
    expect(rows.nth(1)).to_contain_text("shop.customers.email")
    expect(rows.nth(1)).to_contain_text("sync_customers")


def test_dataset_view_and_the_impact_of_dropping_a_column(page: Page, demo: Server) -> None:
    page.goto(f"{demo.url}/ui/dataset?namespace=hive%3A%2F%2Fwarehouse&name=dw.dim_customer")
    expect(page.locator("#columns tbody tr")).to_have_count(12)
    expect(page.get_by_role("link", name="build_dim_customer")).to_be_visible()
    expect(page.locator("#usage-heat .day")).to_have_count(30)
    page.wait_for_selector("#table-lineage canvas")
    page.locator("#columns tr", has_text="country").get_by_role("button", name="impact").click()
    impact = page.locator("#impact")
    expect(impact).to_contain_text("Dropping country breaks")
    expect(impact).to_contain_text("marts.revenue_by_country_month")


def test_job_view_checks_a_dependency_list(page: Page, demo: Server) -> None:
    page.goto(f"{demo.url}/ui/job?namespace=airflow&name=build_fact_orders")
    expect(page.locator("#recommended")).to_contain_text("build_dim_payment_card")
    page.fill("#configured", "sync_orders")
    page.click("#check")
    expect(page.locator("#check-verdict")).to_have_text("The configured list misses something.")
    expect(page.locator(".check")).to_contain_text("Missing")


def test_job_view_shows_recent_runs_and_owners(page: Page, demo: Server) -> None:
    run = {"runId": "0190f3a2-0000-7000-8000-0000000000aa"}
    job = {
        "namespace": "airflow",
        "name": "nightly_export",
        "facets": {"ownership": {"owners": [{"name": "team:data", "type": "OWNER"}]}},
    }
    out = {
        "namespace": "hive://warehouse",
        "name": "mart.export",
        "outputFacets": {"outputStatistics": {"rowCount": 4200, "size": 1000}},
    }
    for state, at in (("COMPLETE", "2026-03-01T01:00:42Z"), ("START", "2026-03-01T01:00:00Z")):
        event = {
            "eventType": state,
            "eventTime": at,
            "producer": "https://example.com/tests",
            "run": run,
            "job": job,
            "inputs": [],
            "outputs": [out],
        }
        assert httpx.post(f"{demo.url}/api/v1/lineage", json=event, timeout=10).status_code == 201
    page.goto(f"{demo.url}/ui/job?namespace=airflow&name=nightly_export")
    runs = page.locator("#runs tbody tr")
    expect(runs).to_have_count(1)
    expect(runs.first).to_contain_text("COMPLETE")
    expect(runs.first).to_contain_text("42 s")
    expect(runs.first).to_contain_text("mart.export: 4200 rows")
    expect(page.locator("#owners")).to_have_text("Owners: team:data (owner)")


def test_security_view_filters_the_audit_log(page: Page, demo: Server) -> None:
    page.goto(f"{demo.url}/ui/security")
    expect(page.locator("#violations")).to_contain_text("SINK_RECEIVES_SENSITIVE")
    page.fill("input[name=tag]", "pii.email")
    page.click("#security-filters button")
    page.wait_for_url("**tag=pii.email**")
    tags = page.locator("#audit tbody tr td:nth-child(3)")
    expect(tags.first).to_have_text("pii.email")
    assert set(tags.all_inner_texts()) == {"pii.email"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory, demo: Server) -> Iterator[Server]:
    running = start_server(demo.store, env={"TAGLINE_API_KEYS": f"reader1:{KEY}:reader"})
    yield running
    stop_server(running)


def test_with_api_keys_the_page_asks_for_one_and_keeps_it(browser: Browser, keyed: Server) -> None:
    for page in open_page(browser, keyed.url):
        page.goto(f"{keyed.url}/ui")
        dialog = page.locator("#key-dialog")
        expect(dialog).to_be_visible()
        page.fill("#key-input", "wrong")
        page.click("#key-form button")
        expect(page.locator("#key-error")).to_contain_text("refused")
        page.fill("#key-input", KEY)
        page.click("#key-form button")
        expect(page.get_by_role("heading", name="hive://warehouse")).to_be_visible()
        page.goto(keyed.url + EMAIL)  # the same session: no question asked again
        graph_ready(page)
        expect(dialog).to_be_hidden()
        page.goto(f"{keyed.url}/ui/graphiql")
        expect(page.locator(".graphiql-container")).to_be_visible()
        page.locator(".graphiql-query-editor .CodeMirror").click()
        page.keyboard.press("Control+a")
        page.keyboard.type("{ namespaces { name } }")
        page.locator(".graphiql-execute-button").click()
        expect(page.locator(".graphiql-response")).to_contain_text("hive://warehouse")


@pytest.fixture(scope="module")
def redefined(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """t.report.c read s.a.x until its job's SQL changed to read s.b.y; with a moment between."""
    between = ""
    folder = tmp_path_factory.mktemp("redefined")
    store = str(folder / "graph.db")
    sql = folder / "report.sql"
    for n, statement in enumerate(("SELECT x AS c FROM s.a", "SELECT y AS c FROM s.b")):
        if n:  # a whole second, as the date control gives, between the two definitions
            time.sleep(1.05 - time.time() % 1)
            between = iso(utcnow().replace(microsecond=0))
            time.sleep(0.01)
        sql.write_text(f"INSERT INTO t.report {statement}")
        create = [] if n else ["--create"]
        run_cli(
            "ingest",
            "sql",
            str(sql),
            "--job",
            "report",
            "--dialect",
            "hive",
            "--namespace",
            "hive://d",
            "--store",
            store,
            *create,
        )
    running = start_server(store)
    yield running, between
    stop_server(running)


def test_the_date_control_shows_the_lineage_as_it_was(browser: Browser, redefined: tuple[Server, str]) -> None:
    server, between = redefined
    column = f"{server.url}/ui/column?namespace=hive%3A%2F%2Fd&dataset=t.report&field=c&view=tree"
    for page in open_page(browser, server.url):
        page.goto(f"{column}&asOf={quote(between)}")
        rows = page.locator("#tree-table tr.hop.upstream")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("s.a.x")
        assert page.input_value("#as-of") == between.removesuffix("Z").split(".")[0]
        page.click("#as-of-now")
        page.wait_for_url(lambda url: "asOf" not in url)
        expect(rows.first).to_contain_text("s.b.y")
        expect(rows).to_have_count(1)
        page.fill("#as-of", between.removesuffix("Z").split(".")[0])
        page.wait_for_url("**asOf=**")
        expect(rows.first).to_contain_text("s.a.x")
