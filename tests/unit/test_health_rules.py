"""The health classification and impact distances on plain data."""

from __future__ import annotations

from tagline.governance.health import ColumnFacts, DatasetFacts, classify
from tagline.governance.impact import distances

CUTOFF = "2026-03-01T00:00:00.000Z"
FRESH = "2026-03-10T00:00:00.000Z"
OLD = "2026-01-01T00:00:00.000Z"


def facts(key: str, **kw) -> DatasetFacts:
    return DatasetFacts(key=key, first_seen=OLD, **kw)


def test_no_writer_and_no_lineage_in_is_an_orphan_unless_declared_a_source() -> None:
    report = classify([facts("a", reads={"j": FRESH}), facts("b", declared_source=True, reads={"j": FRESH})], CUTOFF)
    assert report.orphans == ("a",)


def test_lineage_in_without_a_writer_job_is_upstream_and_dates_the_last_write() -> None:
    fed = facts("fed", upstream_seen=(OLD,), reads={"j": FRESH})
    assert fed.has_upstream and fed.last_write_at == OLD
    report = classify([fed], CUTOFF)
    assert report.orphans == () and report.zombies == ("fed",)


def test_a_writer_job_dates_the_last_write_over_lineage_seen() -> None:
    written = facts("w", writes={"j": FRESH, "old": OLD}, upstream_seen=(OLD,), reads={"r": FRESH})
    assert written.last_write_at == FRESH
    assert classify([written], CUTOFF).zombies == ()


def test_unused_needs_no_read_since_the_cutoff_and_enough_history() -> None:
    stale_read = facts("stale", reads={"q": OLD}, writes={"w": FRESH})
    lineage_read = facts("piped", writes={"w": FRESH}, columns=(ColumnFacts("c", downstream_seen=(FRESH,)),))
    brand_new = DatasetFacts(key="new", first_seen=FRESH, writes={"w": FRESH})
    report = classify([stale_read, lineage_read, brand_new], CUTOFF)
    assert report.unused == ("stale",)
    assert report.deprecation_candidates == ("stale",)


def test_declared_sources_can_be_unused_but_are_never_deprecation_candidates() -> None:
    report = classify([facts("src", declared_source=True)], CUTOFF)
    assert report.unused == ("src",) and report.deprecation_candidates == () and report.orphans == ()


def test_unused_columns_are_those_of_read_datasets_nothing_derives_from_lately() -> None:
    read = facts(
        "t",
        reads={"q": FRESH},
        writes={"w": FRESH},
        columns=(
            ColumnFacts("t.used", downstream_seen=(OLD, FRESH)),
            ColumnFacts("t.dropped", downstream_seen=(OLD,)),
            ColumnFacts("t.never"),
        ),
    )
    unread = facts("u", columns=(ColumnFacts("u.x"),))
    brand_new = DatasetFacts(key="n", first_seen=FRESH, reads={"q": FRESH}, columns=(ColumnFacts("n.x"),))
    assert classify([read, unread, brand_new], CUTOFF).unused_columns == ("t.dropped", "t.never")


def test_distances_count_the_fewest_hops_and_survive_cycles() -> None:
    edges = [(1, 2), (2, 3), (1, 3), (3, 4), (4, 2)]
    assert distances([1], edges) == {1: 0, 2: 1, 3: 1, 4: 2}
    assert distances([5], edges) == {5: 0}
