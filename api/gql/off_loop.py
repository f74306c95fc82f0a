"""GraphQL operations run off the event loop, so liveness never waits for them.

Parsing, validation, pricing, execution and the rendering of nested lineage are CPU work in
Python: on the event loop, one heavy answer held every other request, ``/healthz`` included. Here
each operation runs on a worker thread, in that thread's own event loop (resolvers may still
await, e.g. the store thread), in a copy of the request's context so that its deadline
(graph/deadline.py) goes along and the long loops stop when the request's time is spent.

Subscriptions stay on the server's loop: they wait far more than they work.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import strawberry
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """The calling worker thread's event loop, made on first use and kept for the next operation."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
    return loop


class OffLoopSchema(strawberry.Schema):
    def __init__(self, *args: Any, workers: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="graphql")

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        context = contextvars.copy_context()

        def run() -> ExecutionResult:
            operation = strawberry.Schema.execute(
                self,
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed_operation_types,
                operation_extensions,
            )
            return _thread_loop().run_until_complete(operation)

        return await asyncio.get_running_loop().run_in_executor(self._workers, context.run, run)

    def close(self) -> None:
        """Let the worker threads go once the operations they run have ended."""
        self._workers.shutdown(wait=True)
