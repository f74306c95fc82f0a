"""OpenLineage events -> batches: every facet shape of columnLineage 1-0-0..1-2-0, schema, tags,
symlinks, naming, runs, and the validation errors the HTTP route turns into 422s."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tagline.graph.model import LineageBatch
from tagline.ingest.openlineage import event_batch
from tagline.ingest.openlineage_events import DatasetEvent, EventError, JobEvent, RunEvent, parse_event
from tagline.ingest.tags import tag_names

RUN_ID = "3b452093-782c-4ef2-9c0c-aafe2aa6f34d"
SPEC = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/"


def run_event(
    outputs: list[dict],
    inputs: list[dict] | None = None,
    event_type: str = "COMPLETE",
    time: str = "2026-01-05T06:00:00.000Z",
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "eventTime": time,
        "producer": "https://example.com/emitter",
        "schemaURL": SPEC + "RunEvent",
        "run": {"runId": RUN_ID},
        "job": {"namespace": "spark", "name": "nightly.orders"},
        "inputs": inputs or [],
        "outputs": outputs,
    }


def output(
    fields: dict,
    dataset: list | None = None,
    schema: list[str] | None = None,
    namespace: str = "postgres://db:5432",
    name: str = "shop.public.out",
) -> dict:
    facets: dict[str, Any] = {"columnLineage": {"fields": fields, **({"dataset": dataset} if dataset else {})}}
    if schema:
        facets["schema"] = {"fields": [{"name": f, "type": "text"} for f in schema]}
    return {"namespace": namespace, "name": name, "facets": facets}


def source(field: str, *transformations: dict, name: str = "shop.public.src") -> dict:
    entry: dict[str, Any] = {"namespace": "postgres://db:5432", "name": name, "field": field}
    if transformations:
        entry["transformations"] = list(transformations)
    return entry


def edges(batch: LineageBatch) -> set[tuple]:
    return {
        (
            e.source.field,
            e.target.field,
            e.transformation.type.value,
            e.transformation.subtype.value if e.transformation.subtype else None,
            e.transformation.masking,
            e.transformation.description,
        )
        for e in batch.edges
    }


def batch_of(raw: dict) -> LineageBatch:
    return event_batch(parse_event(raw))


def test_transformations_are_kept_on_the_edges() -> None:
    raw = run_event(
        [
            output(
                {
                    "email_hash": {
                        "inputFields": [
                            source(
                                "email",
                                {
                                    "type": "DIRECT",
                                    "subtype": "TRANSFORMATION",
                                    "description": "sha2(email)",
                                    "masking": True,
                                },
                            )
                        ]
                    },
                    "total": {
                        "inputFields": [
                            source("amount", {"type": "DIRECT", "subtype": "AGGREGATION", "masking": False}),
                            source("status", {"type": "INDIRECT", "subtype": "FILTER"}),
                        ]
                    },
                }
            )
        ]
    )
    assert edges(batch_of(raw)) == {
        ("email", "email_hash", "DIRECT", "TRANSFORMATION", True, "sha2(email)"),
        ("amount", "total", "DIRECT", "AGGREGATION", False, None),
        ("status", "total", "INDIRECT", "FILTER", False, None),
    }


def test_facet_1_0_0_without_transformations_is_direct_with_unknown_subtype() -> None:
    raw = run_event(
        [
            output(
                {
                    "a": {"inputFields": [source("x")]},
                    "b": {
                        "inputFields": [source("y")],
                        "transformationType": "IDENTITY",
                        "transformationDescription": "identical",
                    },
                    "c": {
                        "inputFields": [source("z")],
                        "transformationType": "MASKED",
                        "transformationDescription": "hash",
                    },
                }
            )
        ]
    )
    assert edges(batch_of(raw)) == {
        ("x", "a", "DIRECT", None, False, None),
        ("y", "b", "DIRECT", "IDENTITY", False, "identical"),
        ("z", "c", "DIRECT", None, True, "hash"),
    }


def test_deprecated_masked_marks_direct_transformations_that_do_not_say() -> None:
    raw = run_event(
        [
            output(
                {
                    "c": {
                        "transformationType": "MASKED",
                        "inputFields": [
                            source("z", {"type": "DIRECT", "subtype": "TRANSFORMATION"}),
                            source("k", {"type": "INDIRECT", "subtype": "JOIN"}),
                        ],
                    }
                }
            )
        ]
    )
    assert edges(batch_of(raw)) == {
        ("z", "c", "DIRECT", "TRANSFORMATION", True, None),
        ("k", "c", "INDIRECT", "JOIN", False, None),
    }


def test_dataset_level_list_reaches_every_output_column_as_indirect() -> None:
    raw = run_event(
        [
            output(
                {"a": {"inputFields": [source("x", {"type": "DIRECT", "subtype": "IDENTITY"})]}},
                dataset=[source("status", {"type": "INDIRECT", "subtype": "FILTER"}), source("region")],
                schema=["a", "b"],
            )
        ]
    )
    found = edges(batch_of(raw))
    assert found == {
        ("x", "a", "DIRECT", "IDENTITY", False, None),
        ("status", "a", "INDIRECT", "FILTER", False, None),
        ("status", "b", "INDIRECT", "FILTER", False, None),
        ("region", "a", "INDIRECT", None, False, None),
        ("region", "b", "INDIRECT", None, False, None),
    }


def test_spark_default_form_keeps_repeated_indirect_inputs_indirect() -> None:
    sort = {"type": "INDIRECT", "subtype": "SORT", "description": "", "masking": False}
    identity = {"type": "DIRECT", "subtype": "IDENTITY", "description": "", "masking": False}
    raw = run_event(
        [
            output(
                {
                    "order_id": {"inputFields": [source("order_id", identity), source("placed_on", sort)]},
                    "placed_on": {"inputFields": [source("placed_on", identity), source("placed_on", sort)]},
                }
            )
        ]
    )
    assert edges(batch_of(raw)) == {
        ("order_id", "order_id", "DIRECT", "IDENTITY", False, None),
        ("placed_on", "order_id", "INDIRECT", "SORT", False, None),
        ("placed_on", "placed_on", "DIRECT", "IDENTITY", False, None),
        ("placed_on", "placed_on", "INDIRECT", "SORT", False, None),
    }


def test_unknown_subtype_is_kept_in_the_description() -> None:
    raw = run_event([output({"a": {"inputFields": [source("x", {"type": "direct", "subtype": "PIVOT"})]}})])
    assert edges(batch_of(raw)) == {("x", "a", "DIRECT", None, False, "PIVOT")}


transformation = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["DIRECT", "INDIRECT"]),
        "subtype": st.sampled_from(["IDENTITY", "TRANSFORMATION", "AGGREGATION", "JOIN", "FILTER", "SORT", "X"]),
    },
    optional={"masking": st.booleans()},
)
input_field = st.tuples(st.sampled_from(["p", "q", "r"]), st.lists(transformation, max_size=3))


@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.lists(input_field, min_size=1, max_size=4), min_size=1))
def test_only_inputs_without_any_transformation_become_direct_by_default(fields: dict) -> None:
    """No DIRECT edge is ever invented for an input that only says INDIRECT, and an input that says
    nothing is never lost."""
    raw = run_event(
        [output({out: {"inputFields": [source(f, *ts) for f, ts in inputs]} for out, inputs in fields.items()})]
    )
    found = edges(batch_of(raw))
    for out, inputs in fields.items():
        for field, _ in inputs:
            said = {t["type"] for f, tts in inputs if f == field for t in tts}
            silent = any(f == field and not tts for f, tts in inputs)
            direct = {e for e in found if e[0] == field and e[1] == out and e[2] == "DIRECT"}
            assert bool(direct) == ("DIRECT" in said or silent)
            if said == {"INDIRECT"} and not silent:
                assert not direct


def test_schema_facet_gives_columns_and_names_are_folded_like_sql() -> None:
    raw = run_event(
        [],
        inputs=[
            {
                "namespace": "postgres://db:5432",
                "name": "Shop.Public.Orders",
                "facets": {"schema": {"fields": [{"name": "ID", "type": "integer", "description": "key"}]}},
            },
            {
                "namespace": "snowflake://acme",
                "name": "DB.SCH.ORDERS",
                "facets": {"schema": {"fields": [{"name": "ID"}]}},
            },
            {"namespace": "s3://bucket", "name": "/Data/Orders", "facets": {"schema": {"fields": [{"name": "Id"}]}}},
        ],
    )
    columns = {(c.namespace, c.dataset, c.field, c.data_type) for c in batch_of(raw).columns}
    assert columns == {
        ("postgres://db:5432", "shop.public.orders", "id", "integer"),
        ("snowflake://acme", "db.sch.orders", "id", None),
        ("s3://bucket", "/Data/Orders", "Id", None),
    }


def test_field_level_tags_become_declared_tags() -> None:
    tags = [
        {"key": "pii", "value": "true", "field": "Email"},
        {"key": "classification", "value": "PII", "source": "CONFIG", "field": "tax_id"},
        {"key": "pii", "value": "phone", "field": "mobile"},
        {"key": "pii", "value": "false", "field": "country"},
        {"key": "environment", "value": "production"},
    ]
    raw = run_event(
        [], inputs=[{"namespace": "hive://wh", "name": "crm.customers", "facets": {"tags": {"tags": tags}}}]
    )
    assert {(t.column.dataset, t.column.field, t.tag) for t in batch_of(raw).tags} == {
        ("crm.customers", "email", "pii"),
        ("crm.customers", "tax_id", "pii"),
        ("crm.customers", "mobile", "pii.phone"),
    }


def test_symlinked_path_and_table_meet_on_one_vertex() -> None:
    path = {
        "namespace": "s3://bucket",
        "name": "warehouse/crm.db/customers",
        "facets": {
            "symlinks": {
                "identifiers": [{"namespace": "hive://metastore:9083", "name": "CRM.Customers", "type": "TABLE"}]
            }
        },
    }
    field = {"namespace": "s3://bucket", "name": "warehouse/crm.db/customers", "field": "email"}
    raw = run_event(
        [output({"email": {"inputFields": [field]}}, namespace="hive://metastore:9083", name="mart.contacts")],
        inputs=[path],
    )
    batch = batch_of(raw)
    assert {(e.source.namespace, e.source.dataset) for e in batch.edges} == {("hive://metastore:9083", "crm.customers")}
    assert {(r.dataset.namespace, r.dataset.name) for r in batch.reads} == {("hive://metastore:9083", "crm.customers")}
    assert all(d.namespace != "s3://bucket" for d in batch.datasets)
    # The path stays an alias of the table, for events that name the path alone.
    assert {(a.alias.namespace, a.alias.name, a.dataset.name) for a in batch.aliases} == {
        ("s3://bucket", "warehouse/crm.db/customers", "crm.customers")
    }


def test_a_hive_hook_table_keeps_its_name_when_its_only_symlink_is_its_location() -> None:
    """Hive's hook sends the table itself, with a symlink holding only where its files are."""
    table = {
        "namespace": "hive://metastore:9083",
        "name": "test.t1",
        "facets": {
            "symlinks": {
                "identifiers": [
                    {"namespace": "file", "name": "/opt/hive/data/warehouse/test.db/t1", "type": "LOCATION"}
                ]
            }
        },
    }
    field = {"namespace": "hive://metastore:9083", "name": "test.t1", "field": "a"}
    raw = run_event(
        [output({"a": {"inputFields": [field]}}, namespace="hive://metastore:9083", name="test.t2")], inputs=[table]
    )
    batch = batch_of(raw)
    assert {(e.source.namespace, e.source.dataset) for e in batch.edges} == {("hive://metastore:9083", "test.t1")}
    assert all(d.namespace != "file" for d in batch.datasets)
    assert {(a.alias.namespace, a.alias.name, a.dataset.name) for a in batch.aliases} == {
        ("file", "/opt/hive/data/warehouse/test.db/t1", "test.t1")
    }


def test_the_sql_facet_gives_column_lineage_to_outputs_without_it() -> None:
    """What Marquez-style emitters and dbt-ol send: the query, the datasets, no columnLineage."""
    raw = run_event(
        [{"namespace": "postgres://db:5432", "name": "shop.public.order_totals"}],
        inputs=[{"namespace": "postgres://db:5432", "name": "shop.public.orders"}],
    )
    raw["job"]["facets"] = {
        "sql": {
            "query": "INSERT INTO order_totals SELECT customer_id, sum(amount) AS total "
            "FROM public.orders WHERE status = 'paid' GROUP BY customer_id"
        }
    }
    found = {
        (
            e.source.dataset,
            e.source.field,
            e.target.dataset,
            e.target.field,
            e.transformation.type.value,
            e.transformation.subtype.value if e.transformation.subtype else None,
        )
        for e in batch_of(raw).edges
    }
    assert ("shop.public.orders", "amount", "shop.public.order_totals", "total", "DIRECT", "AGGREGATION") in found
    assert (
        "shop.public.orders",
        "customer_id",
        "shop.public.order_totals",
        "customer_id",
        "DIRECT",
        "IDENTITY",
    ) in found
    assert ("shop.public.orders", "status", "shop.public.order_totals", "total", "INDIRECT", "FILTER") in found
    assert all(e.transformation.description for e in batch_of(raw).edges)


def test_the_sql_facet_is_not_used_where_column_lineage_was_sent() -> None:
    raw = run_event([output({"b": {"inputFields": [source("a")]}})])
    raw["job"]["facets"] = {"sql": {"query": "INSERT INTO shop.public.out SELECT zzz AS b FROM shop.public.src"}}
    assert {e.source.field for e in batch_of(raw).edges} == {"a"}


def test_edges_carry_the_event_time() -> None:
    raw = run_event([output({"b": {"inputFields": [source("a")]}})], time="2026-01-05T06:00:00.000Z")
    assert {e.seen_at.isoformat() for e in batch_of(raw).edges if e.seen_at} == {"2026-01-05T06:00:00+00:00"}


def test_run_state_and_time_come_from_the_event_and_other_says_nothing() -> None:
    complete = batch_of(run_event([], event_type="COMPLETE"))
    assert complete.jobs[0].last_run_state.value == "COMPLETE"
    assert complete.jobs[0].last_run_at.isoformat() == "2026-01-05T06:00:00+00:00"
    other = batch_of(run_event([], event_type="OTHER"))
    assert other.jobs[0].last_run_state is None and other.jobs[0].last_run_at is None
    assert {(r.job.name, r.at.year) for r in batch_of(run_event([output({})])).writes} == {("nightly.orders", 2026)}


def test_event_kind_follows_the_schema_url_like_marquez() -> None:
    dataset = {"namespace": "hive://wh", "name": "a.b", "facets": {"schema": {"fields": [{"name": "x"}]}}}
    base = {"eventTime": "2026-01-05T06:00:00Z", "producer": "p"}
    assert isinstance(parse_event({**base, "schemaURL": SPEC + "DatasetEvent", "dataset": dataset}), DatasetEvent)
    job = parse_event(
        {**base, "schemaURL": SPEC + "JobEvent", "job": {"namespace": "n", "name": "j"}, "outputs": [dataset]}
    )
    assert isinstance(job, JobEvent)
    assert isinstance(parse_event(run_event([])), RunEvent)
    assert batch_of({**base, "schemaURL": SPEC + "DatasetEvent", "dataset": dataset}).columns[0].field == "x"
    assert (
        batch_of({**base, "schemaURL": SPEC + "JobEvent", "job": {"namespace": "n", "name": "j"}}).jobs[0].last_run_at
        is None
    )


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda e: e["run"].update(runId="not-a-uuid"), "run.runId"),
        (lambda e: e.pop("eventTime"), "eventTime"),
        (lambda e: e.update(eventType="DONE"), "eventType"),
        (lambda e: e["job"].pop("name"), "job.name"),
        (
            lambda e: e["outputs"][0]["facets"]["columnLineage"]["fields"]["a"]["inputFields"][0].pop("field"),
            "outputs[0].facets.columnLineage.fields.a.inputFields[0].field",
        ),
        (
            lambda e: e["outputs"][0]["facets"]["columnLineage"]["fields"]["a"]["inputFields"][0].update(
                transformations=[{"type": "SIDEWAYS"}]
            ),
            "outputs[0].facets.columnLineage.fields.a.inputFields[0].transformations[0].type",
        ),
    ],
)
def test_spec_violations_name_the_field_path(change: Any, path: str) -> None:
    raw = run_event([output({"a": {"inputFields": [source("x")]}})])
    change(raw)
    with pytest.raises(EventError) as caught:
        parse_event(raw)
    assert path in [p for p, _ in caught.value.problems]


def test_custom_facets_are_allowed() -> None:
    raw = run_event([])
    raw["run"]["facets"] = {"spark_version": {"_producer": "p", "spark-version": "3.5.1"}}
    raw["job"]["facets"] = {"jobType": {"processingType": "BATCH", "integration": "SPARK", "jobType": "JOB"}}
    assert batch_of(raw).jobs[0].name == "nightly.orders"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("pii", "true", ["pii"]),
        ("PII", True, ["pii"]),
        ("pii", False, []),
        ("pii", "", ["pii"]),
        ("sensitivity", "Confidential", ["confidential"]),
        ("classification", ["pii", "pci"], ["pii", "pci"]),
        ("owner", "crm-team", None),
    ],
)
def test_tag_names(key: str, value: object, expected: list[str] | None) -> None:
    assert tag_names(key, value) == expected
