"""The property: whatever order job definitions arrive in, current and `asOf` lineage and the diff
between two moments equal a reference computed straight from the sequence — at each moment, each
(job, output) holds the lineage of its latest definition at or before it (the later arrival
winning a tie)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tagline.graph.model import DatasetAccess, DatasetRef, JobDefinition, JobRef, LineageBatch
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.conftest import col, derive

JOBS = ["j1", "j2"]
OUTPUTS = ["t.one", "t.two"]
SOURCES = ["s.a", "s.b", "s.c"]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

Definition = tuple[str, str, int, frozenset[str]]  # job, output, day, source datasets
definitions = st.tuples(
    st.sampled_from(JOBS), st.sampled_from(OUTPUTS), st.integers(0, 6), st.frozensets(st.sampled_from(SOURCES))
)


def moment(day: float) -> datetime:
    return EPOCH + timedelta(days=day)


def batch_of(job: str, output: str, day: int, sources: frozenset[str]) -> LineageBatch:
    ref = JobRef(namespace="default", name=job)
    at = moment(day)
    target = DatasetRef(namespace="ns", name=output)
    return LineageBatch(
        edges=[derive(col(s, "v"), col(output, "c"), job=job).model_copy(update={"seen_at": at}) for s in sources],
        writes=[DatasetAccess(job=ref, dataset=target, at=at)],
        definitions=[JobDefinition(job=ref, outputs=[target], at=at)],
    )


def reference(sequence: list[Definition], day: float | None) -> set[tuple[str, str, str]]:
    """(job, source, output) edges the data takes at ``day`` (None: now)."""
    found = set()
    for job in JOBS:
        for output in OUTPUTS:
            held = [
                (d, n, sources)
                for n, (j, o, d, sources) in enumerate(sequence)
                if j == job and o == output and (day is None or d <= day)
            ]
            if held:
                found |= {(job, s, output) for s in max(held, key=lambda h: (h[0], h[1]))[2]}
    return found


def answered(store: GraphStore, day: float | None) -> set[tuple[str, str, str]]:
    targets = store.find([col(o, "c").key for o in OUTPUTS])
    expansion = store.lineage([t.id for t in targets.values()], "in", 1, as_of=None if day is None else moment(day))
    return {_edge(store, e.props["job"], e.out_id, e.in_id) for e in expansion.edges.values()}


def _edge(store: GraphStore, job: str, source: int, target: int) -> tuple[str, str, str]:
    source_key, target_key = store.keys_of([source, target])
    return (job.rsplit("|", maxsplit=1)[-1], source_key.split("|")[2], target_key.split("|")[2])


def check_sequence(location: str, sequence: list[Definition], since: int, until: int) -> None:
    """Write ``sequence`` in its order into the store at ``location``; current, `asOf` and diff
    answers must equal the reference."""
    store = GraphStore(location)
    try:
        for definition in sequence:
            store.write(batch_of(*definition))
        assert answered(store, None) == reference(sequence, None)
        for day in (x / 2 for x in range(-1, 16)):
            assert answered(store, day) == reference(sequence, day), day
        start, end = sorted((since, until))
        added, removed, _ = store.lineage_changes(moment(start), moment(end))
        before, after = reference(sequence, start), reference(sequence, end)
        assert {_edge(store, e.props["job"], e.out_id, e.in_id) for e in added} == after - before
        assert {_edge(store, e.props["job"], e.out_id, e.in_id) for e in removed} == before - after
    finally:
        store.close()


SEQUENCES = (st.lists(definitions, min_size=1, max_size=8), st.integers(0, 7), st.integers(0, 7))


@settings(max_examples=40, deadline=None)
@given(*SEQUENCES)
def test_current_as_of_and_diff_equal_the_reference(sequence: list[Definition], since: int, until: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check_sequence(str(Path(folder) / "graph.db"), sequence, since, until)


@pytest.mark.engine
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(*SEQUENCES)
def test_on_janusgraph_current_as_of_and_diff_equal_the_reference(
    janusgraph_url: str, sequence: list[Definition], since: int, until: int
) -> None:
    janusgraph_server.clear(janusgraph_url)
    check_sequence(janusgraph_url, sequence, since, until)
