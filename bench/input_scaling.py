"""Whether big inputs cost time linear in their size: wide OpenLineage events and long lists of
configured dependencies, each at three sizes four times apart.

Prints the time of each size and the time per item; linear work keeps the time per item flat
(the baseline is the smallest size, measured in the same run). Before the fixes, a 4,000-column
event took 6x the time of a 1,000-column one, and the check was quadratic in the list.

    .venv/bin/python bench/input_scaling.py [--columns 1000] [--configured 5000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tagline.api.services.lineage_events import accept_event
from tagline.governance.scheduling import check_dependencies
from tagline.graph.model import DatasetAccess, DatasetRef, JobRef, LineageBatch
from tagline.graph.store import GraphStore
from tagline.ingest.openlineage_events import parse_event


def wide_event(columns: int) -> dict[str, Any]:
    fields = {f"c{i}": {"inputFields": [{"namespace": "ns", "name": "src", "field": f"c{i}"}]} for i in range(columns)}
    schema = {"fields": [{"name": f"c{i}", "type": "string"} for i in range(columns)]}
    return {
        "eventType": "COMPLETE",
        "eventTime": "2026-12-05T10:00:00Z",
        "producer": "bench",
        "run": {"runId": str(uuid.uuid4())},
        "job": {"namespace": "ns", "name": f"wide_{columns}"},
        "inputs": [{"namespace": "ns", "name": f"src_{columns}", "facets": {"schema": schema}}],
        "outputs": [{"namespace": "ns", "name": f"dst_{columns}", "facets": {"columnLineage": {"fields": fields}}}],
    }


def time_event(columns: int) -> float:
    store = GraphStore(tempfile.mkdtemp() + "/g.db")
    try:
        raw = wide_event(columns)
        started = time.perf_counter()
        accept_event(store, raw, parse_event(raw), "bench")
        return time.perf_counter() - started
    finally:
        store.close()


def time_check(configured: int) -> float:
    store = GraphStore(tempfile.mkdtemp() + "/g.db")
    try:
        job = JobRef(namespace="ns", name="reader")
        store.write(LineageBatch(reads=[DatasetAccess(job=job, dataset=DatasetRef(namespace="ns", name="t"))]))
        listed = [JobRef(namespace="ns", name=f"j{i}") for i in range(configured)]
        started = time.perf_counter()
        check_dependencies(store, job, listed, datetime.now(UTC), 14)
        return time.perf_counter() - started
    finally:
        store.close()


def report(what: str, units: tuple[str, str], sizes: list[int], measure: Any) -> None:
    """``units``: how one item and several are called."""
    one, many = units
    print(what)
    base = None
    for size in sizes:
        seconds = measure(size)
        per_item = seconds / size * 1e6
        base = base or per_item
        print(
            f"  {size:>7,} {many}: {seconds:7.2f} s, {per_item:7.1f} us per {one} ({per_item / base:.1f}x the smallest)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--columns", type=int, default=1000, help="smallest event width (then 4x and 16x)")
    parser.add_argument("--configured", type=int, default=5000, help="smallest configured list (then 4x, 8x)")
    args = parser.parse_args()
    report(
        "OpenLineage event applied (write + propagate)",
        ("column", "columns"),
        [args.columns * k for k in (1, 4, 16)],
        time_event,
    )
    report("dependency check", ("entry", "entries"), [args.configured * k for k in (1, 4, 8)], time_check)


if __name__ == "__main__":
    main()
