"""The explorer's routes over real HTTP: every view's deep link answers the page, every asset the
pages name is served by Tagline with a year's cache (nothing from a CDN), GraphiQL included; the
pages need no key, the data behind them does, and the same-origin guard still applies."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tagline.api.ui.routes import ASSET_CACHE, VIEWS
from tests.e2e.conftest import Server, start_server, stop_server

KEY = "explorer-http-key"
ASSET = re.compile(r'(?:src|href)="(/ui/assets/[^"]+)"')
FOREIGN = re.compile(r"""(?:src|href)=["']?(?:https?:)?//""")


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(
        str(tmp_path_factory.mktemp("keyed") / "graph.db"), env={"TAGLINE_API_KEYS": f"reader1:{KEY}:reader"}
    )
    yield running
    stop_server(running)


@pytest.mark.parametrize("path", [*VIEWS, "/ui/"])
def test_every_view_answers_the_explorer_page(server: Server, path: str) -> None:
    response = httpx.get(f"{server.url}{path}?namespace=ns&name=x", follow_redirects=True)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert '<main id="view">' in response.text


@pytest.mark.parametrize("page", ["/ui", "/ui/graphiql"])
def test_pages_load_only_assets_tagline_serves_for_a_year(server: Server, page: str) -> None:
    html = httpx.get(f"{server.url}{page}").text
    assert not FOREIGN.search(html), "a page refers to another host"
    assets = ASSET.findall(html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        response = httpx.get(f"{server.url}{asset}")
        assert response.status_code == 200, asset
        assert response.headers["cache-control"] == ASSET_CACHE
        assert "unpkg.com" not in response.text and "cdn.jsdelivr" not in response.text


def test_graphiql_on_get_graphql_is_the_local_page(server: Server) -> None:
    response = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "/ui/assets/graphiql-" in response.text and "unpkg" not in response.text


def test_an_unknown_asset_is_404(server: Server) -> None:
    assert httpx.get(f"{server.url}/ui/assets/nothing-here.js").status_code == 404


def test_with_keys_the_pages_are_open_and_the_data_is_not(keyed: Server) -> None:
    assert httpx.get(f"{keyed.url}/ui/column").status_code == 200
    assert httpx.post(f"{keyed.url}/graphql", json={"query": "{ namespaces { name } }"}).status_code == 401
    assert httpx.get(f"{keyed.url}/ui/schema.graphql").status_code == 401
    schema = httpx.get(f"{keyed.url}/ui/schema.graphql", headers={"Authorization": f"Bearer {KEY}"})
    assert schema.status_code == 200
    assert "lineage(namespace: String!" in schema.text and "type Mutation" in schema.text


def test_the_same_origin_guard_covers_the_explorer(server: Server) -> None:
    response = httpx.get(f"{server.url}/ui", headers={"Host": "rebound.example"})
    assert response.status_code == 400
