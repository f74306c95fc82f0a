"""The MCP tool table: each tool's GraphQL document is valid against the schema, asks for the field
its summariser reads, and declares exactly the variables its arguments give, with acceptable values."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from tagline.api.gql.schema import build_schema
from tagline.api.mcp.tools import TOOLS, ColumnName, JobName, McpTool
from tagline.api.settings import Settings

# A value for every argument that has no default, by name.
REQUIRED = {
    "query": "email",
    "namespace": "hive://warehouse",
    "dataset": "dw.dim_customer",
    "field": "email",
    "tag": "pii.email",
    "job": "build_orders",
    "configured": [JobName(name="sync_orders"), JobName(name="load", namespace="cron")],
    "a": ColumnName(namespace="hive://warehouse", dataset="dw.dim_customer", field="email"),
    "b": ColumnName(namespace="hive://warehouse", dataset="dw.fact_orders", field="customer_id"),
    "sql": "INSERT INTO dw.orders SELECT id FROM ods.orders",
}


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_each_tools_document_matches_the_schema_its_root_and_its_arguments(tool: McpTool) -> None:
    schema = build_schema(Settings())._schema
    document = parse(tool.document)
    assert validate(schema, document) == [], tool.name
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    assert [s.name.value for s in operation.selection_set.selections] == [tool.root]  # type: ignore[attr-defined]

    required = [p for p in inspect.signature(tool.arguments).parameters.values() if p.default is p.empty]
    variables: dict[str, Any] = tool.arguments(**{p.name: REQUIRED[p.name] for p in required})
    assert set(variables) == {d.variable.name.value for d in operation.variable_definitions}
    coerced = get_variable_values(schema, operation.variable_definitions, variables)
    assert not isinstance(coerced, list), coerced  # a list is the coercion errors


def test_only_tag_changing_tools_lose_the_read_only_mark() -> None:
    assert {t.name for t in TOOLS if t.changes_tags} == {"declare_tag", "remove_tag"}
    assert all(t.annotations is None if t.changes_tags else t.annotations.read_only_hint for t in TOOLS)  # type: ignore[union-attr]
