"""A fingerprint of each job output's column lineage, for the whole warehouse in one vectorised pass.

Two jobs doing the same work make output columns whose incoming lineage is the same: the same source
columns, by the same transformations (type, subtype, masking, description) and the same SQL
expression. Each current `derives` edge is hashed from those (its source vertex and the interned
codes of its properties), and an output's fingerprint is the sum of its edges' hashes within the
job that made them: a hash of the set, whatever order the edges were written in. Codes and vertex
positions are this process's own, so fingerprints compare within one index, never across processes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tagline.graph import schema
from tagline.graph.index.columns import ABSENT
from tagline.graph.index.edge_table import IntArray
from tagline.graph.index.lineage_index import LineageIndex

# What an edge's hash is made of, beside its source column: what the edge does to the value.
HASHED = ("type", "subtype", "masking", "description", "expression")
JOB = "job"


@dataclass(frozen=True)
class OutputFingerprints:
    """Per (job, output column) made by current lineage: the job's key, the column's vertex, and
    the fingerprint of the column's incoming lineage from that job."""

    jobs: list[str]
    columns: IntArray
    fingerprints: npt.NDArray[np.uint64]


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finaliser: every input bit moves every output bit, so sums of hashes collide
    no more often than random 64-bit numbers."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def output_fingerprints(index: LineageIndex) -> OutputFingerprints:
    """The fingerprint of every output column of every job, from current, unexpired lineage
    (edges no job made are left out: they name no pipeline)."""
    table = index.tables[schema.DERIVES]
    with index.lock:
        edges = np.flatnonzero(table.alive.view).astype(np.int64)
        edges = edges[table.in_time(edges, None)]
        edges = edges[~table.expired(time.time())[edges]]
        job_codes = table.props.codes(JOB)
        if job_codes is None or not len(edges):
            return OutputFingerprints([], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64))
        jobs = job_codes[edges].astype(np.int64)
        edges, jobs = edges[jobs != ABSENT], jobs[jobs != ABSENT]
        with np.errstate(over="ignore"):
            hashed = _mix(table.src.view[edges].astype(np.uint64))
            for name in HASHED:
                codes = table.props.codes(name)
                part = np.zeros(len(edges), dtype=np.uint64) if codes is None else codes[edges].astype(np.uint64)
                hashed = _mix(hashed * np.uint64(31) + part + np.uint64(1))
        targets = table.dst.view[edges].astype(np.int64)
        job_names = table.props.interned[JOB].values
    order = np.lexsort((targets, jobs))
    jobs, targets, hashed = jobs[order], targets[order], hashed[order]
    starts = np.flatnonzero(np.r_[True, (jobs[1:] != jobs[:-1]) | (targets[1:] != targets[:-1])])
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(hashed, starts) if len(starts) else hashed[:0]
    return OutputFingerprints(
        jobs=[str(job_names[c]) for c in jobs[starts].tolist()],
        columns=targets[starts],
        fingerprints=sums.astype(np.uint64),
    )
