"""Role checks for GraphQL: a query needs the READ permission, a mutation GOVERN. A refusal is an
HTTP 403 with a GraphQL error saying which role the caller has."""

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
        if not identity.can(permission):
            if context.response is not None:
                context.response.status_code = 403
            message = f"{identity.name} has role {identity.role}, which may not {permission}"
            execution.result = ExecutionResult(
                data=None, errors=[GraphQLError(message, extensions={"code": "FORBIDDEN"})]
            )
        yield
