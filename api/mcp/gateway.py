"""The MCP tools ask Tagline's GraphQL schema, in process, as the caller.

An agent's question is answered by the same resolvers, limits (depth, cost, time), role checks and
errors as a frontend's, so the two can never disagree; the tools only choose the question, bound
the answer's size and say it in a sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from tagline.api.auth import Identity
from tagline.api.gql.context import Context
from tagline.api.gql.off_loop import OffLoopSchema
from tagline.api.services.store_thread import StoreThread
from tagline.api.settings import Settings
from tagline.governance.policy import Policy


class AskError(Exception):
    """The question was refused or failed: the message says why (GraphQL's own words), and
    ``code`` is the first error's ``extensions.code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class GraphQLGateway:
    def __init__(
        self, schema: OffLoopSchema, settings: Settings, policy: Policy, thread: Callable[[], StoreThread]
    ) -> None:
        self.schema = schema
        self.settings = settings
        self.policy = policy
        self.thread = thread

    async def ask(self, document: str, variables: dict[str, Any], identity: Identity) -> dict[str, Any]:
        thread = self.thread()
        await thread.catch_up()  # over stdio no middleware did: every write committed before is seen
        context = Context(thread=thread, settings=self.settings, identity=identity, policy=self.policy)
        result = await self.schema.execute(document, variable_values=variables, context_value=context)
        if result.errors:
            code = next(
                (str(e.extensions["code"]) for e in result.errors if e.extensions and "code" in e.extensions), "ERROR"
            )
            raise AskError(code, "; ".join(e.message for e in result.errors))
        # Plain JSON types: nested lineage arrives pre-rendered, which orjson writes as it is.
        data: dict[str, Any] = orjson.loads(orjson.dumps(result.data))
        return data

    def close(self) -> None:
        """Let the schema's worker threads go: the gateway has a schema (and pool) of its own."""
        self.schema.close()
