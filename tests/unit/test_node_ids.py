"""Marquez node ids, including namespaces with `://` and ports and names with colons."""

from __future__ import annotations

import pytest

from tagline.api.services.node_ids import DATASET, FIELD, JOB, BadNodeId, NodeId, parse_node_id
from tagline.graph.model import column_key, dataset_key, job_key


def nothing(key: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("dataset:food_delivery:public.delivery_7_days", NodeId(DATASET, "food_delivery", "public.delivery_7_days")),
        ("dataset:mysql://orders-db:3306:shop.customers", NodeId(DATASET, "mysql://orders-db:3306", "shop.customers")),
        ("job:airflow:build_fact_orders", NodeId(JOB, "airflow", "build_fact_orders")),
        (
            "datasetField:hive://warehouse:dw.dim_customer:email",
            NodeId(FIELD, "hive://warehouse", "dw.dim_customer", "email"),
        ),
        (
            "datasetField:redshift://a.eu-west-1:5439:marts.x:email",
            NodeId(FIELD, "redshift://a.eu-west-1:5439", "marts.x", "email"),
        ),
        ("dataset:ns:t#6b1b8c4c-2c4e-4c53-9c1d-5b3f9f8e2a10", NodeId(DATASET, "ns", "t")),
    ],
)
def test_ids_parse_as_marquez_parses_them(value: str, expected: NodeId) -> None:
    parsed = parse_node_id(value, nothing)
    assert parsed == expected
    if "#" not in value:
        assert str(parsed) == value


def test_a_colon_in_a_name_is_resolved_by_what_the_store_holds() -> None:
    held = {
        dataset_key("s3://bucket", "raw:events"),
        job_key("spark:prod", "etl"),
        column_key("kafka://broker:9092", "topic:a", "payload:b"),
    }
    assert parse_node_id("dataset:s3://bucket:raw:events", held.__contains__) == NodeId(
        DATASET, "s3://bucket", "raw:events"
    )
    assert parse_node_id("job:spark:prod:etl", held.__contains__) == NodeId(JOB, "spark:prod", "etl")
    assert parse_node_id("datasetField:kafka://broker:9092:topic:a:payload:b", held.__contains__) == NodeId(
        FIELD, "kafka://broker:9092", "topic:a", "payload:b"
    )
    # Unknown: Marquez's own split, so the error can name what was looked for.
    assert parse_node_id("dataset:s3://bucket:raw:events", nothing) == NodeId(DATASET, "s3://bucket", "raw:events")


@pytest.mark.parametrize("value", ["run:1234", "table:a:b", "dataset", "dataset:nocolon", "datasetField:a:b"])
def test_malformed_ids_are_refused(value: str) -> None:
    with pytest.raises(BadNodeId):
        parse_node_id(value, nothing)
