"""The comparison rules on plain data: how two paths from one source differ, and which jobs redo
another job's work by the fingerprints of their outputs."""

from __future__ import annotations

from tagline.governance.compare import PathStep, path_difference
from tagline.governance.redundancy import redundant_pairs
from tagline.graph.records import EdgeRecord, VertexRecord


def column(id_: int, dataset: str, field: str) -> VertexRecord:
    return VertexRecord(id_, "column", {"dataset": dataset, "field": field, "key": f"c|ns|{dataset}|{field}"})


SOURCE = column(1, "dw.orders", "amount")
A = column(2, "marts.a", "revenue")
B = column(3, "marts.b", "revenue")
MID = column(4, "stage.orders", "amount")


def step(source: VertexRecord, target: VertexRecord, *kinds: tuple[str, str], **props: object) -> PathStep:
    edges = tuple(
        EdgeRecord(n, "derives", source.id, target.id, {"type": t, "subtype": s, "key": f"e{n}", **props})
        for n, (t, s) in enumerate(kinds)
    )
    return PathStep(source, target, edges)


SUM = ("DIRECT", "AGGREGATION")


def test_paths_by_the_same_transformations_do_not_differ_whatever_their_sql() -> None:
    a = [step(SOURCE, A, SUM, expression="SUM(o.amount)")]
    b = [step(SOURCE, B, SUM, expression="SUM(x.amount)")]
    assert path_difference(a, b) is None


def test_a_hop_with_another_subtype_is_named_with_both_transformations() -> None:
    a = [step(SOURCE, A, SUM)]
    b = [step(SOURCE, B, SUM, ("INDIRECT", "GROUP_BY"))]
    difference = path_difference(a, b)
    assert difference == (
        "hop 1, from dw.orders.amount: a by DIRECT AGGREGATION; b by DIRECT AGGREGATION, INDIRECT GROUP_BY"
    )


def test_masking_and_description_are_part_of_the_transformation() -> None:
    plain = [step(SOURCE, A, ("DIRECT", "TRANSFORMATION"))]
    masked = [step(SOURCE, B, ("DIRECT", "TRANSFORMATION"), masking=True)]
    described = [step(SOURCE, B, ("DIRECT", "TRANSFORMATION"), description="sha256")]
    assert "masking" in (path_difference(plain, masked) or "")
    assert "(sha256)" in (path_difference(plain, described) or "")


def test_paths_of_other_lengths_differ_and_say_what_each_does() -> None:
    a = [step(SOURCE, A, SUM)]
    b = [step(SOURCE, MID, ("DIRECT", "IDENTITY")), step(MID, B, SUM)]
    assert path_difference(a, b) == (
        "a is 1 hop from the source, b 2: DIRECT AGGREGATION against DIRECT IDENTITY then DIRECT AGGREGATION"
    )


def test_a_job_whose_outputs_all_match_anothers_is_redundant_and_identical_pairs_are_reported_once() -> None:
    outputs = {
        "j|copy": {10: 111, 11: 222},
        "j|orig": {20: 222, 21: 111},
        "j|bigger": {30: 111, 31: 222, 32: 333},
        "j|other": {40: 444},
    }
    found = {(r.job, r.other): r for r in redundant_pairs(outputs)}
    assert set(found) == {("j|copy", "j|orig"), ("j|copy", "j|bigger"), ("j|orig", "j|bigger")}
    assert found[("j|copy", "j|orig")].identical
    assert sorted(found[("j|copy", "j|orig")].matches) == [(10, 21), (11, 20)]
    assert not found[("j|copy", "j|bigger")].identical


def test_two_outputs_of_one_lineage_are_matched_to_two_outputs_of_the_other() -> None:
    found = redundant_pairs({"j|a": {1: 7, 2: 7}, "j|b": {3: 7, 4: 7}})
    assert [sorted(r.matches) for r in found] == [[(1, 3), (2, 4)]]


def test_jobs_sharing_only_some_outputs_are_not_redundant() -> None:
    assert redundant_pairs({"j|a": {1: 1, 2: 2}, "j|b": {3: 1, 4: 3}}) == []
