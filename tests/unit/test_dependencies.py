"""The dependency rules on plain data: recommendation, staleness, direct-only reduction, checks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tagline.governance.dependencies import JobGraph, check, path, recommend, without

CUTOFF = "2026-03-01T00:00:00.000Z"
FRESH = "2026-03-10T00:00:00.000Z"
OLD = "2026-01-01T00:00:00.000Z"


def graph(reads: dict[str, list[str]], writes: dict[str, dict[str, str | None]]) -> JobGraph:
    return JobGraph(reads={j: set(d) for j, d in reads.items()}, writes=writes)


# extract -> raw -> build -> dw -> report; report also reads raw; old_loader last wrote raw long ago.
CHAIN = graph(
    reads={"extract": [], "build": ["raw"], "report": ["dw", "raw"], "old_loader": []},
    writes={"raw": {"extract": FRESH, "old_loader": OLD, "build": FRESH}, "dw": {"build": FRESH}},
)


def names(found) -> list[tuple[str, bool]]:
    return [(d.job, d.stale) for d in found]


def test_writers_of_what_a_job_reads_are_its_dependencies_but_never_itself() -> None:
    found = recommend(CHAIN, "build", CUTOFF)
    assert names(found) == [("extract", False), ("old_loader", True)]
    assert found[0].datasets == ("raw",) and found[0].last_write_at == FRESH


def test_evidence_lists_every_dataset_with_its_last_write() -> None:
    report = {d.job: d for d in recommend(CHAIN, "report", CUTOFF)}
    assert report["build"].writes == (("dw", FRESH), ("raw", FRESH))
    assert report["old_loader"].last_write_at == OLD and report["old_loader"].stale


def test_a_writer_with_no_known_write_time_is_stale() -> None:
    g = graph(reads={"a": ["x"]}, writes={"x": {"b": None}})
    assert names(recommend(g, "a", CUTOFF)) == [("b", True)]


def test_direct_only_drops_what_another_dependency_implies() -> None:
    assert names(recommend(CHAIN, "report", CUTOFF)) == [("build", False), ("extract", False), ("old_loader", True)]
    assert names(recommend(CHAIN, "report", CUTOFF, direct_only=True)) == [("build", False), ("old_loader", True)]


def test_direct_only_keeps_dependencies_implied_only_through_each_other_or_through_the_job() -> None:
    # b and c feed each other; a reads both: dropping either would leave a waiting for neither.
    mutual = graph(reads={"a": ["x", "y"], "b": ["y"], "c": ["x"]}, writes={"x": {"b": FRESH}, "y": {"c": FRESH}})
    assert names(recommend(mutual, "a", CUTOFF, direct_only=True)) == [("b", False), ("c", False)]
    # s reads what a writes: s -> a -> e must not make e implied through s.
    through_a = graph(
        reads={"a": ["ax", "sx"], "s": ["aw"], "e": []},
        writes={"ax": {"e": FRESH}, "sx": {"s": FRESH}, "aw": {"a": FRESH}},
    )
    assert names(recommend(through_a, "a", CUTOFF, direct_only=True)) == [("e", False), ("s", False)]


def test_nothing_is_implied_through_a_stale_writer() -> None:
    g = graph(reads={"a": ["x", "y"], "b": ["y"], "c": []}, writes={"x": {"b": OLD}, "y": {"c": FRESH}})
    assert names(recommend(g, "a", CUTOFF, direct_only=True)) == [("b", True), ("c", False)]


def test_check_reports_missing_redundant_stale_and_unknown() -> None:
    result = check(CHAIN, "report", ["extract", "mailer", "ghost"], CUTOFF, known_jobs={"extract", "mailer", "build"})
    assert result.missing == ("build",)
    assert result.redundant == ("mailer",)
    assert result.stale == ("old_loader",)
    assert result.unknown == ("ghost",)
    assert result.cycles == () and result.failed


def test_a_dependency_implied_through_a_configured_one_is_not_missing() -> None:
    result = check(CHAIN, "report", ["build"], CUTOFF)
    assert result.missing == () and not result.failed


def test_a_configured_dependency_downstream_of_the_job_is_a_cycle() -> None:
    result = check(CHAIN, "build", ["extract", "report"], CUTOFF)
    assert result.cycles == (("build", "report"),)
    assert result.redundant == ("report",) and result.failed


def test_cycles_follow_other_jobs_configured_lists() -> None:
    # extract waits for mailer (its own list), mailer for report (mailer's list), report reads raw.
    result = check(CHAIN, "extract", ["mailer"], CUTOFF, configured_edges={"mailer": {"report"}})
    assert result.cycles == (("extract", "mailer", "report"),)


def test_a_lineage_cycle_is_reported_on_a_recommended_dependency() -> None:
    g = graph(reads={"a": ["x"], "b": ["y"]}, writes={"x": {"b": FRESH}, "y": {"a": FRESH}})
    result = check(g, "a", ["b"], CUTOFF)
    assert result.cycles == (("a", "b"),) and result.missing == ()


def test_a_job_configured_on_itself_is_a_cycle() -> None:
    assert check(CHAIN, "build", ["build", "extract"], CUTOFF).cycles == (("build",),)


jobs = st.sampled_from("abcdef")
datasets = st.sampled_from("uvwxyz")
times = st.sampled_from([OLD, FRESH, None])


@st.composite
def job_graphs(draw: st.DrawFn) -> JobGraph:
    reads = draw(st.dictionaries(jobs, st.sets(datasets, max_size=3), min_size=1))
    writes = draw(st.dictionaries(datasets, st.dictionaries(jobs, times, max_size=3)))
    return JobGraph(reads=reads, writes=writes)


@settings(max_examples=200, deadline=None)
@given(job_graphs(), jobs)
def test_direct_only_keeps_a_subset_that_still_implies_everything_dropped(g: JobGraph, job: str) -> None:
    full = recommend(g, job, CUTOFF)
    direct = recommend(g, job, CUTOFF, direct_only=True)
    assert set(direct) <= set(full)
    edges = without(g.upstream_edges(CUTOFF), job)
    kept = {d.job for d in direct if not d.stale}
    for dropped in set(full) - set(direct):
        assert not dropped.stale
        assert any(path(edges, k, dropped.job) for k in kept)


@settings(max_examples=200, deadline=None)
@given(job_graphs(), jobs)
def test_configuring_the_recommendation_leaves_nothing_missing_and_every_cycle_is_real(g: JobGraph, job: str) -> None:
    fresh = [d.job for d in recommend(g, job, CUTOFF) if not d.stale]
    result = check(g, job, fresh, CUTOFF)
    assert result.missing == () and result.redundant == ()
    edges = g.upstream_edges(CUTOFF)
    for cycle in result.cycles:
        assert cycle[0] == job
        for waiting, waited_for in zip(cycle, [*cycle[1:], job], strict=True):
            assert waited_for in edges.get(waiting, set())
