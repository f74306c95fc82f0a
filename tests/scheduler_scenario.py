"""A small warehouse a scheduler runs, with the faults a dependency check and a health report
must find. Times are relative to ``now`` so the server (which uses the real clock) sees the same.

    src.orders (declared source) -> extract_orders -> raw.orders ----------+
    src.customers (orphan) -> extract_customers -> raw.customers ---------+--> build_orders -> dw.orders
                 legacy_loader (last wrote 60 days ago) -> raw.customers   |
    dw.orders, raw.orders -> build_report -> mart.report -> send_emails (reads only)
    raw.customers, mart.segments -> enrich_customers -> dw.customers -> build_segments -> mart.segments (a cycle)
    legacy_archiver wrote old.archive 90 days ago (a zombie nobody reads)

The configured lists (``CONFIGURED``) get build_orders wrong four ways: extract_customers missing,
send_emails and build_report redundant, build_report making a cycle, legacy_loader stale.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tagline.graph.model import Dataset, DatasetAccess, DatasetRef, JobRef, LineageBatch
from tagline.graph.store import GraphStore
from tests.conftest import col, derive

JOBS_NS = "sched"
WH = "wh"
SOURCES_NS = "mysql://shop"

CONFIGURED = {
    "build_orders": ["extract_orders", "send_emails", "build_report"],
    "build_report": ["build_orders"],
    "extract_orders": [],
    "extract_customers": [],
}


def job(name: str) -> JobRef:
    return JobRef(namespace=JOBS_NS, name=name)


def ds(name: str) -> DatasetRef:
    return DatasetRef(namespace=SOURCES_NS if name.startswith("src.") else WH, name=name)


def run(name: str, reads: list[str], writes: list[str], edges: list[tuple[str, str]] = ()) -> LineageBatch:
    """One run of a job: what it read and wrote, and the column lineage it made (``db.t.c`` pairs)."""

    def column(dotted: str):
        table, _, field = dotted.rpartition(".")
        return col(table, field, namespace=ds(table).namespace)

    return LineageBatch(
        reads=[DatasetAccess(job=job(name), dataset=ds(d)) for d in reads],
        writes=[DatasetAccess(job=job(name), dataset=ds(d)) for d in writes],
        edges=[derive(column(s), column(t), job=None).model_copy(update={"job": job(name)}) for s, t in edges],
    )


def load(store: GraphStore, now: datetime) -> None:
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    runs = [
        (days(90), run("legacy_archiver", [], ["old.archive"], [("raw.orders.id", "old.archive.order_id")])),
        (days(60), run("legacy_loader", [], ["raw.customers"])),
        (days(1), run("extract_orders", ["src.orders"], ["raw.orders"], [("src.orders.id", "raw.orders.id")])),
        (
            days(1),
            run(
                "extract_customers",
                ["src.customers"],
                ["raw.customers"],
                [("src.customers.id", "raw.customers.id"), ("src.customers.email", "raw.customers.email")],
            ),
        ),
        (
            days(1),
            run(
                "build_orders",
                ["raw.orders", "raw.customers"],
                ["dw.orders"],
                [("raw.orders.id", "dw.orders.order_id"), ("raw.customers.id", "dw.orders.customer_id")],
            ),
        ),
        (
            days(1),
            run(
                "build_report",
                ["dw.orders", "raw.orders"],
                ["mart.report"],
                [("dw.orders.order_id", "mart.report.orders")],
            ),
        ),
        (days(1), run("send_emails", ["mart.report"], [])),
        (
            days(1),
            run(
                "enrich_customers",
                ["raw.customers", "mart.segments"],
                ["dw.customers"],
                [("raw.customers.id", "dw.customers.id"), ("mart.segments.segment", "dw.customers.segment")],
            ),
        ),
        (
            days(1),
            run("build_segments", ["dw.customers"], ["mart.segments"], [("dw.customers.id", "mart.segments.segment")]),
        ),
    ]
    # Every table was first met long ago, so "not read within the window" means something for all.
    tables = {a.dataset for _, batch in runs for a in [*batch.reads, *batch.writes]}
    store.write(LineageBatch(datasets=[Dataset(namespace=t.namespace, name=t.name) for t in tables]), at=days(100))
    for at, batch in runs:
        store.write(batch, at=at)
    store.declare_sources([ds("src.orders")])
