"""The second round of hostile input, on the REST and CLI side, against a real server on the
demo warehouse in open mode (no API keys): origins with their ports, cross-origin GraphQL by GET,
permanent faults of events answered as such, control characters in searches, slow clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import Server, run_cli, start_server, stop_server

DECLARE = """mutation { declareTag(column: {namespace: "mysql://orders-db:3306", dataset: "shop.orders",
  field: "customer_id"}, tag: "pci", justification: "test") { field } }"""
TAGS = '{ column(namespace: "mysql://orders-db:3306", dataset: "shop.orders", field: "customer_id") { tags { name } } }'


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("hostile-rest") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store)
    yield running
    stop_server(running)


def port_of(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def tag_names(server: Server) -> set[str]:
    return {t["name"] for t in server.graphql(TAGS)["data"]["column"]["tags"]}  # type: ignore[index]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["type"] == f"urn:tagline:problem:{code}"
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_an_origin_on_another_port_is_another_origin(live: Server, host: str) -> None:
    port = port_of(live)
    other = 3000 if port != 3000 else 3001
    refused = httpx.post(
        f"{live.url}/graphql",
        json={"query": DECLARE},
        headers={"Host": f"{host}:{port}", "Origin": f"http://{host}:{other}"},
        timeout=10,
    )
    body = assert_problem(refused, 403, "FOREIGN_ORIGIN")
    assert f"http://{host}:{other}" in str(body["detail"])
    assert body["errors"] == [{"message": body["detail"], "extensions": {"code": "FOREIGN_ORIGIN"}}]
    assert "pci" not in tag_names(live)
    for origin in (f"https://{host}:{port}", "null", f"http://{host}:{port}.evil.example"):
        wrong = httpx.post(
            f"{live.url}/graphql",
            json={"query": TAGS},
            headers={"Host": f"{host}:{port}", "Origin": origin},
            timeout=10,
        )
        assert wrong.status_code == 403, origin


def test_the_server_own_origin_may_change_it(live: Server) -> None:
    port = port_of(live)
    own = httpx.post(
        f"{live.url}/graphql",
        json={"query": DECLARE},
        headers={"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"},
        timeout=10,
    )
    assert own.status_code == 200 and "errors" not in own.json(), own.text
    assert "pci" in tag_names(live)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://localhost:3000"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another port of the same host is the same site
    ],
)
def test_graphql_by_get_from_another_origin_is_refused(live: Server, headers: dict[str, str]) -> None:
    refused = httpx.get(f"{live.url}/graphql", params={"query": "{ namespaces { name } }"}, headers=headers, timeout=10)
    assert_problem(refused, 403, "FOREIGN_ORIGIN")


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, "own"])
def test_graphql_by_get_from_the_server_or_a_program_is_answered(live: Server, headers: dict[str, str] | str) -> None:
    sent = {"Origin": live.url} if headers == "own" else headers
    answer = httpx.get(f"{live.url}/graphql", params={"query": "{ namespaces { name } }"}, headers=sent, timeout=10)
    assert answer.status_code == 200 and answer.json()["data"]["namespaces"], answer.text


def test_graphiql_page_may_be_opened_from_a_link_on_another_site(live: Server) -> None:
    page = httpx.get(f"{live.url}/graphql", headers={"Accept": "text/html", "Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()
