"""Opening the store: one setting picks GremLite (a file path) or a Gremlin Server (a ws:// URL).

Both are reached through gremlinpython, so the traversal code above this module is the same for
both. Writes go through :meth:`GraphConnection.transaction`, which commits as a whole or not at all (and
not at all when the request it serves was abandoned first, see graph/deadline.py), or
:meth:`GraphConnection.write`, which also runs the work again after a JanusGraph lock conflict. On a
Gremlin Server a write is one request without a session (graph/sessionless.py), so a client killed
in the middle of one leaves no transaction open on the server.

A Gremlin Server is spoken to in GraphBinary extended with JanusGraph's own types
(``janusgraphpython``): an edge id on JanusGraph is a RelationIdentifier, which plain GraphBinary
cannot read (JanusGraph issue #4121), and the store reads edges back by id (``g.E(ids)``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from gremlin_python.process.anonymous_traversal import traversal
from gremlin_python.process.graph_traversal import GraphTraversalSource

from tagline.errors import Unavailable
from tagline.graph import deadline, sessionless
from tagline.graph.records import VertexId
from tagline.graph.retry import is_lock_conflict, retry_on_lock_conflict
from tagline.graph.sessionless import MissingEnd, WritePlan

T = TypeVar("T")

REMOTE_SCHEMES = ("ws://", "wss://")
SQLITE_BUSY_TIMEOUT_S = 30.0


class StoreError(Unavailable):
    """The store could not be opened or refused an operation."""


def is_remote(store: str) -> bool:
    return store.startswith(REMOTE_SCHEMES)


class GraphConnection:
    """A traversal source plus the remote connection behind it."""

    def __init__(self, store: str) -> None:
        self.store = store
        self.embedded = not is_remote(store)
        self._remote = self._open_embedded(store) if self.embedded else self._open_remote(store)
        self._g: GraphTraversalSource = traversal().with_remote(self._remote)
        # The ids of the vertices the last remote write made, by the markers that stood for them.
        self.made: dict[VertexId, VertexId] = {}

    @property
    def g(self) -> GraphTraversalSource:
        """The traversal source; for a Gremlin Server, a fresh connection after an outage.

        gremlinpython 3.7 does not give a connection back to its pool when connecting fails, so
        once the server has been unreachable a few times the pool is empty and the next request
        would wait forever. An empty pool between two calls (the store is used from one thread)
        means that happened: the old connection is abandoned (closing it would wait the same way)
        and a new one is opened, so the store works again as soon as the server is back.
        """
        self._live_remote()
        return self._g

    def _live_remote(self) -> Any:
        if not self.embedded and _drained(self._remote):
            self._remote = self._open_remote(self.store)
            self._g = traversal().with_remote(self._remote)
        return self._remote

    @staticmethod
    def _open_embedded(path_text: str) -> Any:
        from gremlite import SQLiteConnection

        path = Path(path_text).expanduser()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            remote = SQLiteConnection(path, timeout=SQLITE_BUSY_TIMEOUT_S)
            # WAL lets `tagline serve` keep reading while a CLI ingest writes to the same file.
            remote.con.execute("PRAGMA journal_mode=WAL")
            remote.con.execute("PRAGMA synchronous=NORMAL")
        except Exception as exc:  # sqlite3 and gremlite raise several unrelated types here
            raise StoreError(f"cannot open the embedded store at {path}: {exc}") from exc
        return remote

    @staticmethod
    def _open_remote(url: str) -> Any:
        # Imported here: the driver's transport (aiohttp) is a fifth of a CLI's start-up, and the
        # embedded store never needs it.
        from gremlin_python.driver.driver_remote_connection import DriverRemoteConnection
        from janusgraph_python.driver.serializer import JanusGraphBinarySerializersV1

        from tagline.graph.remote_transport import ReconnectingTransport

        # The driver logs every error answer whole (kilobytes of the server's stack trace) and then
        # raises it; the store raises it again as a StoreError, or runs a lost lock race again, so
        # the log would only repeat, at length, what is reported or handled.
        logging.getLogger("gremlinpython").setLevel(logging.CRITICAL)
        try:
            return DriverRemoteConnection(
                url, "g", message_serializer=JanusGraphBinarySerializersV1(), transport_factory=ReconnectingTransport
            )
        except Exception as exc:  # the driver raises transport-specific errors
            raise StoreError(f"cannot reach the Gremlin Server at {url}: {exc}") from exc

    @property
    def sqlite(self) -> sqlite3.Connection | None:
        """The embedded store's SQLite connection (for the change log kept beside the graph), or
        None for a Gremlin Server."""
        return self._remote.con if self.embedded else None

    @contextmanager
    def transaction(self) -> Iterator[GraphTraversalSource]:
        """A traversal source whose writes are committed together when the block ends cleanly."""
        if self.embedded:
            with self._embedded_transaction() as g:
                yield g
            return
        # One request, one transaction, no session: see graph/sessionless.py.
        remote = self._live_remote()
        plan = WritePlan(remote)
        yield traversal().with_remote(plan)
        deadline.before_commit()
        try:
            self.made = plan.send(remote._client)
        except MissingEnd:
            raise
        except Exception as exc:
            if is_transport_error(exc):
                raise StoreError(f"lost the Gremlin Server at {self.store} during a write: {exc}") from exc
            raise StoreError(f"the Gremlin Server did not commit the write: {exc}") from exc

    def settled(self, ids: dict[str, VertexId]) -> dict[str, VertexId]:
        """``ids`` (key -> id, from a write just committed) with the markers that stood for new
        vertices on a Gremlin Server (graph/sessionless.py) replaced by their ids."""
        return dict(sessionless.settled(ids, self.made))

    def write(self, work: Callable[[GraphTraversalSource], T]) -> T:
        """Run ``work`` in a transaction; if it loses a lock race on JanusGraph, run it again in a
        fresh one (bounded, with backoff: see graph/retry.py)."""

        def once() -> T:
            with self.transaction() as g:
                return work(g)

        return retry_on_lock_conflict(once)

    @contextmanager
    def _embedded_transaction(self) -> Iterator[GraphTraversalSource]:
        # BEGIN IMMEDIATE takes SQLite's write lock up front (waiting up to the busy timeout), so two
        # processes writing at once queue up instead of failing when a read snapshot goes stale.
        con = self._remote.con
        con.execute("BEGIN IMMEDIATE")
        try:
            yield self.g
            deadline.before_commit()
        except BaseException:
            con.rollback()
            raise
        con.commit()

    def close(self) -> None:
        if self.embedded or not _drained(self._remote):
            self._remote.close()


def _drained(remote: Any) -> bool:
    """Whether a gremlinpython connection has no pooled connection left (see GraphConnection.g)."""
    client = getattr(remote, "_client", None)
    return client is not None and client.available_pool_size == 0


def is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the server could not be reached, rather than that it refused the work."""
    return isinstance(exc, OSError) or type(exc).__module__.startswith("aiohttp") or "Connection was closed" in str(exc)


def is_unavailable(exc: BaseException) -> bool:
    """Whether a failure of the store says it could not do the work now (unreachable, busy past
    its wait, a lock race lost to the end, out of room or of the request's time) rather than that
    the work is wrong: trying again later may get past it."""
    return isinstance(exc, Unavailable | sqlite3.OperationalError) or is_transport_error(exc) or is_lock_conflict(exc)
