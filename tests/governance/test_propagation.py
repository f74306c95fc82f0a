"""Propagation rules, and the invariant that incremental propagation equals full recomputation."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from tagline.governance.policy import Inflow, MaskedClassifications, Policy
from tagline.governance.propagation import DECLARED, Derivation, Item, propagate
from tests.governance.memory import MemoryGraph, reference

POLICY = Policy()
SUBTYPES = {
    "DIRECT": ["IDENTITY", "TRANSFORMATION", "AGGREGATION"],
    "INDIRECT": ["JOIN", "GROUP_BY", "FILTER", "SORT", "WINDOW", "CONDITIONAL"],
}
TAGS = ["pii", "pii.email", "pci", "restricted", "confidential", "internal"]


def edge(
    source: str, target: str, type_: str = "DIRECT", subtype: str = "IDENTITY", masking: bool = False
) -> tuple[Inflow, dict[str, str]]:
    key = f"{source}>{target}:{type_}:{subtype}:{int(masking)}"
    return Inflow(key, source, type_, subtype, masking), {key: target}


def chain(graph: MemoryGraph, *hops: tuple) -> None:
    for hop in hops:
        inflow, target_of = edge(*hop)
        graph.add_edges([inflow], target_of)


def tags_of(graph: MemoryGraph, key: str) -> set[tuple[str, bool]]:
    return {(i.tag, i.masked) for i in graph.states[key].effective}


def test_identity_and_transformation_carry_declared_tags() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b"), ("b", "c", "DIRECT", "TRANSFORMATION"))
    g.declare("a", "pii")
    assert tags_of(g, "c") == {("pii", False)}
    assert g.states["c"].effective[Item("pii", False, "a")].dist == 2


def test_masking_lowers_levels_and_marks_classifications() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b", "DIRECT", "TRANSFORMATION", True))
    g.declare("a", "restricted")
    g.declare("a", "pii.email")
    assert tags_of(g, "b") == {("internal", True), ("pii.email", True)}
    dropping = MemoryGraph(Policy(masked_classifications=MaskedClassifications.DROP, masked_level="public"))
    chain(dropping, ("a", "b", "DIRECT", "TRANSFORMATION", True))
    dropping.declare("a", "restricted")
    dropping.declare("a", "pii")
    assert tags_of(dropping, "b") == {("public", True)}


def test_indirect_edges_and_aggregation_follow_the_policy() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b", "INDIRECT", "FILTER"), ("a", "c", "DIRECT", "AGGREGATION"))
    g.declare("a", "pii")
    assert tags_of(g, "b") == set() and tags_of(g, "c") == {("pii", False)}
    strict = MemoryGraph(Policy(aggregation_carries=False, indirect_carries=frozenset({"FILTER"})))
    chain(strict, ("a", "b", "INDIRECT", "FILTER"), ("a", "c", "DIRECT", "AGGREGATION"))
    strict.declare("a", "pii")
    assert tags_of(strict, "b") == {("pii", False)} and tags_of(strict, "c") == set()


def test_removal_withdraws_only_where_no_other_path_supports() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "c"), ("b", "c"), ("c", "d"))
    g.declare("a", "pii")
    g.declare("b", "pii")
    g.declare("a", "pii", present=False)
    assert {i.source for i in g.states["d"].effective} == {"b"}
    g.declare("b", "pii", present=False)
    assert g.states["d"].effective == {}


def test_cycles_terminate_and_do_not_keep_a_tag_alive() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b"), ("b", "c"), ("c", "b"), ("c", "a"))
    g.declare("a", "pii")
    assert tags_of(g, "b") == tags_of(g, "c") == {("pii", False)}
    assert Item("pii", False, "a") not in {i for i in g.states["a"].effective if g.states["a"].effective[i].dist}
    g.declare("a", "pii", present=False)
    assert all(s.effective == {} for s in g.states.values())


def test_blocks_at_a_column_and_on_an_edge() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b"), ("b", "c"), ("a", "x"))
    g.declare("a", "pii.email")
    g.block_column("b", "pii")  # a block on pii covers pii.email
    assert tags_of(g, "b") == tags_of(g, "c") == set()
    g.block_column("b", "pii", present=False)
    assert tags_of(g, "c") == {("pii.email", False)}
    g.block_edge("x", "a>x:DIRECT:IDENTITY:0", "pii.email")
    assert tags_of(g, "x") == set()


def test_shortest_path_wins_and_ties_go_to_the_smallest_edge_key() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b"), ("b", "d"), ("a", "c"), ("c", "d"), ("a", "d", "DIRECT", "TRANSFORMATION"))
    g.declare("a", "pii")
    assert g.states["d"].effective[Item("pii", False, "a")] == Derivation(
        1, "a>d:DIRECT:TRANSFORMATION:0", "pii", False
    )
    assert g.states["a"].effective[Item("pii", False, "a")] == DECLARED


# ---- the invariant: after any sequence of changes, incremental == full == the reference ----------

COLUMNS = [f"c{i}" for i in range(7)]

edges_strategy = st.builds(
    lambda s, t, kind, masking: (s, t, kind[0], kind[1], masking),
    st.sampled_from(COLUMNS),
    st.sampled_from(COLUMNS),
    st.sampled_from([(t, s) for t, subs in SUBTYPES.items() for s in subs]),
    st.booleans(),
).filter(lambda e: e[0] != e[1])

operation = st.one_of(
    st.tuples(st.just("ingest"), st.lists(edges_strategy, min_size=1, max_size=4)),
    st.tuples(st.just("declare"), st.sampled_from(COLUMNS), st.sampled_from(TAGS), st.booleans()),
    st.tuples(
        st.just("block"),
        st.sampled_from(COLUMNS),
        st.sampled_from(["pii", "pii.email", "restricted", "internal"]),
        st.booleans(),
    ),
    st.tuples(
        st.just("block_edge"), st.integers(0, 50), st.sampled_from(["pii", "pci", "confidential"]), st.booleans()
    ),
    # A job's definition of its lineage into one column at an event time: newer ones replace the
    # job's edges into it, older ones (late events) change nothing that is current.
    st.tuples(
        st.just("define"),
        st.sampled_from(["j1", "j2"]),
        st.sampled_from(COLUMNS),
        st.lists(edges_strategy, max_size=3),
        st.integers(0, 9),
    ),
)

policies = st.sampled_from(
    [
        POLICY,
        Policy(masked_classifications=MaskedClassifications.DROP, aggregation_carries=False),
        Policy(indirect_carries=frozenset({"CONDITIONAL", "JOIN"}), masked_level="confidential"),
    ]
)


def full_recomputation(g: MemoryGraph) -> dict:
    blank = MemoryGraph(g.policy)
    blank.states = {k: replace(s, effective={}) for k, s in g.states.items()}
    blank.apply(list(blank.states))
    return blank.effective()


@settings(max_examples=150, deadline=None)
@given(policies, st.lists(operation, min_size=1, max_size=25))
def test_incremental_equals_full_recomputation(policy: Policy, operations: list[tuple]) -> None:
    g = MemoryGraph(policy)
    defined: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for op in operations:
        if op[0] == "define":
            _, job, target, edges, at = op
            latest, current = defined.get((job, target), (-1, []))
            if at < latest:
                continue  # a late event: the newer definition stands
            pairs = [edge(source, target, *rest) for source, _, *rest in edges if source != target]
            keys = [f"{job}/{p[0].edge}" for p in pairs]
            g.remove_edges(set(current) - set(keys))
            g.add_edges([p[0]._replace(edge=k) for p, k in zip(pairs, keys, strict=True)], dict.fromkeys(keys, target))
            defined[(job, target)] = (at, keys)
        elif op[0] == "ingest":
            pairs = [edge(*e) for e in op[1]]
            g.add_edges([p[0] for p in pairs], {k: v for p in pairs for k, v in p[1].items()})
        elif op[0] == "declare":
            g.declare(op[1], op[2], op[3])
        elif op[0] == "block":
            g.block_column(op[1], op[2], op[3])
        else:
            edges = sorted((f.edge, s.key) for s in g.states.values() for f in s.inputs)
            if edges:
                edge_key, target = edges[op[1] % len(edges)]
                g.block_edge(target, edge_key, op[2], op[3])
        assert g.effective() == reference(g.states, policy)
    assert g.effective() == full_recomputation(g)


def test_propagation_reads_only_the_affected_part() -> None:
    g = MemoryGraph(POLICY)
    chain(g, ("a", "b"), ("b", "c"), ("x", "y"), ("y", "z"))
    g.declare("a", "pii")
    read: set[str] = set()
    original = g.load

    def spy(keys):
        found = original(keys)
        read.update(found)
        return found

    g.load = spy  # type: ignore[method-assign]
    for key, change in propagate(g, ["c"], POLICY).items():
        g.states[key] = replace(g.states[key], effective=change.after)
    assert read <= {"a", "b", "c"} and tags_of(g, "c") == {("pii", False)}
