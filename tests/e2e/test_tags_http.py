"""Sensitivity tags end to end: SQL in through the CLI, tags declared, blocked and removed over
GraphQL and the CLI, provenance, audit and violations read back, role checks on a keyed server."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import TAGLINE, Server, run_cli, start_server, start_server_process, stop_server

ETL = """
INSERT OVERWRITE TABLE stg.customers
SELECT id, lower(email) AS email, country FROM src.customers;

INSERT OVERWRITE TABLE dw.dim_customer
SELECT c.id AS customer_id, sha2(c.email, 256) AS email_hash, c.email AS email_raw, c.country
FROM stg.customers c;

INSERT OVERWRITE TABLE mart.customers_by_country
SELECT d.country, count(d.customer_id) AS customers
FROM dw.dim_customer d
GROUP BY d.country;
"""
NS = "hive://wh"
KEYS = "ana:reader-key-1:reader,sam:steward-key-2:steward,ivy:ingest-key-3:ingester,root:admin-key-4:admin"

COLUMN_TAGS = """
query ($dataset: String!, $field: String!, $tag: String!) {
  column(namespace: "hive://wh", dataset: $dataset, field: $field) {
    sensitivity
    tags { name origin masked sources { column { dataset field } path {
      source { dataset field } target { dataset field } transformation { type subtype masking } } } }
  }
  tagAudit(column: {namespace: "hive://wh", dataset: $dataset, field: $field}, tag: $tag, first: 10) {
    edges { cursor node { at actor tag change cause column { field } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
DECLARE = """
mutation ($dataset: String!, $field: String!, $tag: String!, $why: String) {
  declareTag(column: {namespace: "hive://wh", dataset: $dataset, field: $field}, tag: $tag, justification: $why) {
    field sensitivity tags { name origin }
  }
}
"""
REMOVE = DECLARE.replace("declareTag", "removeTag")
BLOCK = """
mutation ($dataset: String!, $field: String!, $tag: String!, $why: String!) {
  blockTag(column: {namespace: "hive://wh", dataset: $dataset, field: $field}, tag: $tag, justification: $why) {
    tags { name }
  }
}
"""
UNBLOCK = BLOCK.replace("blockTag", "unblockTag")


@pytest.fixture(scope="module")
def etl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sql = tmp_path_factory.mktemp("sql") / "customer_etl.sql"
    sql.write_text(ETL)
    return sql


@pytest.fixture
def loaded(tmp_path: Path, etl: Path) -> Iterator[Server]:
    """A server of this test's own on the ETL's lineage: no test sees what another declared, blocked
    or removed, whatever order or worker runs them."""
    store = str(tmp_path / "graph.db")
    run_cli("ingest", "sql", str(etl), "--dialect", "hive", "--namespace", NS, "--store", store, "--create")
    running = start_server(store)
    yield running
    stop_server(running)


@pytest.fixture
def declared(loaded: Server) -> Server:
    """The ETL's source e-mail declared restricted and pii.email, as the security team would."""
    ask(loaded, DECLARE, dataset="src.customers", field="email", tag="restricted", why="raw addresses")
    ask(loaded, DECLARE, dataset="src.customers", field="email", tag="pii.email")
    return loaded


def ask(server: Server, query: str, **variables: object) -> dict:
    answer = server.graphql(query, variables)
    assert "errors" not in answer, answer
    return answer["data"]


def tags(server: Server, dataset: str, field: str, tag: str = "pii") -> dict:
    return ask(server, COLUMN_TAGS, dataset=dataset, field=field, tag=tag)


def test_declared_tag_propagates_with_masking_and_provenance(loaded: Server) -> None:
    done = ask(loaded, DECLARE, dataset="src.customers", field="email", tag="restricted", why="raw addresses")
    assert done["declareTag"]["sensitivity"] == "restricted"
    ask(loaded, DECLARE, dataset="src.customers", field="email", tag="pii.email")
    raw = tags(loaded, "dw.dim_customer", "email_raw", "pii.email")
    assert raw["column"]["sensitivity"] == "restricted"
    pii = next(t for t in raw["column"]["tags"] if t["name"] == "pii.email")
    assert pii["origin"] == "INHERITED" and pii["masked"] is False
    (source,) = pii["sources"]
    assert source["column"] == {"dataset": "src.customers", "field": "email"}
    assert [(e["source"]["dataset"], e["target"]["dataset"]) for e in source["path"]] == [
        ("src.customers", "stg.customers"),
        ("stg.customers", "dw.dim_customer"),
    ]
    hashed = tags(loaded, "dw.dim_customer", "email_hash")["column"]
    assert hashed["sensitivity"] == "internal"
    assert {(t["name"], t["masked"]) for t in hashed["tags"]} == {("internal", True), ("pii.email", True)}
    assert hashed["tags"][0]["sources"][0]["path"][-1]["transformation"]["masking"] is True
    # the country is joined on nothing sensitive; counting customers is masking
    assert tags(loaded, "mart.customers_by_country", "country")["column"]["tags"] == []


def test_impact_lists_the_tags_that_flow_through(declared: Server) -> None:
    impact = ask(
        declared,
        f"""{{ impact(namespace: "{NS}", dataset: "src.customers", field: "email", depth: 5) {{
                              sensitivity tags {{ name columns unmaskedColumns }} }} }}""",
    )["impact"]
    assert impact["sensitivity"] == "restricted"
    by_name = {t["name"]: t for t in impact["tags"]}
    # src.customers.email, stg.customers.email, dw.dim_customer.email_raw carry it; email_hash masked
    assert by_name["pii.email"] == {"name": "pii.email", "columns": 4, "unmaskedColumns": 3}


def test_audit_records_inheritance_with_its_cause(declared: Server) -> None:
    entries = [e["node"] for e in tags(declared, "dw.dim_customer", "email_raw", "pii.email")["tagAudit"]["edges"]]
    assert entries[0]["change"] == "ADDED" and entries[0]["actor"] == "local"
    assert "inherited from hive://wh/src.customers.email" in entries[0]["cause"]


def test_block_and_unblock_are_audited_and_propagate(declared: Server) -> None:
    ask(declared, BLOCK, dataset="stg.customers", field="email", tag="pii", why="test data only")
    assert "pii.email" not in {t["name"] for t in tags(declared, "dw.dim_customer", "email_raw")["column"]["tags"]}
    audit = tags(declared, "stg.customers", "email", "pii")["tagAudit"]["edges"]
    assert audit[0]["node"]["change"] == "BLOCKED" and "test data only" in audit[0]["node"]["cause"]
    ask(declared, UNBLOCK, dataset="stg.customers", field="email", tag="pii", why="mistake")
    assert "pii.email" in {t["name"] for t in tags(declared, "dw.dim_customer", "email_raw")["column"]["tags"]}
    missing = declared.graphql(BLOCK, {"dataset": "stg.customers", "field": "email", "tag": "pii", "why": " "})
    assert "justification" in missing["errors"][0]["message"]


def test_removal_withdraws_downstream_and_pages_the_audit(declared: Server) -> None:
    ask(declared, REMOVE, dataset="src.customers", field="email", tag="pii.email", why="reclassified")
    assert "pii.email" not in {t["name"] for t in tags(declared, "dw.dim_customer", "email_raw")["column"]["tags"]}
    first = ask(
        declared, "{ tagAudit(first: 2) { edges { cursor node { change } } pageInfo { hasNextPage endCursor } } }"
    )
    page = first["tagAudit"]
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    second = ask(declared, "query ($a: String) { tagAudit(first: 2, after: $a) { edges { cursor } } }", a=after)
    assert not {e["cursor"] for e in second["tagAudit"]["edges"]} & {e["cursor"] for e in page["edges"]}


def test_the_audit_log_cannot_be_edited_through_the_api(declared: Server) -> None:
    before = ask(declared, "{ tagAudit(first: 500) { edges { cursor node { at actor tag change cause } } } }")
    mutations = ask(declared, "{ __schema { mutationType { fields { name } } } }")["__schema"]["mutationType"]["fields"]
    # the other mutations register subscribers of changes (api/gql/notify.py): none touches the audit
    tag_mutations = {f["name"] for f in mutations} - {"subscribe", "unsubscribe"}
    assert tag_mutations == {"declareTag", "removeTag", "blockTag", "unblockTag"}
    for method in ("PUT", "PATCH", "DELETE"):
        # 415: without keys, a changing request must first say it sends JSON (api/same_origin.py).
        assert httpx.request(method, f"{declared.url}/graphql", timeout=10).status_code in (404, 405, 415)
    ask(declared, DECLARE, dataset="src.customers", field="country", tag="internal")
    after = ask(declared, "{ tagAudit(first: 500) { edges { cursor node { at actor tag change cause } } } }")
    assert after["tagAudit"]["edges"][-len(before["tagAudit"]["edges"]) :] == before["tagAudit"]["edges"]


def test_cli_tag_why_audit_propagate_and_violations(loaded: Server, tmp_path: Path) -> None:
    store = ("--store", loaded.store)
    run_cli("tag", "set", NS, "src.customers", "id", "pii", "--why", "customer number", *store)
    why = run_cli("why", NS, "dw.dim_customer", "customer_id", "pii", *store).stdout
    assert "from hive://wh/src.customers.id" in why and "dw.dim_customer.customer_id" in why
    tags_file = tmp_path / "tags.json"
    tags_file.write_text(
        '{"tags": [{"namespace": "hive://wh", "dataset": "mart.customers_by_country", "field": "customers", "tags": ["public"]}]}'
    )
    run_cli("tag", "import", str(tags_file), *store)
    run_cli("tag", "set", NS, "src.customers", "country", "restricted", *store)
    violations = run_cli("violations", *store, check=False)
    assert violations.returncode == 1
    assert "mart.customers_by_country.country" in violations.stdout and "SINK_RECEIVES_SENSITIVE" in violations.stdout
    over_http = ask(loaded, "{ sensitivityViolations { kind column { dataset field } } }")["sensitivityViolations"]
    assert {
        "kind": "SINK_RECEIVES_SENSITIVE",
        "column": {"dataset": "mart.customers_by_country", "field": "country"},
    } in over_http
    audit = run_cli("audit", "--column", NS, "src.customers", "id", *store).stdout
    assert "ADDED" in audit and "customer number" in audit
    assert "0 columns changed" in run_cli("propagate", "--full", *store).stdout
    unknown = run_cli("tag", "unset", NS, "src.customers", "id", "pci", *store, check=False)
    assert unknown.returncode == 2 and "not declared" in unknown.stderr
    bad = run_cli("tag", "set", NS, "src.customers", "id", "Bad Tag!", *store, check=False)
    assert bad.returncode == 2 and "invalid tag" in bad.stderr


def test_new_lineage_inherits_tags_on_ingest(loaded: Server, tmp_path: Path) -> None:
    more = tmp_path / "export.sql"
    more.write_text("INSERT OVERWRITE TABLE exp.customers SELECT email_raw FROM dw.dim_customer;")
    run_cli("tag", "set", NS, "src.customers", "email", "pii.email", "--why", "again", "--store", loaded.store)
    run_cli("ingest", "sql", str(more), "--dialect", "hive", "--namespace", NS, "--store", loaded.store)
    column = tags(loaded, "exp.customers", "email_raw", "pii.email")
    assert "pii.email" in {t["name"] for t in column["column"]["tags"]}
    assert column["tagAudit"]["edges"][0]["node"]["actor"] == "ingest:sql"
    run_cli(
        "tag",
        "block",
        NS,
        "exp.customers",
        "email_raw",
        "pii",
        "--why",
        "export is consented",
        "--from",
        NS,
        "dw.dim_customer",
        "email_raw",
        "--store",
        loaded.store,
    )
    assert "pii.email" not in {t["name"] for t in tags(loaded, "exp.customers", "email_raw")["column"]["tags"]}


# ---- roles -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory, etl: Path) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("keyed") / "graph.db")
    run_cli("ingest", "sql", str(etl), "--dialect", "hive", "--namespace", NS, "--store", store, "--create")
    running = start_server_process(store, env={"TAGLINE_API_KEYS": KEYS})
    yield running
    stop_server(running)


def post(server: Server, query: str, key: str | None, variables: dict | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers, timeout=30
    )


@pytest.mark.smoke
def test_roles_on_graphql_and_routes(keyed: Server) -> None:
    query = '{ column(namespace: "hive://wh", dataset: "src.customers", field: "email") { sensitivity } }'
    declare = {"dataset": "src.customers", "field": "email", "tag": "pii", "why": "by the steward"}
    assert post(keyed, query, None).status_code == 401
    assert post(keyed, query, "wrong-key").status_code == 401
    assert post(keyed, query, "reader-key-1").json() == {"data": {"column": {"sensitivity": None}}}
    refused = post(keyed, DECLARE, "reader-key-1", declare)
    assert refused.status_code == 403 and "role reader" in refused.json()["errors"][0]["message"]
    assert post(keyed, query, "ingest-key-3").status_code == 403
    accepted = post(keyed, DECLARE, "steward-key-2", declare)
    assert accepted.status_code == 200 and accepted.json()["data"]["declareTag"]["tags"] == [
        {"name": "pii", "origin": "DECLARED"}
    ]
    audit = post(keyed, "{ tagAudit(first: 1) { edges { node { actor } } } }", "admin-key-4").json()
    assert audit["data"]["tagAudit"]["edges"][0]["node"]["actor"] == "sam"
    assert httpx.get(f"{keyed.url}/metrics", timeout=10).status_code == 401
    assert (
        httpx.get(f"{keyed.url}/metrics", headers={"Authorization": "Bearer reader-key-1"}, timeout=10).status_code
        == 200
    )
    assert httpx.get(f"{keyed.url}/healthz", timeout=10).status_code == 200
    assert keyed.process is not None
    keyed.process.terminate()
    keyed.process.wait(timeout=10)
    output = keyed.output()
    assert "Uvicorn running" in output or "Application startup complete" in output, output
    assert "steward-key-2" not in output and "reader-key-1" not in output


@pytest.mark.smoke
def test_serving_beyond_loopback_needs_keys_or_insecure(tmp_path: Path) -> None:
    refused = run_cli("serve", "--host", "0.0.0.0", "--store", str(tmp_path / "g.db"), check=False)
    assert refused.returncode == 2 and "--insecure" in refused.stderr
    broken = subprocess.run(
        [TAGLINE, "serve", "--store", str(tmp_path / "g.db")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "TAGLINE_API_KEYS": "ana:secret-key-9:superuser"},
    )
    assert (
        broken.returncode == 2 and "unknown role 'superuser'" in broken.stderr and "secret-key-9" not in broken.stderr
    )


def test_audit_times_must_be_rfc3339_and_filter_as_times(declared: Server) -> None:
    query = "query ($s: String, $u: String) { tagAudit(since: $s, until: $u, first: 500) { edges { node { at } } } }"
    refused = declared.graphql(query, {"s": "yesterday"})
    assert "since must be an RFC 3339 time" in refused["errors"][0]["message"]
    assert "until must be" in declared.graphql(query, {"u": "2026-01-31"})["errors"][0]["message"]
    everything = ask(declared, query)["tagAudit"]["edges"]
    since_epoch = ask(declared, query, s="1970-01-01T00:00:00+00:00")["tagAudit"]["edges"]
    assert everything and since_epoch == everything
    assert ask(declared, query, u="1970-01-01T00:00:00Z")["tagAudit"]["edges"] == []
