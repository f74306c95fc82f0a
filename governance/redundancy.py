"""Redundant jobs: jobs whose outputs have the same column lineage as another job's.

A pipeline copied under another name (the same SQL writing to another table) costs its compute
twice and leaves two tables that drift apart. Its mark is in the lineage: each output column of
the copy has the same sources, by the same transformations and expressions, as an output of the
original. Each job output carries a fingerprint of that lineage (graph/index/fingerprints.py), so
the rule is a comparison of fingerprints:

- a job is *redundant with* another when every output it makes has the fingerprint of one of the
  other's outputs;
- the two are *identical* when the reverse holds too (reported once, under the first job by key);
  otherwise the other does all the job does, and more.

Jobs and columns are compared by key-free fingerprints, so the rule is tested without a store
(:func:`redundant_pairs`); :func:`find_redundant_jobs` adds the records and the evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from tagline.graph import schema
from tagline.graph.records import EdgeRecord, VertexId, VertexRecord
from tagline.graph.store import GraphStore


@dataclass(frozen=True)
class Redundancy:
    """``job`` makes nothing ``other`` does not make the same way: ``matches`` pairs each of the
    job's outputs with an output of ``other`` of the same lineage."""

    job: str
    other: str
    identical: bool
    matches: tuple[tuple[VertexId, VertexId], ...]


def redundant_pairs(outputs: Mapping[str, Mapping[VertexId, int]]) -> list[Redundancy]:
    """Every job whose outputs' fingerprints all appear among another job's outputs, by job key,
    then by the other's key. ``outputs``: per job, its output columns with their fingerprints."""
    holders: dict[int, set[str]] = defaultdict(set)
    for job, made in outputs.items():
        for fingerprint in made.values():
            holders[fingerprint].add(job)
    found: list[Redundancy] = []
    for job in sorted(outputs):
        prints = set(outputs[job].values())
        if not prints:
            continue
        others = set.intersection(*(holders[p] for p in prints)) - {job}
        for other in sorted(others):
            identical = set(outputs[other].values()) == prints
            if identical and other < job:
                continue  # reported under the other, first by key
            found.append(Redundancy(job, other, identical, _matches(outputs[job], outputs[other])))
    return found


def _matches(made: Mapping[VertexId, int], other: Mapping[VertexId, int]) -> tuple[tuple[VertexId, VertexId], ...]:
    """Each output of ``made`` with an output of ``other`` of the same fingerprint (outputs of one
    fingerprint paired in order, so a job's two copies of a column meet the other's two)."""
    by_print: dict[int, list[VertexId]] = defaultdict(list)
    for column, fingerprint in other.items():
        by_print[fingerprint].append(column)
    used: dict[int, int] = defaultdict(int)
    pairs = []
    for column, fingerprint in made.items():
        candidates = by_print[fingerprint]
        pairs.append((column, candidates[used[fingerprint] % len(candidates)]))
        used[fingerprint] += 1
    return tuple(pairs)


@dataclass(frozen=True)
class MatchedOutput:
    """An output of the redundant job, the other job's output of the same lineage, and that lineage
    (the edges into ``column`` from the job, with their source columns)."""

    column: VertexRecord
    other_column: VertexRecord
    sources: tuple[tuple[EdgeRecord, VertexRecord], ...]


@dataclass(frozen=True)
class RedundantJob:
    job: VertexRecord
    same_as: VertexRecord
    identical: bool
    outputs: tuple[MatchedOutput, ...]


def find_redundant_jobs(store: GraphStore) -> list[RedundantJob]:
    """The redundant jobs of the whole store over current lineage, with the evidence."""
    outputs = store.output_fingerprints()
    found = redundant_pairs(outputs)
    if not found:
        return []
    jobs = store.find({key for r in found for key in (r.job, r.other)})
    columns: list[VertexId] = [c for r in found for pair in r.matches for c in pair]
    records = store.vertices(columns)
    answer = []
    for redundancy in found:
        if redundancy.job not in jobs or redundancy.other not in jobs:
            continue  # lineage naming a job the store holds no record of
        matched = [
            MatchedOutput(records[a], records[b], _sources(store, a, redundancy.job)) for a, b in redundancy.matches
        ]
        matched.sort(key=lambda m: m.column.key)
        answer.append(RedundantJob(jobs[redundancy.job], jobs[redundancy.other], redundancy.identical, tuple(matched)))
    return answer


def _sources(store: GraphStore, column: VertexId, job: str) -> tuple[tuple[EdgeRecord, VertexRecord], ...]:
    hops = [h for h in store.hops([column], "in", [schema.DERIVES]) if h.edge.props.get("job") == job]
    return tuple(sorted(((h.edge, h.neighbour) for h in hops), key=lambda p: (p[1].key, str(p[0].props[schema.KEY]))))
