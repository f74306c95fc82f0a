"""Role checks for GraphQL: a query needs the READ permission, a mutation GOVERN. A refusal is an
HTTP 403 with a GraphQL error saying which role the caller has. A subscription sent over HTTP is
refused (400), pointing at the WebSocket."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from tagline.api.auth import GOVERN, READ


class OperationAccess(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        permission = GOVERN if execution.operation_type == OperationType.MUTATION else READ
        identity = context.identity
        if execution.operation_type == OperationType.SUBSCRIPTION and context.feed is None:
            # Over HTTP a subscription would answer one empty result: say where they are served.
            if context.response is not None:
                context.response.status_code = 400
            message = "subscriptions are served over a WebSocket at /graphql (graphql-transport-ws)"
            execution.result = ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": "BAD_REQUEST"})]
            )
        elif not identity.can(permission):
            if context.response is not None:
                context.response.status_code = 403
            message = f"{identity.name} has role {identity.role}, which may not {permission}"
            execution.result = ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": "FORBIDDEN"})]
            )
        yield
