"""``tagline consume kafka``: a long-running consumer of OpenLineage events and query-log lines.

It runs until SIGTERM or SIGINT: the message in hand is finished and its offset committed, the
consumer leaves its group (so the others take its partitions at once), and the store is closed.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
from prometheus_client import start_http_server

from tagline.api.cli.common import (
    AdhocTtlOption,
    CatalogOption,
    CreateOption,
    DialectOption,
    JobNamespaceOption,
    NamespaceOption,
    StatementTimeoutOption,
    StoreOption,
    UserNamespaceOption,
    console,
    fail,
    open_store,
    querylog_options,
)
from tagline.api.services import domain_metrics
from tagline.api.services.kafka_intake import IntakeCounts, KafkaIntake, KafkaIntakeOptions
from tagline.api.settings import Settings
from tagline.ingest.querylog import DEFAULT_ADHOC_TTL
from tagline.ingest.sql.extract import DEFAULT_STATEMENT_TIMEOUT

app = typer.Typer(help="Consume lineage from a message broker until stopped.", no_args_is_help=True)

# A progress line after this many messages (and one at the stop).
REPORT_EVERY = 1000


def parse_config(pairs: list[str]) -> dict[str, str]:
    config = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise fail(f"--consumer-config takes NAME=VALUE, got {pair!r}")
        config[name] = value
    return config


@app.command()
def kafka(
    bootstrap_servers: Annotated[str, typer.Option(help="Kafka brokers, host:port[,host:port...].")],
    topic: Annotated[
        str | None, typer.Option(help="Topic of OpenLineage events (the OpenLineage Kafka transport's topic).")
    ] = None,
    querylog_topic: Annotated[
        str | None, typer.Option(help="Topic of query-log lines, one JSON line of the query-log format per message.")
    ] = None,
    group: Annotated[
        str, typer.Option(help="Consumer group: consumers in one group share the partitions.")
    ] = "tagline",
    consumer_config: Annotated[
        list[str], typer.Option(help="NAME=VALUE librdkafka setting, e.g. security.protocol=SASL_SSL; repeatable.")
    ] = [],  # noqa: B006
    dialect: DialectOption = None,
    namespace: NamespaceOption = "default",
    job_namespace: JobNamespaceOption = "default",
    user_namespace: UserNamespaceOption = "user",
    adhoc_ttl_days: AdhocTtlOption = DEFAULT_ADHOC_TTL.days,
    catalog: CatalogOption = None,
    statement_timeout: StatementTimeoutOption = DEFAULT_STATEMENT_TIMEOUT,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve this consumer's Prometheus metrics (lag, events, edges) on 127.0.0.1:PORT/metrics."),
    ] = None,
    store: StoreOption = None,
    create: CreateOption = False,
) -> None:
    """Read OpenLineage events (and query-log lines) from Kafka and apply them, until SIGTERM."""
    if not topic and not querylog_topic:
        raise fail("give --topic (OpenLineage events), --querylog-topic (query-log lines), or both")
    options = KafkaIntakeOptions(
        bootstrap_servers=bootstrap_servers,
        topic=topic,
        querylog_topic=querylog_topic,
        group=group,
        max_event_columns=Settings().max_event_columns,
        event_time_skew_seconds=Settings().event_time_skew_seconds,
        consumer_config=parse_config(consumer_config),
        querylog=querylog_options(
            dialect, namespace, job_namespace, user_namespace, adhoc_ttl_days, catalog, statement_timeout
        ),
    )
    # Warnings and up: poison messages and broker trouble, not every store statement.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    graph = open_store(store, create)
    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1", registry=domain_metrics.REGISTRY)
    intake = KafkaIntake(graph, options)
    handled = 0

    def progress(counts: IntakeCounts) -> None:
        nonlocal handled
        handled += 1
        if handled % REPORT_EVERY == 0:
            console.print(counts.summary())

    console.print(f"consuming {', '.join(options.topics())} from {bootstrap_servers} as group {group}", highlight=False)
    try:
        intake.run(stop.is_set, progress)
    finally:
        graph.close()
        console.print(f"stopped: {intake.counts.summary()}", highlight=False)
