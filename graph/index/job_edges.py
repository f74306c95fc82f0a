"""The column lineage one job currently reports: what a new definition of the job replaces.

A change review lays a job's new lineage over the graph in place of this set, so it is read the
way a write of the job's definition reads it (graph/writers/lifetimes.py): the `derives` edges
whose `job` property is the job, current ones only, in one vectorised pass.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tagline.graph import schema
from tagline.graph.index.lineage_index import LineageIndex


class JobEdge(NamedTuple):
    """One current `derives` edge of a job: its key, its ends' keys and its properties."""

    key: str
    source: str
    target: str
    props: dict[str, object]


def current_job_edges(index: LineageIndex, job_key: str) -> list[JobEdge]:
    table = index.tables[schema.DERIVES]
    with index.lock:
        codes = table.props.codes("job")
        code = table.props.code_of("job", job_key)
        if codes is None or code < 0:
            return []
        edges = np.flatnonzero(codes[: table.size] == code).astype(np.int64)
        edges = edges[table.alive.view[edges]]
        edges = edges[table.in_time(edges, None)]
        found = []
        for edge in edges.tolist():
            record = index.edge_record(schema.DERIVES, edge)
            source, target = index.keys[record.out_id], index.keys[record.in_id]
            found.append(JobEdge(str(record.props[schema.KEY]), source, target, record.props))
        return sorted(found)
