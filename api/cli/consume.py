"""``tagline consume kafka``: a long-running consumer of OpenLineage events and query-log lines.

It runs until SIGTERM or SIGINT: the message in hand is finished and its offset committed, the
consumer leaves its group (so the others take its partitions at once), and the store is closed.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from tagline.api.cli.common import StoreOption, console, fail, load_catalog, open_store
from tagline.api.services.kafka_intake import IntakeCounts, KafkaIntake, KafkaIntakeOptions
from tagline.api.settings import Settings
from tagline.ingest.querylog import DEFAULT_ADHOC_TTL, QueryLogOptions
from tagline.ingest.sql import DEFAULT_STATEMENT_TIMEOUT, ExtractOptions

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
    dialect: Annotated[str | None, typer.Option(help="Dialect of query-log lines that do not name one.")] = None,
    namespace: Annotated[str, typer.Option(help="Namespace of query-log lines that do not name one.")] = "default",
    job_namespace: Annotated[str, typer.Option(help="Namespace of the jobs named in query-log lines.")] = "default",
    user_namespace: Annotated[str, typer.Option(help="Namespace of the users of ad-hoc queries.")] = "user",
    adhoc_ttl_days: Annotated[
        float, typer.Option(help="Days the lineage of an ad-hoc (user, not job) query lives.")
    ] = DEFAULT_ADHOC_TTL.days,
    catalog: Annotated[Path | None, typer.Option(help='JSON {"db.table": ["col", ...]} for query-log lines.')] = None,
    statement_timeout: Annotated[
        float, typer.Option(help="Seconds one query may take to extract; 0 for no limit.")
    ] = DEFAULT_STATEMENT_TIMEOUT,
    store: StoreOption = None,
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
        consumer_config=parse_config(consumer_config),
        querylog=QueryLogOptions(
            dialect=dialect,
            namespace=namespace,
            job_namespace=job_namespace,
            user_namespace=user_namespace,
            adhoc_ttl=timedelta(days=adhoc_ttl_days),
            catalog=load_catalog(catalog),
            extract=ExtractOptions(statement_timeout=statement_timeout or None),
        ),
    )
    # Warnings and up: poison messages and broker trouble, not every store statement.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    graph = open_store(store)
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
