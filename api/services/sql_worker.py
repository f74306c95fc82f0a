"""SQL extraction in a worker process, for callers that are not on a main thread (a server).

The per-statement time budget (:mod:`tagline.ingest.budget`) needs a process's main thread; a
worker process's tasks run on its main thread, so extraction submitted here keeps the budget
wherever the caller runs. A worker that dies (a crash in a parser, memory exhaustion) is replaced
and the input is reported as a failure rather than taking the caller down.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tagline.graph.model import Failure, LineageBatch
from tagline.ingest.sql import extract_sql


class SqlWorker:
    """One long-lived worker process running :func:`extract_sql`."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=self._context)

    def extract(self, text: str, **kwargs: Any) -> LineageBatch:
        """``extract_sql(text, **kwargs)`` in the worker, each statement under its time budget."""
        try:
            return self._pool.submit(extract_sql, text, **kwargs).result()
        except BrokenProcessPool as error:
            self._pool = self._start()
            failure = Failure(
                source=str(kwargs.get("source", "<stdin>")),
                location="whole input",
                reason=f"the SQL worker process died while reading this input: {error}",
                payload=text,
                options={"dialect": kwargs.get("dialect"), "namespace": kwargs.get("namespace")},
            )
            return LineageBatch(failures=[failure])

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
