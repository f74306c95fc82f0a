"""Introspection answered once per schema: GraphiQL, IDEs and code generators send the same few
introspection documents again and again, and the answer depends on the schema alone.

Only operations that select nothing but introspection (``__schema``, ``__type``, ``__typename``)
are kept, keyed by their text, operation name and variables, in a small bounded cache that made-up
documents cannot grow. A document is priced before it gets here (api/gql/cost.py), so what is
computed to fill the cache was within the budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

import orjson
from graphql import ExecutionResult, FieldNode, get_operation_ast
from strawberry.extensions import SchemaExtension

INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})


class IntrospectionAnswers:
    """The answers of one schema's introspection documents, the most recently used kept."""

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._answers: OrderedDict[tuple[str, str | None, bytes], ExecutionResult] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: tuple[str, str | None, bytes]) -> ExecutionResult | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: tuple[str, str | None, bytes], answer: ExecutionResult) -> None:
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.maxsize:
                self._answers.popitem(last=False)


class IntrospectionCache(SchemaExtension):
    def __init__(self, answers: IntrospectionAnswers) -> None:
        super().__init__()
        self.answers = answers

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        key = self._key()
        if key is not None and execution.result is None:
            execution.result = self.answers.get(key)
        yield
        result = execution.result
        if key is not None and isinstance(result, ExecutionResult) and not result.errors and result.data:
            self.answers.put(key, ExecutionResult(data=result.data))

    def _key(self) -> tuple[str, str | None, bytes] | None:
        execution = self.execution_context
        document = execution.graphql_document
        if document is None or not execution.query:
            return None
        operation = get_operation_ast(document, execution.operation_name)
        if operation is None or not all(
            isinstance(s, FieldNode) and s.name.value in INTROSPECTION_FIELDS
            for s in operation.selection_set.selections
        ):
            return None
        try:
            variables = orjson.dumps(execution.variables or {}, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            return None
        return (execution.query, execution.operation_name, variables)
