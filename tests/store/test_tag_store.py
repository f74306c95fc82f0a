"""Governance on a real store: declarations sent with lineage, the demo, and incremental == full."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagline.api.services.demo import default_examples_dir, load_demo
from tagline.api.services.ingestion import IngestReport, write_batch
from tagline.governance.service import Governance
from tagline.graph.model import DeclaredTag, LineageBatch
from tagline.graph.schema import TAGS_EFFECTIVE
from tagline.graph.store import GraphStore
from tests.conftest import col, derive


def effective(store: GraphStore) -> dict[str, str]:
    return {k: p.get(TAGS_EFFECTIVE, "[]") for k, p in store.column_props(store.column_keys()).items()}


def test_tags_sent_with_lineage_are_declared_by_the_source_and_propagate(store: GraphStore) -> None:
    a, b = col("db.a", "x"), col("db.b", "y")
    batch = LineageBatch(
        edges=[derive(a, b)], tags=[DeclaredTag(column=a, tag="pii"), DeclaredTag(column=a, tag="Not Valid")]
    )
    report = IngestReport()
    write_batch(store, batch, "openlineage", report)
    assert report.rejected_tags and "Not Valid" in report.rejected_tags[0]
    assert '"pii"' in effective(store)[b.key]
    (declared,) = [e for e in store.audit({"column": a.key}) if e["change"] == "ADDED"]
    assert declared["actor"] == "ingest:openlineage"


def test_demo_shows_propagation_masking_and_the_deliberate_violation(store: GraphStore) -> None:
    load_demo(store, default_examples_dir())
    before = effective(store)
    governance = Governance(store)
    assert governance.propagate_full("test").columns_changed == 0
    assert effective(store) == before
    sinks = {v.column.split("|")[-2:][0] + "." + v.column.split("|")[-1] for v in governance.violations()}
    assert "marts.marketing_contacts.email" in sinks
    props = store.column_props(["c|hive://warehouse|dw.dim_payment_card|card_number_masked"])
    assert next(iter(props.values()))["sensitivity"] == "internal"


def test_impact_reports_the_tags_that_flow_through(store: GraphStore) -> None:
    from tagline.governance.impact import impact_of
    from tagline.graph.model import DatasetRef

    load_demo(store, default_examples_dir())
    found = impact_of(store, DatasetRef(namespace="mysql://orders-db:3306", name="shop.customers"), "email", 5)
    reached = {t.tag: t for t in found.tags()}
    email = reached["pii.email"]
    assert "c|redshift://analytics.eu-west-1:5439|marts.marketing_contacts|email" in email.unmasked
    assert "c|hive://warehouse|dw.dim_customer|email_sha256" in email.columns
    assert "c|hive://warehouse|dw.dim_customer|email_sha256" not in email.unmasked


def test_tags_catch_up_after_a_write_whose_propagation_never_ran(store: GraphStore) -> None:
    a, b, c = col("db.a", "x"), col("db.b", "y"), col("db.c", "z")
    write_batch(
        store, LineageBatch(edges=[derive(a, b)], tags=[DeclaredTag(column=a, tag="pii")]), "sql", IngestReport()
    )
    # lineage lands, then the process stops before propagating: the new column is marked
    store.write(LineageBatch(edges=[derive(b, c)]))
    assert store.pending_columns() == [c.key]
    assert '"pii"' not in effective(store).get(c.key, "[]")
    # the next ingest, even one with nothing new, takes the marked column into account
    write_batch(store, LineageBatch(edges=[derive(a, b)]), "sql", IngestReport())
    assert '"pii"' in effective(store)[c.key]
    assert store.pending_columns() == []
    before = effective(store)
    assert Governance(store).propagate_full("test").columns_changed == 0
    assert effective(store) == before


def test_a_full_recomputation_from_the_tagged_columns_equals_one_from_every_column(store: GraphStore) -> None:
    """The full pass starts from the columns that declare, block or hold tags; started from every
    column instead, the same rules give the same effective tags everywhere."""
    from tagline.governance.policy import MaskedClassifications, Policy
    from tagline.governance.propagation import propagate
    from tagline.governance.service import StoreView
    from tagline.governance.state import column_states

    load_demo(store, default_examples_dir())
    # A policy change makes the stored tags stale: masking edges now stop classifications, and
    # INDIRECT join keys and filters carry tags.
    changed = Policy(masked_classifications=MaskedClassifications.DROP, indirect_carries=frozenset({"JOIN", "FILTER"}))
    keys = store.column_keys()
    view = StoreView(store, {})
    from_every_column = propagate(view, keys, changed)
    expected = {k: c.after for k, c in from_every_column.items()}
    assert expected, "the policy change should change some columns' tags"
    Governance(store, changed).propagate_full("test")
    states = column_states(store, keys)
    for key, after in expected.items():
        assert states[key].effective == after, key
    assert Governance(store, changed).propagate_full("test").columns_changed == 0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["govern", "raw", "declare", "remove"]),
            st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), min_size=1, max_size=3),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_tags_after_any_mix_of_ingests_and_declarations_equal_a_recomputation_from_every_column(
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[str, list[tuple[int, int]]]],
) -> None:
    """Pending columns are sifted to those tags can reach before propagation; whatever the order of
    writes (with or without their propagation), declarations and removals, the stored tags are
    what the rules give from scratch."""
    from tagline.governance.propagation import propagate
    from tagline.governance.service import StoreView
    from tagline.governance.state import column_states

    columns = [col(f"db.t{n % 4}", f"c{n}") for n in range(8)]
    store = GraphStore(str(tmp_path_factory.mktemp("tags") / "graph.db"))
    governance = Governance(store)
    try:
        for kind, pairs in steps:
            edges = [derive(columns[a], columns[b]) for a, b in pairs if a != b]
            if kind == "govern" and edges:
                write_batch(store, LineageBatch(edges=edges), "sql", IngestReport())
            elif kind == "raw" and edges:
                store.write(LineageBatch(edges=edges))  # the process stops before propagating
            elif kind == "declare":
                governance.declare_many([DeclaredTag(column=columns[a], tag="pii") for a, _ in pairs], "test")
            else:
                for a, _ in pairs:
                    with contextlib.suppress(ValueError):  # not declared there: nothing to remove
                        governance.remove(columns[a], "pii", "test")
        # One more incremental run takes up what the last raw write left pending.
        governance.after_write(store.write(LineageBatch()), "test")
        assert store.pending_columns() == []
        keys = store.column_keys()
        scratch = StoreView(store, {})
        for state in scratch.load(keys).values():
            state.effective = {}
        expected = {k: c.after for k, c in propagate(scratch, keys, governance.policy).items()}
        stored = column_states(store, keys)
        assert {k: s.effective for k, s in stored.items() if s.effective} == {k: e for k, e in expected.items() if e}
    finally:
        store.close()
