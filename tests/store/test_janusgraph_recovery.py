"""A writer killed with SIGKILL in the middle of a transaction leaves nothing that blocks the next.

Its transaction holds JanusGraph's locks (BerkeleyJE's range locks on the `uid` index, taken by
its look-ups and inserts). Once the server was left with such a session for good: the session's
channel closed and Gremlin Server's session processor dropped the session without rolling it back,
so every later write of those keys failed with LockTimeoutException until JanusGraph restarted.
The server now runs sessions that roll back when their connection closes
(deploy/janusgraph/janusgraph-server.yaml)."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tagline.graph import schema
from tagline.graph.reader import labelled
from tagline.graph.store import GraphStore
from tests import janusgraph_server
from tests.store.stalled_writer import batch

pytestmark = pytest.mark.engine

COLUMNS = 20


def stall_a_writer(url: str) -> subprocess.Popen[str]:
    """Start a writer that stops inside its transaction, once it has written."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.store.stalled_writer", url, "--columns", str(COLUMNS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    line = writer.stdout.readline()  # blocks until it wrote, or exited
    if line.strip() != "written":
        writer.kill()
        raise AssertionError(f"the writer did not write: {line!r} {writer.communicate(timeout=30)}")
    return writer


@pytest.mark.parametrize("server", ["janusgraph_url", "janusgraph_cql_url"], ids=["janusgraph", "janusgraph-cql"])
def test_the_next_writer_succeeds_after_a_writer_is_killed_mid_transaction(
    server: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(server))
    janusgraph_server.clear(url)
    for _ in range(2):  # twice: the second kill meets a graph the first writer's successor wrote
        writer = stall_a_writer(url)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        store = GraphStore(url)
        try:
            store.write(batch(COLUMNS))  # raised a lock timeout, retries spent, before
            keys = labelled(store.g, schema.COLUMN, True).values(schema.KEY).to_list()
        finally:
            store.close()
        assert len(keys) == len(set(keys)) == 2 * COLUMNS
