"""Find and explore over HTTP against a real `tagline serve` on the demo warehouse: search, the
namespaces, table-level lineage, node ids, tag families, not-found answers and CORS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server, run_cli, start_server, stop_server

WH = "hive://warehouse"
SHOP = "mysql://orders-db:3306"
APP_ORIGIN = "https://lineage-ui.example"

SEARCH = """
query ($q: String!, $kinds: [EntityKind!], $ns: String, $first: Int!, $after: String) {
  search(query: $q, kinds: $kinds, namespace: $ns, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { kind namespace name field dataset { id } column { id } job { id } } }
  }
}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("browse") / "graph.db")
    run_cli("demo", "--store", store)
    running = start_server(store, env={"TAGLINE_CORS_ORIGINS": f"{APP_ORIGIN}, http://localhost:5173"})
    yield running
    stop_server(running)


def raw(server: Server, query: str, variables: dict[str, object] | None = None) -> Any:
    return server.graphql(query, variables)


def data(server: Server, query: str, variables: dict[str, object] | None = None) -> dict:
    answer = raw(server, query, variables)
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[return-value]


def search(server: Server, q: str, first: int = 20, after: str | None = None, **more: object) -> dict:
    return data(server, SEARCH, {"q": q, "first": first, "after": after, **more})["search"]


def test_search_ranks_exact_then_prefix_then_word_prefix_then_substring(demo: Server) -> None:
    found = search(demo, "EMAIL", first=100)
    hits = [e["node"] for e in found["edges"]]
    fields = [h["field"] for h in hits]
    assert found["totalCount"] == len(hits) > 3
    exact = [n for n, f in enumerate(fields) if f == "email"]
    assert exact and exact == list(range(len(exact))), fields  # every exact match, before anything else
    prefix = [n for n, f in enumerate(fields) if f and f.startswith("email") and f != "email"]
    assert prefix and min(prefix) > max(exact)
    assert all(h["kind"] == "COLUMN" and h["column"]["id"].endswith(f":{h['field']}") for h in hits if h["field"])
    # A word of the name ("sha256" in email_sha256) matches its prefix; a part inside a word only as a substring.
    word = [e["node"]["field"] for e in search(demo, "sha", first=50)["edges"]]
    assert "email_sha256" in word
    inside = [e["node"]["field"] for e in search(demo, "mail", first=100)["edges"]]
    assert "email" in inside and "email_sha256" in inside


def test_search_pages_with_cursors_and_filters(demo: Server) -> None:
    everything = search(demo, "customer", first=200)
    total = everything["totalCount"]
    seen: list[tuple] = []
    after = None
    while True:
        page = search(demo, "customer", first=7, after=after)
        assert page["totalCount"] == total
        seen.extend(
            (e["node"]["kind"], e["node"]["namespace"], e["node"]["name"], e["node"]["field"]) for e in page["edges"]
        )
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total > 7
    assert seen == [
        (e["node"]["kind"], e["node"]["namespace"], e["node"]["name"], e["node"]["field"]) for e in everything["edges"]
    ]
    datasets = search(demo, "customer", first=50, kinds=["DATASET"], ns=SHOP)
    assert [e["node"]["name"] for e in datasets["edges"]] == ["shop.customers"]
    assert datasets["edges"][0]["node"]["dataset"]["id"] == f"dataset:{SHOP}:shop.customers"
    jobs = search(demo, "build", first=50, kinds=["JOB"])
    assert jobs["totalCount"] > 0 and all(e["node"]["job"]["id"].startswith("job:airflow:build") for e in jobs["edges"])
    assert search(demo, "no-such-name-anywhere")["totalCount"] == 0
    bad = raw(demo, SEARCH, {"q": "customer", "first": 5, "after": "not-a-cursor"})
    assert "invalid cursor" in bad["errors"][0]["message"]


def test_namespaces_list_their_datasets_and_jobs_in_pages(demo: Server) -> None:
    answer = data(
        demo,
        """{ namespaces { name datasets(first: 2) { totalCount pageInfo { hasNextPage endCursor }
                                                                   edges { node { id name } } }
                                         jobs { totalCount edges { node { id } } } } }""",
    )
    spaces = {n["name"]: n for n in answer["namespaces"]}
    assert {"airflow", WH, SHOP} <= set(spaces)
    warehouse = spaces[WH]["datasets"]
    assert warehouse["totalCount"] == 8 and warehouse["pageInfo"]["hasNextPage"]
    names = [e["node"]["name"] for e in warehouse["edges"]]
    after = warehouse["pageInfo"]["endCursor"]
    rest = data(
        demo,
        """query ($after: String) { namespaces { name datasets(first: 50, after: $after) {
                           edges { node { name } } } } }""",
        {"after": after},
    )
    names += [e["node"]["name"] for n in rest["namespaces"] if n["name"] == WH for e in n["datasets"]["edges"]]
    assert names == sorted(names) and len(names) == len(set(names)) == 8
    assert spaces["airflow"]["jobs"]["totalCount"] == 12 and spaces["airflow"]["datasets"]["totalCount"] == 0


def test_dataset_lineage_is_the_table_view(demo: Server) -> None:
    query = """query ($dir: Direction!, $depth: Int!, $max: Int!) {
      datasetLineage(namespace: "hive://warehouse", name: "dw.fact_orders", direction: $dir, depth: $depth,
                     maxNodes: $max) {
        truncated complete limit next nodes { id kind namespace name } edges { source target } } }"""
    down = data(demo, query, {"dir": "DOWNSTREAM", "depth": 1, "max": 500})["datasetLineage"]
    start = f"dataset:{WH}:dw.fact_orders"
    assert down["nodes"][0]["id"] == start and not down["truncated"]
    assert (down["complete"], down["limit"], down["next"]) == (True, None, None)
    kinds = {n["id"]: n["kind"] for n in down["nodes"]}
    for edge in down["edges"]:  # dataset -> job -> dataset, always
        assert {kinds[edge["source"]], kinds[edge["target"]]} == {"DATASET", "JOB"}
    readers = {e["target"] for e in down["edges"] if e["source"] == start}
    assert "job:airflow:build_revenue_by_country_month" in readers
    assert "job:airflow:build_fact_orders" not in kinds  # its writer is upstream
    both = data(demo, query, {"dir": "BOTH", "depth": 3, "max": 500})["datasetLineage"]
    assert f"dataset:{SHOP}:shop.orders" in {n["id"] for n in both["nodes"]}  # three job hops up
    one_hop = data(demo, query, {"dir": "BOTH", "depth": 1, "max": 500})["datasetLineage"]
    assert f"dataset:{SHOP}:shop.orders" not in {n["id"] for n in one_hop["nodes"]}
    for cap in (1, 2, 5):
        cut = data(demo, query, {"dir": "BOTH", "depth": 3, "max": cap})["datasetLineage"]
        ids = {n["id"] for n in cut["nodes"]}
        assert len(cut["nodes"]) == cap and cut["truncated"] and start in ids
        assert (cut["complete"], cut["limit"]) == (False, "maxNodes") and "maxNodes" in cut["next"]
        assert all(e["source"] in ids and e["target"] in ids for e in cut["edges"])


def test_max_nodes_is_a_hard_cap_on_column_lineage(demo: Server) -> None:
    query = """query ($max: Int!) { lineage(namespace: "hive://warehouse", dataset: "dw.dim_customer",
               direction: BOTH, depth: 3, maxNodes: $max) { truncated nodes { id } edges { source { id } target { id } } } }"""
    full = data(demo, query, {"max": 10000})["lineage"]
    assert not full["truncated"] and len(full["nodes"]) > 20
    for cap in (1, 5, 20):
        cut = data(demo, query, {"max": cap})["lineage"]
        ids = {n["id"] for n in cut["nodes"]}
        assert len(cut["nodes"]) <= cap and cut["truncated"], (cap, len(cut["nodes"]))
        assert all(e["source"]["id"] in ids and e["target"]["id"] in ids for e in cut["edges"])


def test_node_ids_are_marquez_ids_everywhere(demo: Server) -> None:
    answer = data(
        demo,
        """{
      column(namespace: "hive://warehouse", dataset: "dw.dim_customer", field: "email_sha256") {
        id upstream(depth: 2) { source { id field } job { id } } }
      dataset(namespace: "mysql://orders-db:3306", name: "shop.customers") { id columns { id } }
      job(namespace: "airflow", name: "build_dim_customer") { id } }""",
    )
    assert answer["column"]["id"] == f"datasetField:{WH}:dw.dim_customer:email_sha256"
    assert answer["dataset"]["id"] == f"dataset:{SHOP}:shop.customers"
    assert f"datasetField:{SHOP}:shop.customers:email" in {c["id"] for c in answer["dataset"]["columns"]}
    assert answer["job"]["id"] == "job:airflow:build_dim_customer"
    sources = {e["source"]["id"] for e in answer["column"]["upstream"]}
    assert f"datasetField:{SHOP}:shop.customers:email" in sources
    assert {e["job"]["id"] for e in answer["column"]["upstream"]} >= {"job:airflow:build_dim_customer"}


def test_tag_families_in_tagged_columns_impact_and_violations(demo: Server) -> None:
    declared = raw(
        demo,
        """mutation { declareTag(column: {namespace: "mysql://orders-db:3306",
        dataset: "shop.orders", field: "shipping_country"}, tag: "pii.location", justification: "family test") { id } }""",
    )
    assert "errors" not in declared, declared
    query = """query ($tag: String!, $after: String) { taggedColumns(tag: $tag, first: 10, after: $after) {
                 totalCount pageInfo { hasNextPage endCursor } edges { node { id tags { name } } } } }"""
    family, after = [], None
    while True:
        page = data(demo, query, {"tag": "pii", "after": after})["taggedColumns"]
        family += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(family) == page["totalCount"]
    assert f"datasetField:{SHOP}:shop.orders:shipping_country" in {c["id"] for c in family}
    assert all(any(t["name"] == "pii" or t["name"].startswith("pii.") for t in c["tags"]) for c in family)
    emails = data(demo, query, {"tag": "pii.email"})["taggedColumns"]
    assert 0 < emails["totalCount"] < len(family)
    assert data(demo, query, {"tag": "pi"})["taggedColumns"]["totalCount"] == 0  # a family, not a prefix
    impact = data(
        demo,
        """{ impact(namespace: "mysql://orders-db:3306", dataset: "shop.customers") {
                             all: tags { name } pii: tags(tag: "pii") { name } } }""",
    )["impact"]
    assert {t["name"] for t in impact["pii"]} == {t["name"] for t in impact["all"] if t["name"].split(".")[0] == "pii"}
    assert any("." in t["name"] for t in impact["pii"]) and len(impact["pii"]) < len(impact["all"])
    violations = data(
        demo,
        """{ all: sensitivityViolations { tags } pii: sensitivityViolations(tag: "pii") { tags }
                                 none: sensitivityViolations(tag: "pci") { tags } }""",
    )
    assert violations["pii"] and len(violations["pii"]) <= len(violations["all"])
    assert all(any(t.split(".")[0] == "pii" for t in v["tags"]) for v in violations["pii"])
    assert violations["none"] == []


def test_not_found_is_null_for_look_ups_and_an_empty_graph_with_an_error_for_traversals(demo: Server) -> None:
    looked_up = raw(
        demo,
        """{ column(namespace: "hive://warehouse", dataset: "dw.dim_customer", field: "nope") { id }
                                  dataset(namespace: "hive://warehouse", name: "nope") { id }
                                  job(namespace: "airflow", name: "nope") { id } }""",
    )
    assert looked_up == {"data": {"column": None, "dataset": None, "job": None}}
    walked = raw(
        demo,
        """{ lineage(namespace: "hive://warehouse", dataset: "nope") { nodes { id } edges { source { id } } truncated }
                               field: lineage(namespace: "hive://warehouse", dataset: "dw.dim_customer", field: "nope") { nodes { id } }
                               datasetLineage(namespace: "hive://warehouse", name: "nope") { nodes { id } edges { source } truncated } }""",
    )
    assert walked["data"] == {
        "lineage": {"nodes": [], "edges": [], "truncated": False},
        "field": {"nodes": []},
        "datasetLineage": {"nodes": [], "edges": [], "truncated": False},
    }
    errors = {tuple(e["path"]): e for e in walked["errors"]}
    assert set(errors) == {("lineage",), ("field",), ("datasetLineage",)}
    assert all(e["extensions"]["code"] == "NOT_FOUND" and "nope" in e["message"] for e in errors.values())


def test_usage_and_last_produced_at(demo: Server) -> None:
    answer = data(
        demo,
        """{ dataset(namespace: "hive://warehouse", name: "dw.fact_orders") {
                              lastProducedAt usage(days: 7) { date reads distinctReaders } readers { name } } }""",
    )["dataset"]
    usage = answer["usage"]
    assert len(usage) == 7 and [d["date"] for d in usage] == sorted(d["date"] for d in usage)
    assert sum(d["reads"] for d in usage) == len(answer["readers"]) > 0  # the demo was loaded today
    assert usage[-1]["reads"] == usage[-1]["distinctReaders"] == len(answer["readers"])
    assert answer["lastProducedAt"] and answer["lastProducedAt"][:10] == usage[-1]["date"]
    bad = raw(demo, '{ dataset(namespace: "hive://warehouse", name: "dw.fact_orders") { usage(days: 0) { date } } }')
    assert "days must be between" in bad["errors"][0]["message"]


def test_cors_answers_preflight_for_configured_origins_only(demo: Server) -> None:
    preflight = {
        "Origin": APP_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    allowed = httpx.options(f"{demo.url}/graphql", headers=preflight, timeout=5)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = httpx.options(f"{demo.url}/graphql", headers={**preflight, "Origin": "https://evil.example"}, timeout=5)
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    posted = httpx.post(
        f"{demo.url}/graphql", json={"query": "{ namespaces { name } }"}, headers={"Origin": APP_ORIGIN}, timeout=5
    )
    assert posted.status_code == 200 and posted.headers["access-control-allow-origin"] == APP_ORIGIN


def test_no_cors_by_default(tmp_path_factory: pytest.TempPathFactory) -> None:
    running = start_server(str(tmp_path_factory.mktemp("nocors") / "graph.db"))
    try:
        answer = httpx.post(
            f"{running.url}/graphql",
            json={"query": "{ namespaces { name } }"},
            headers={"Origin": APP_ORIGIN},
            timeout=5,
        )
        # Without keys, a page of another origin may not even send it (api/same_origin.py).
        assert answer.status_code == 403 and "access-control-allow-origin" not in answer.headers
    finally:
        stop_server(running)
