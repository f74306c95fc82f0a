"""Run by tests/e2e/test_interrupt.py in a pytest of its own (not collected otherwise): holds a
JanusGraph Server started by the session fixture until the run is interrupted."""

from __future__ import annotations

import time

from tests.janusgraph_server import JanusGraphServer


def test_hold_the_engine(janusgraph: JanusGraphServer) -> None:
    print(f"HOLDING {janusgraph.process.pid}", flush=True)
    time.sleep(600)
