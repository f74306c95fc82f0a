"""A writer that stops in the middle of a transaction, for the recovery tests: it opens the store
at the URL given, writes a batch of ``--columns`` column edges inside a write transaction (the
look-ups and inserts that take JanusGraph's locks), says ``written`` on stdout, and waits, the
transaction open, until it is killed.

``python -m tests.store.stalled_writer ws://127.0.0.1:PORT/gremlin --columns 20``
"""

from __future__ import annotations

import argparse
import sys
import time

from tagline.graph.changelog.changes import ChangeSet
from tagline.graph.model import LineageBatch
from tagline.graph.store import GraphStore
from tagline.graph.timefmt import utcnow
from tagline.graph.writers.batch import BatchWriter, KeyCache
from tests.conftest import col, derive


def batch(columns: int) -> LineageBatch:
    """The batch the stalled writer holds and the next writer writes: the same keys."""
    return LineageBatch(edges=[derive(col("db.src", f"c{i}"), col("db.dst", f"c{i}")) for i in range(columns)])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--columns", type=int, default=20)
    args = parser.parse_args(argv)
    store = GraphStore(args.url)

    def write_and_stall(g: object, changes: ChangeSet) -> None:
        BatchWriter(KeyCache()).write(g, batch(args.columns), utcnow(), changes)  # type: ignore[arg-type]
        print("written", flush=True)
        time.sleep(3600)

    store.logged_write(write_and_stall)


if __name__ == "__main__":
    main(sys.argv[1:])
