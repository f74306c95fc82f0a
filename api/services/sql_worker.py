"""SQL extraction in a worker process, for callers that are not on a main thread (a server).

The per-statement time budget (:mod:`tagline.ingest.sql.budget`) needs a process's main thread; a
worker process's tasks run on its main thread, so extraction submitted here keeps the budget
wherever the caller runs. A worker that dies (a crash in a parser, memory exhaustion) is replaced
and the input is reported as a failure rather than taking the caller down.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from tagline.graph.model import Failure, LineageBatch
from tagline.ingest.querylog import LoggedQuery, QueryLogOptions, query_batch
from tagline.ingest.sql.extract import ExtractOptions, extract_sql

T = TypeVar("T")


class SqlWorker:
    """One long-lived worker process running :func:`extract_sql`."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=self._context)

    def _submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in the worker; if the worker dies, a new one is started and the
        ``BrokenProcessPool`` raised for the caller to report."""
        try:
            return self._pool.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool:
            self._pool = self._start()
            raise

    def extract(self, text: str, **kwargs: Any) -> LineageBatch:
        """``extract_sql(text, **kwargs)`` in the worker, each statement under its time budget."""
        try:
            return self._submit(extract_sql, text, **kwargs)
        except BrokenProcessPool as error:
            failure = Failure(
                source=str(kwargs.get("source", "<stdin>")),
                location="whole input",
                reason=f"the SQL worker process died while reading this input: {error}",
                payload=text,
                options={"dialect": kwargs.get("dialect"), "namespace": kwargs.get("namespace")},
            )
            return LineageBatch(failures=[failure])

    def query_batches(self, queries: list[LoggedQuery], options: QueryLogOptions, source: str) -> list[LineageBatch]:
        """The lineage of each query of a query log, in the worker, each under its time budget."""
        try:
            return self._submit(_query_batches, queries, options, source)
        except BrokenProcessPool as error:
            reason = f"the SQL worker process died while reading these queries: {error}"
            return [
                LineageBatch(
                    failures=[Failure(source=source, location=f"query {q.line}", reason=reason, payload=q.text)]
                )
                for q in queries
            ]

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class LazySqlWorker:
    """A :class:`SqlWorker` started by the first caller that needs one (a server that is never sent
    SQL never pays for the process), and shared by all the others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._worker: SqlWorker | None = None

    def get(self) -> SqlWorker:
        with self._lock:
            if self._worker is None:
                self._worker = SqlWorker()
            return self._worker

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None


def _query_batches(queries: list[LoggedQuery], options: QueryLogOptions, source: str) -> list[LineageBatch]:
    for query in queries:
        _warm(query.entry.dialect if query.entry else None)
    return [query_batch(query, options, source) for query in queries]


_WARMED: set[str] = set()
"""Dialects this worker process has traced once already."""


def _warm(dialect: str | None) -> None:
    """sqlglot builds a dialect's tables the first time it is used, which can take longer than a
    statement's whole budget: that once per process is paid here, outside any budget."""
    if dialect is None or dialect in _WARMED:
        return
    _WARMED.add(dialect)
    with contextlib.suppress(ValueError):  # an unknown dialect: its queries report it themselves
        extract_sql(
            "INSERT INTO w.t SELECT a FROM w.s",
            dialect=dialect,
            namespace="w",
            options=ExtractOptions(statement_timeout=None),
        )
