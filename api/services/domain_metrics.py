"""Prometheus metrics of the domain: what happened to the lineage, not only to the requests.

Counted where the work happens (the services every transport shares), so the same metrics come
from the server, the Kafka consumer and an ingest alike; each process exports its own
(``/metrics`` on the server, ``tagline consume kafka --metrics-port`` for a consumer). One registry
per process: the work is counted once however many apps the process serves.

- events: accepted (logged), applied, dead-lettered (the event, or the message that carried it,
  kept with its error for replay);
- lineage: column edges written (new), edges seen again, propagation runs and their duration;
- the index: its position in the change log and how many logged transactions it has yet to apply,
  the columns waiting for propagation (read at each scrape: :func:`observe_store`);
- Kafka: how many messages the consumer is behind the partitions' ends;
- the store: write transactions run again after a lock conflict, and those that gave up on one
  (JanusGraph's lock timeouts), read from the store's own counts at each scrape.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from tagline.graph.records import WriteResult
from tagline.graph.store import GraphStore, lock_conflicts

REGISTRY = CollectorRegistry()

EVENTS_ACCEPTED = Counter(
    "tagline_events_accepted", "OpenLineage events accepted and logged (HTTP, Kafka, files)", registry=REGISTRY
)
EVENTS_APPLIED = Counter("tagline_events_applied", "Logged events whose lineage was applied whole", registry=REGISTRY)
EVENTS_DEAD_LETTERED = Counter(
    "tagline_events_dead_lettered",
    "Events (or messages) kept in the dead letter with their error, for replay",
    registry=REGISTRY,
)
EDGES_WRITTEN = Counter("tagline_edges_written", "Column lineage edges written for the first time", registry=REGISTRY)
EDGES_REFRESHED = Counter(
    "tagline_edges_refreshed",
    "Graph edges seen again (last_seen moved): column lineage, columns of datasets, jobs' reads and writes",
    registry=REGISTRY,
)
PROPAGATION = Histogram(
    "tagline_propagation_seconds",
    "Tag propagation after a write, from the write's end to the tags settled",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
PROPAGATION_BACKLOG = Gauge(
    "tagline_propagation_backlog",
    "Columns whose incoming lineage changed and propagation has not seen",
    registry=REGISTRY,
)
INDEX_POSITION = Gauge(
    "tagline_index_position",
    "The change-log position the lineage index has applied (embedded store)",
    registry=REGISTRY,
)
INDEX_LAG = Gauge("tagline_index_lag", "Logged transactions the lineage index has yet to apply", registry=REGISTRY)
KAFKA_LAG = Gauge(
    "tagline_kafka_consumer_lag",
    "Messages between the consumer's position and the end of its partitions (set by `tagline consume kafka`)",
    registry=REGISTRY,
)


class _StoreConflicts(Collector):
    """The store's own counts of lock conflicts (graph/retry.py), read at each scrape."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        counts = lock_conflicts()
        yield CounterMetricFamily(
            "tagline_store_retries",
            "Write transactions run again after losing a lock race (JanusGraph)",
            value=counts.retried,
        )
        yield CounterMetricFamily(
            "tagline_store_lock_timeouts",
            "Write transactions that still met a lock conflict at their last attempt (JanusGraph)",
            value=counts.gave_up,
        )


REGISTRY.register(_StoreConflicts())


def count_written(result: WriteResult) -> None:
    EDGES_WRITTEN.inc(len(result.new_column_edges))
    EDGES_REFRESHED.inc(result.edges_refreshed)


@contextmanager
def timed_propagation() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        PROPAGATION.observe(time.perf_counter() - started)


def count_event(applied: bool) -> None:
    """A logged event's outcome: applied whole, or kept in the dead letter."""
    (EVENTS_APPLIED if applied else EVENTS_DEAD_LETTERED).inc()


def observe_store(store: GraphStore) -> None:
    """Read the index's position and lag and the propagation backlog into their gauges (on the
    store's thread: they read its connection)."""
    lag = store.index_lag()
    if lag is not None:
        INDEX_LAG.set(lag)
    position = store.index.position
    if isinstance(position, int | float) or (isinstance(position, str) and position.isdigit()):
        INDEX_POSITION.set(float(position))
    PROPAGATION_BACKLOG.set(len(store.pending_columns()))
