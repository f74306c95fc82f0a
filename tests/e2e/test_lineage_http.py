"""The walking skeleton end to end: SQL through the CLI into a store a live server is reading,
then nested lineage over HTTP."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server, run_cli, run_cli_process, start_server_process, stop_server

ETL = """
INSERT OVERWRITE TABLE stg.customers
SELECT id, lower(email) AS email, country FROM src.customers;

INSERT OVERWRITE TABLE dw.dim_customer
SELECT c.id AS customer_id, sha2(c.email, 256) AS email_hash, c.country
FROM stg.customers c;

INSERT OVERWRITE TABLE mart.customers_by_country
SELECT d.country, count(d.customer_id) AS customers
FROM dw.dim_customer d
GROUP BY d.country;
"""

NESTED = """
query ($field: String!) {
  column(namespace: "hive://wh", dataset: "mart.customers_by_country", field: $field) {
    field
    upstream {
      transformation { type subtype masking }
      source {
        dataset field
        upstream {
          transformation { type subtype masking }
          source {
            dataset field
            upstream {
              transformation { type subtype masking }
              source { dataset field }
            }
          }
        }
      }
    }
  }
}
"""

FLAT = """
query ($field: String!) {
  column(namespace: "hive://wh", dataset: "mart.customers_by_country", field: $field) {
    upstream(depth: 3) { source { dataset field } target { dataset field } transformation { type subtype } expression }
  }
}
"""

# Every construct the one-step renderer handles: fragments, inline fragments, aliases, @include and
# @skip with variables, __typename, jobs, tags; `sources` (tag provenance) is what it leaves to the
# ordinary executor, so adding it gives the reference answer for the same selection.
RENDERED = """
query ($field: String!, $deep: Boolean!, $depth: Int!) {
  column(namespace: "hive://wh", dataset: "mart.customers_by_country", field: $field) {
    up: upstream(depth: $depth) { ...hop source { ...col upstream @include(if: $deep) { ...hop } } }
    downstream { __typename expression }
  }
}
fragment hop on LineageEdge {
  __typename expression lastSeen
  transformation { type subtype masking description __typename }
  job { namespace name lastRunState __typename }
  target { field ... on Column { dataset sensitivity tags { name origin masked PROVENANCE } } }
}
fragment col on Column { namespace dataset field dataType description skipped: field @skip(if: true) }
"""


def _without(value: object, key: str) -> object:
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value


@pytest.fixture(scope="module")
def loaded(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Server:
    sql = tmp_path_factory.mktemp("sql") / "customer_etl.sql"
    sql.write_text(ETL)
    result = run_cli(
        "ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://wh", "--store", server.store
    )
    assert "3 statements" in result.stdout and "0 failed" in result.stdout
    return server


def flatten(level: dict, depth: int = 1) -> set[tuple]:
    """Every edge in a nested answer as (depth, source, target field, type, subtype, masking)."""
    found = set()
    for edge in level["upstream"]:
        t = edge["transformation"]
        src = edge["source"]
        found.add((depth, f"{src['dataset']}.{src['field']}", level["field"], t["type"], t["subtype"], t["masking"]))
        if "upstream" in src:
            found |= flatten(src, depth + 1)
    return found


def test_nested_lineage_three_levels_over_http(loaded: Server) -> None:
    answer = loaded.graphql(NESTED, {"field": "customers"})
    assert "errors" not in answer, answer
    assert flatten(answer["data"]["column"]) == {
        (1, "dw.dim_customer.customer_id", "customers", "DIRECT", "AGGREGATION", True),
        (1, "dw.dim_customer.country", "customers", "INDIRECT", "GROUP_BY", False),
        (2, "stg.customers.id", "customer_id", "DIRECT", "IDENTITY", False),
        (2, "stg.customers.country", "country", "DIRECT", "IDENTITY", False),
        (3, "src.customers.id", "id", "DIRECT", "IDENTITY", False),
        (3, "src.customers.country", "country", "DIRECT", "IDENTITY", False),
    }


def test_masking_and_expression_are_served(loaded: Server) -> None:
    answer = loaded.graphql(
        """{ column(namespace: "hive://wh", dataset: "dw.dim_customer", field: "email_hash") {
               upstream(depth: 2) { expression transformation { type subtype masking }
                                    source { dataset field } target { field } job { namespace name } } } }"""
    )
    edges = answer["data"]["column"]["upstream"]
    hashed = [e for e in edges if e["target"]["field"] == "email_hash"]
    assert [(e["source"]["field"], e["transformation"]["masking"]) for e in hashed] == [("email", True)]
    assert "sha2" in hashed[0]["expression"].lower()
    assert hashed[0]["job"] == {"namespace": "default", "name": "customer_etl"}
    assert {(e["source"]["dataset"], e["target"]["field"]) for e in edges} == {
        ("stg.customers", "email_hash"),
        ("src.customers", "email"),
    }


def test_depth_argument_returns_every_edge_once(loaded: Server) -> None:
    answer = loaded.graphql(
        """{ column(namespace: "hive://wh", dataset: "src.customers", field: "country") {
               downstream(depth: 5) { source { dataset field } target { dataset field }
                                      transformation { subtype } } } }"""
    )
    edges = [
        (
            e["source"]["dataset"] + "." + e["source"]["field"],
            e["target"]["dataset"] + "." + e["target"]["field"],
            e["transformation"]["subtype"],
        )
        for e in answer["data"]["column"]["downstream"]
    ]
    assert sorted(edges) == sorted(
        {
            ("src.customers.country", "stg.customers.country", "IDENTITY"),
            ("stg.customers.country", "dw.dim_customer.country", "IDENTITY"),
            ("dw.dim_customer.country", "mart.customers_by_country.country", "IDENTITY"),
            ("dw.dim_customer.country", "mart.customers_by_country.country", "GROUP_BY"),
            ("dw.dim_customer.country", "mart.customers_by_country.customers", "GROUP_BY"),
        }
    )


def test_lineage_queries_are_answered_by_the_index_without_a_store_call(loaded: Server) -> None:
    def store_calls() -> float:
        text = httpx.get(f"{loaded.url}/metrics", timeout=10).text
        return float(re.search(r"^tagline_store_calls_total (\S+)$", text, re.M).group(1))

    loaded.caught_up()
    before = store_calls()
    for query in (NESTED, FLAT):
        answer = httpx.post(
            f"{loaded.url}/graphql", json={"query": query, "variables": {"field": "customers"}}, timeout=30
        )
        assert "errors" not in answer.json() and answer.json()["data"]["column"]["upstream"]
    assert store_calls() - before == 0


def test_flat_lineage_graph_and_truncation(loaded: Server) -> None:
    query = """query ($max: Int!) { lineage(namespace: "hive://wh", dataset: "dw.dim_customer", direction: BOTH,
                 depth: 3, maxNodes: $max) { nodes { dataset field } edges { source { field } target { field } } truncated } }"""
    full = loaded.graphql(query, {"max": 1000})["data"]["lineage"]
    assert not full["truncated"]
    assert {n["dataset"] for n in full["nodes"]} == {
        "src.customers",
        "stg.customers",
        "dw.dim_customer",
        "mart.customers_by_country",
    }
    cut = loaded.graphql(query, {"max": 2})["data"]["lineage"]
    assert cut["truncated"] and len(cut["edges"]) < len(full["edges"])


def test_dataset_and_job_views(loaded: Server) -> None:
    answer = loaded.graphql(
        """{ dataset(namespace: "hive://wh", name: "stg.customers") { name columns { field } readers { name } writers { name } }
             job(namespace: "default", name: "customer_etl") { inputs { name } outputs { name } } }"""
    )
    ds = answer["data"]["dataset"]
    assert [c["field"] for c in ds["columns"]] == ["country", "email", "id"]
    assert ds["readers"] == ds["writers"] == [{"name": "customer_etl"}]
    job = answer["data"]["job"]
    assert {d["name"] for d in job["inputs"]} == {"src.customers", "stg.customers", "dw.dim_customer"}
    assert {d["name"] for d in job["outputs"]} == {"stg.customers", "dw.dim_customer", "mart.customers_by_country"}


def test_identifiers_are_case_folded_for_lookup(loaded: Server) -> None:
    answer = loaded.graphql('{ column(namespace: "hive://wh", dataset: "STG.Customers", field: "ID") { field } }')
    assert answer["data"]["column"] == {"field": "id"}


def test_unknown_column_is_null_and_unknown_lineage_start_is_a_clear_error(loaded: Server) -> None:
    assert loaded.graphql('{ column(namespace: "hive://wh", dataset: "nope", field: "x") { field } }')["data"] == {
        "column": None
    }
    answer = loaded.graphql('{ lineage(namespace: "hive://wh", dataset: "nope") { truncated } }')
    assert answer["errors"][0]["message"] == "no dataset 'nope' in namespace 'hive://wh'"


def test_limits_answer_with_errors_and_the_server_stays_up(loaded: Server) -> None:
    deep = (
        '{ column(namespace: "a", dataset: "b", field: "c") { '
        + "upstream { source { " * 13
        + "field"
        + " } }" * 13
        + " } }"
    )
    answer = loaded.graphql(deep)
    assert "exceeds maximum operation depth" in answer["errors"][0]["message"]
    too_far = loaded.graphql(
        '{ column(namespace: "hive://wh", dataset: "stg.customers", field: "id") { upstream(depth: 500) { expression } } }'
    )
    assert too_far["errors"][0]["message"].startswith("depth must be between 1 and 20")
    aliases = (
        "{ " + " ".join(f'a{i}: column(namespace: "a", dataset: "b", field: "c") {{ field }}' for i in range(40)) + " }"
    )
    assert "aliases" in loaded.graphql(aliases)["errors"][0]["message"]
    huge = '{ column(namespace: "a", dataset: "b", field: "c") { ' + "field " * 5000 + "} }"
    assert "token" in loaded.graphql(huge)["errors"][0]["message"].lower()
    assert httpx.get(f"{loaded.url}/healthz", timeout=5).json()["status"] == "ok"


def test_graphiql_health_and_metrics(loaded: Server) -> None:
    page = httpx.get(f"{loaded.url}/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert httpx.get(f"{loaded.url}/healthz", timeout=5).json() == {
        "status": "ok",
        "version": "0.1.0",
        "store": "embedded",
    }
    assert "tagline_http_requests_total" in httpx.get(f"{loaded.url}/metrics", timeout=5).text


def test_bad_statement_is_reported_kept_and_replayed(server: Server, tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"crm.accounts": ["id", "name"]}))
    sql = tmp_path / "accounts.sql"
    sql.write_text(
        "INSERT INTO crm.account_copy SELECT id, name FROM crm.accounts;\n"
        "INSERT INTO crm.broken SELEC id FROM crm.accounts;\n"
        "INSERT INTO crm.account_regions SELECT id, region FROM crm.accounts;\n"
        "INSERT INTO crm.account_names SELECT name FROM crm.accounts;\n"
    )
    args = ["ingest", "sql", str(sql), "--dialect", "postgres", "--namespace", "pg://crm", "--catalog", str(catalog)]
    result = run_cli(*args, "--store", server.store, check=False)
    assert result.returncode == 1, "an ingest with failures must say so in its exit status"
    assert "4 statements" in result.stdout and "2 failed" in result.stdout
    assert re.search(r"accounts\.sql statement 2, line 2: .*", result.stderr)
    assert re.search(r"accounts\.sql statement 3, line 3: .*region", result.stderr)

    names = server.graphql(
        '{ column(namespace: "pg://crm", dataset: "crm.account_names", field: "name") { upstream { source { field } } } }'
    )
    assert names["data"]["column"]["upstream"] == [{"source": {"field": "name"}}]

    listed = run_cli("deadletter", "list", "--store", server.store).stdout
    assert "statement 2, line 2" in listed and "statement 3, line 3" in listed

    catalog.write_text(json.dumps({"crm.accounts": ["id", "name", "region"]}))
    replayed = run_cli("deadletter", "replay", "--catalog", str(catalog), "--store", server.store, check=False)
    assert replayed.returncode == 1 and "1 replayed, 1 still failing" in replayed.stdout
    regions = server.graphql(
        '{ column(namespace: "pg://crm", dataset: "crm.account_regions", field: "region") { upstream { source { field } } } }'
    )
    assert regions["data"]["column"]["upstream"] == [{"source": {"field": "region"}}]
    listed = run_cli("deadletter", "list", "--store", server.store).stdout
    assert "statement 2, line 2" in listed and "statement 3, line 3" not in listed


def test_lineage_tree_from_the_cli(loaded: Server) -> None:
    out = run_cli(
        "lineage",
        "hive://wh",
        "mart.customers_by_country",
        "customers",
        "--direction",
        "up",
        "--depth",
        "3",
        "--store",
        loaded.store,
    ).stdout
    assert "hive://wh/src.customers.id" in out and "AGGREGATION" in out


def test_stdin_ingest_uses_named_job(server: Server) -> None:
    run_cli(
        "ingest",
        "sql",
        "-",
        "--dialect",
        "trino",
        "--namespace",
        "trino://x",
        "--job",
        "adhoc_job",
        "--store",
        server.store,
        stdin="CREATE TABLE s.t2 AS SELECT a FROM s.t1",
    )
    answer = server.graphql('{ job(namespace: "default", name: "adhoc_job") { outputs { name } } }')
    assert answer["data"]["job"]["outputs"] == [{"name": "s.t2"}]


def test_direct_only_follows_value_flow_alone(loaded: Server) -> None:
    answer = loaded.graphql(
        """{ column(namespace: "hive://wh", dataset: "mart.customers_by_country", field: "customers") {
               upstream(depth: 3, directOnly: true) { source { dataset field } transformation { type } } } }"""
    )
    edges = answer["data"]["column"]["upstream"]
    assert {(e["source"]["dataset"], e["source"]["field"]) for e in edges} == {
        ("dw.dim_customer", "customer_id"),
        ("stg.customers", "id"),
        ("src.customers", "id"),
    }
    assert {e["transformation"]["type"] for e in edges} == {"DIRECT"}


def test_one_step_rendering_answers_exactly_what_the_field_by_field_executor_does(loaded: Server) -> None:
    variables = {"field": "customers", "deep": True, "depth": 2}
    rendered = loaded.graphql(RENDERED.replace("PROVENANCE", ""), variables)
    reference = loaded.graphql(RENDERED.replace("PROVENANCE", "sources { complete }"), variables)
    assert "errors" not in rendered and "errors" not in reference, (rendered, reference)
    assert rendered["data"]["column"]["up"], rendered
    assert rendered == _without(reference, "sources")


@pytest.mark.smoke
def test_a_cli_ingest_shows_in_the_running_server_at_once_and_a_restart_starts_from_a_snapshot(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "graph.db")
    running = start_server_process(store)
    try:
        sql = tmp_path / "late.sql"
        sql.write_text("INSERT INTO mart.late SELECT id AS late_id FROM stg.early;")
        run_cli_process("ingest", "sql", str(sql), "--dialect", "hive", "--namespace", "hive://wh", "--store", store)
        query = '{ column(namespace: "hive://wh", dataset: "mart.late", field: "late_id") { upstream { source { field } } } }'
        # The first request after the write sees it: no waiting, no retry.
        answer = httpx.post(f"{running.url}/graphql", json={"query": query}, timeout=60).json()
        assert answer["data"]["column"]["upstream"] == [{"source": {"field": "id"}}]
    finally:
        stop_server(running)
    assert Path(store + ".index").exists()
    restarted = start_server_process(store)
    try:
        assert restarted.graphql(query)["data"]["column"]["upstream"] == [{"source": {"field": "id"}}]
    finally:
        stop_server(restarted)


def test_made_up_methods_do_not_grow_the_metrics(loaded: Server) -> None:
    for n in range(5):
        httpx.request(f"MADEUP{n}", f"{loaded.url}/graphql", timeout=10)
    text = httpx.get(f"{loaded.url}/metrics", timeout=10).text
    assert "MADEUP" not in text and 'method="OTHER"' in text


def test_without_keys_web_pages_cannot_change_or_read_the_server(server: Server) -> None:
    mutation = '{"query": "mutation { declareTag(column: {namespace: \\"a\\", dataset: \\"b\\", field: \\"c\\"}, tag: \\"pii\\") { field } }"}'
    simple = httpx.post(f"{server.url}/graphql", content=mutation, headers={"Content-Type": "text/plain"}, timeout=10)
    assert simple.status_code == 415 and "application/json" in simple.json()["detail"]
    event = httpx.post(f"{server.url}/api/v1/lineage", content="{}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert event.status_code == 415
    foreign = httpx.post(
        f"{server.url}/graphql",
        content=mutation,
        timeout=10,
        headers={"Content-Type": "application/json", "Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403 and "evil.example" in foreign.json()["detail"]
    rebound = httpx.get(f"{server.url}/healthz", headers={"Host": "evil.example:8000"}, timeout=10)
    assert rebound.status_code == 400 and "TAGLINE_ALLOWED_HOSTS" in rebound.json()["detail"]
    assert (
        server.graphql('{ column(namespace: "a", dataset: "b", field: "c") { tags { name } } }')["data"]["column"]
        is None
    )
    own = httpx.post(
        f"{server.url}/graphql", json={"query": "{ namespaces { name } }"}, timeout=10, headers={"Origin": server.url}
    )
    assert own.status_code == 200
