"""What Relay and Apollo clients assume of the API, against a real server on the demo warehouse:
refetching a cached object by `node(id:)`, paging both ways, and automatic persisted queries
(hash first, then hash and document; GET with an ETag that a change of lineage moves)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tagline.api.gql.contract import SDL_PATH, SDL_URL
from tagline.api.gql.persisted import NOT_FOUND, NOT_FOUND_CODE
from tests.e2e.conftest import Server, run_cli, start_server, stop_server
from tests.e2e.test_openlineage_http import ol_event

WH = "hive://warehouse"

COLUMN = """
query ($ns: String!, $ds: String!, $field: String!) {
  column(namespace: $ns, dataset: $ds, field: $field) {
    __typename id namespace dataset field sensitivity
    tags { __typename id name origin }
  }
}
"""
NODE = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Column { namespace dataset field sensitivity }
    ... on ColumnTag { name origin }
    ... on Dataset { name }
    ... on Job { name }
    ... on Run { runId }
  }
}
"""
DATASETS = """
query ($ns: String!, $first: Int, $after: String, $last: Int, $before: String) {
  namespacesConnection(first: 10) {
    edges {
      node {
        name
        datasets(first: $first, after: $after, last: $last, before: $before) {
          totalCount
          pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { __typename id name } }
        }
      }
    }
  }
  namespace: namespacesConnection(first: 1, after: null) { totalCount }
  dataset(namespace: $ns, name: "ods.payment_cards") { id }
}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("relay") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store)
    yield running
    stop_server(running)


def data(server: Server, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = server.graphql(query, variables)
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[return-value]


class NormalisedCache:
    """What Relay's store and Apollo's InMemoryCache do: every object with an id kept once, by id."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}

    def write(self, value: Any) -> None:
        if isinstance(value, dict):
            if "id" in value:
                self.objects.setdefault(value["id"], {}).update(
                    {k: v for k, v in value.items() if not isinstance(v, dict | list)}
                )
            for item in value.values():
                self.write(item)
        elif isinstance(value, list):
            for item in value:
                self.write(item)


def test_every_cached_object_is_fetched_again_by_its_id(demo: Server) -> None:
    cache = NormalisedCache()
    cache.write(data(demo, COLUMN, {"ns": WH, "ds": "ods.payment_cards", "field": "card_number"}))
    cache.write(data(demo, DATASETS, {"ns": WH, "first": 5}))
    kinds = {obj.get("__typename") for obj in cache.objects.values()}
    assert "Column" in kinds and "ColumnTag" in kinds, cache.objects
    assert len(cache.objects) > 5
    for node_id, cached in cache.objects.items():
        fresh = data(demo, NODE, {"id": node_id})["node"]
        assert fresh is not None, node_id
        assert fresh["id"] == node_id
        assert {k: fresh[k] for k in cached if k in fresh} == {k: v for k, v in cached.items() if k in fresh}


def test_nodes_answers_in_order_with_null_for_what_is_gone(demo: Server) -> None:
    ids = ["dataset:hive://warehouse:ods.payment_cards", "dataset:hive://warehouse:no_such_table", "run:nope"]
    found = data(demo, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})["nodes"]
    assert found == [{"id": ids[0]}, None, None]


def test_an_id_of_no_kind_tagline_gives_is_an_error_naming_it(demo: Server) -> None:
    answer = demo.graphql(NODE, {"id": "user:42"})
    assert answer["data"] == {"node": None}
    assert "user:42" in answer["errors"][0]["message"]  # type: ignore[index]


def _warehouse_datasets(demo: Server, **args: Any) -> dict[str, Any]:
    found = data(demo, DATASETS, {"ns": WH, **args})["namespacesConnection"]["edges"]
    return next(e["node"]["datasets"] for e in found if e["node"]["name"] == WH)


def test_paging_backward_with_last_and_before_meets_paging_forward(demo: Server) -> None:
    forward: list[str] = []
    after = None
    while True:
        page = _warehouse_datasets(demo, first=4, after=after)
        forward += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(forward) == page["totalCount"] > 6

    backward: list[str] = []
    before = None
    pages = []
    while True:
        page = _warehouse_datasets(demo, last=3, before=before)
        pages.append(page)
        backward = [e["node"]["name"] for e in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == forward
    assert pages[0]["pageInfo"]["hasNextPage"] is False
    assert all(p["pageInfo"]["hasNextPage"] for p in pages[1:])
    last = pages[0]
    assert last["pageInfo"]["startCursor"] == last["edges"][0]["cursor"]
    assert last["pageInfo"]["endCursor"] == last["edges"][-1]["cursor"]


def test_a_bad_cursor_names_the_argument(demo: Server) -> None:
    answer = demo.graphql(DATASETS, {"ns": WH, "last": 2, "before": "not-a-cursor"})
    assert "`before`" in answer["errors"][0]["message"]  # type: ignore[index]


def test_last_is_priced_like_first(demo: Server) -> None:
    wide = "{ namespacesConnection(last: 500) { edges { node { datasets(last: 500) { edges { node { name } } } } } } }"
    answer = demo.graphql(wide)
    assert answer["errors"][0]["extensions"]["code"] == "COST_LIMIT", answer  # type: ignore[index]


def test_runs_page_backward_and_are_fetched_again_by_id(demo: Server) -> None:
    run_ids = [f"0190f3a2-0000-7000-8000-00000000010{n}" for n in range(5)]
    for n, run_id in enumerate(run_ids):
        for state, minute in (("START", 0), ("COMPLETE", 5)):
            event = ol_event(run_id, "relay_runs", state, f"2026-05-0{n + 1}T10:0{minute}:00Z")
            assert httpx.post(f"{demo.url}/api/v1/lineage", json=event, timeout=30).status_code < 300
    query = """
    query ($last: Int, $before: String) {
      job(namespace: "airflow", name: "relay_runs") {
        runsConnection(last: $last, before: $before) {
          totalCount pageInfo { hasPreviousPage startCursor } edges { node { id runId state } }
        }
      }
    }
    """
    tail = data(demo, query, {"last": 2})["job"]["runsConnection"]
    assert tail["totalCount"] == 5 and tail["pageInfo"]["hasPreviousPage"]
    # The latest first: the last two are the two oldest runs.
    assert [e["node"]["runId"] for e in tail["edges"]] == [run_ids[1], run_ids[0]]
    before = data(demo, query, {"last": 2, "before": tail["pageInfo"]["startCursor"]})["job"]["runsConnection"]
    assert [e["node"]["runId"] for e in before["edges"]] == [run_ids[3], run_ids[2]]
    run = tail["edges"][0]["node"]
    assert data(demo, NODE, {"id": run["id"]})["node"] == {"__typename": "Run", "id": run["id"], "runId": run["runId"]}


# ---- automatic persisted queries ----------------------------------------------------------------

APQ_QUERY = 'query Tables($ns: String!) { namespace: namespacesConnection(first: 50) { totalCount } dataset(namespace: $ns, name: "ods.payment_cards") { id name columnsConnection(first: 3) { totalCount } } }'


def persisted(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}


def test_apq_round_trip_hash_then_hash_and_document_then_hash_alone(demo: Server) -> None:
    url = f"{demo.url}/graphql"
    variables = {"ns": WH}
    first = httpx.post(url, json={"extensions": persisted(APQ_QUERY), "variables": variables}, timeout=30)
    assert first.status_code == 200
    error = first.json()["errors"][0]
    assert error["message"] == NOT_FOUND and error["extensions"]["code"] == NOT_FOUND_CODE

    registered = httpx.post(
        url, json={"query": APQ_QUERY, "extensions": persisted(APQ_QUERY), "variables": variables}, timeout=30
    )
    assert registered.status_code == 200 and "errors" not in registered.json(), registered.text

    again = httpx.post(url, json={"extensions": persisted(APQ_QUERY), "variables": variables}, timeout=30)
    assert again.json() == registered.json()


def test_a_hash_that_is_not_the_documents_is_refused(demo: Server) -> None:
    sent = {"query": "{ __typename }", "extensions": persisted("{ other }")}
    refused = httpx.post(f"{demo.url}/graphql", json=sent, timeout=30)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "provided sha does not match query"


def test_persisted_read_by_get_is_cacheable_until_lineage_changes(demo: Server) -> None:
    url = f"{demo.url}/graphql"
    httpx.post(url, json={"query": APQ_QUERY, "extensions": persisted(APQ_QUERY), "variables": {"ns": WH}}, timeout=30)
    params = {"extensions": json.dumps(persisted(APQ_QUERY)), "variables": json.dumps({"ns": WH})}
    # A page of another site may send it: it runs only a document the server already holds.
    answer = httpx.get(url, params=params, headers={"Sec-Fetch-Site": "cross-site", "Accept": "*/*"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["dataset"]["name"] == "ods.payment_cards"
    etag = answer.headers["etag"]
    assert "no-cache" in answer.headers["cache-control"]

    unchanged = httpx.get(url, params=params, headers={"If-None-Match": etag}, timeout=30)
    assert unchanged.status_code == 304 and unchanged.content == b""

    sql = "INSERT INTO hive_etag.t2 SELECT a FROM hive_etag.t1"
    run_cli("ingest", "sql", "--store", demo.store, "--dialect", "hive", "--namespace", "hive://etag", "-", stdin=sql)
    changed = httpx.get(url, params=params, headers={"If-None-Match": etag}, timeout=30)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["data"]["namespace"]["totalCount"] > answer.json()["data"]["namespace"]["totalCount"]


def test_a_cross_site_get_carrying_a_document_is_still_refused(demo: Server) -> None:
    params = {"query": APQ_QUERY, "extensions": json.dumps(persisted(APQ_QUERY))}
    refused = httpx.get(f"{demo.url}/graphql", params=params, headers={"Sec-Fetch-Site": "cross-site"}, timeout=30)
    assert refused.status_code == 403


def test_a_persisted_mutation_does_not_run_by_get(demo: Server) -> None:
    mutation = (
        'mutation { removeTag(column: {namespace: "hive://etag", dataset: "hive_etag.t2", '
        'field: "a"}, tag: "pci") { id } }'
    )
    params = {"extensions": json.dumps(persisted(mutation))}
    sent = httpx.post(f"{demo.url}/graphql", json={"query": mutation, "extensions": persisted(mutation)}, timeout=30)
    assert sent.status_code == 200
    refused = httpx.get(f"{demo.url}/graphql", params=params, timeout=30)
    assert refused.status_code == 400 and "mutations are not allowed" in refused.text, refused.text


def test_allow_list_mode_runs_only_its_documents(tmp_path: Path) -> None:
    store = str(tmp_path / "graph.db")
    run_cli("demo", "--store", store)
    allowed = tmp_path / "documents"
    allowed.mkdir()
    (allowed / "tables.graphql").write_text(APQ_QUERY)
    server = start_server(store, env={"TAGLINE_PERSISTED_ONLY": "1", "TAGLINE_PERSISTED_QUERIES": str(allowed)})
    try:
        url = f"{server.url}/graphql"
        by_hash = httpx.post(url, json={"extensions": persisted(APQ_QUERY), "variables": {"ns": WH}}, timeout=30)
        assert by_hash.status_code == 200 and by_hash.json()["data"]["dataset"]["name"] == "ods.payment_cards"
        by_text = httpx.post(url, json={"query": APQ_QUERY, "variables": {"ns": WH}}, timeout=30)
        assert by_text.json() == by_hash.json()
        other = "{ namespacesConnection { totalCount } }"
        for sent in ({"query": other}, {"query": other, "extensions": persisted(other)}):
            refused = httpx.post(url, json=sent, timeout=30)
            assert refused.status_code == 400
            error = refused.json()["errors"][0]
            assert (
                error["extensions"]["code"] == "PERSISTED_QUERY_ONLY" and "TAGLINE_PERSISTED_ONLY" in error["message"]
            )
        # A subscription over a WebSocket is held to the list too.
        ws_url = server.url.replace("http://", "ws://") + "/graphql"
        with connect(ws_url, subprotocols=["graphql-transport-ws"], open_timeout=30) as ws:  # type: ignore[list-item]
            ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(ws.recv(timeout=30))["type"] == "connection_ack"
            sub = 'subscription { lineageChanged(namespace: "x") { dataset } }'
            ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": sub}}))
            refused_sub = json.loads(ws.recv(timeout=30))
        assert refused_sub["type"] == "error", refused_sub
        assert refused_sub["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_ONLY"
    finally:
        stop_server(server)


def test_the_schema_is_served_as_committed(demo: Server) -> None:
    served = httpx.get(f"{demo.url}{SDL_URL}", timeout=30)
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/graphql")
    assert served.text == SDL_PATH.read_text()
    assert "interface Node" in served.text
