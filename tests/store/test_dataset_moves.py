"""Aliases and renames on both engines: lineage told under another name of a dataset lands on the
dataset, whichever came first, and a renamed table takes its lineage along."""

from __future__ import annotations

from tagline.graph.model import (
    ColumnRef,
    DatasetAccess,
    DatasetAlias,
    DatasetRef,
    DatasetRename,
    DeclaredTag,
    JobRef,
    LineageBatch,
    column_key,
    dataset_key,
)
from tagline.graph.store import GraphStore
from tests.conftest import col, derive

PATH = DatasetRef(namespace="file", name="/warehouse/orders")
TABLE = DatasetRef(namespace="ns", name="db.orders")
JOB = JobRef(namespace="default", name="load")


def on(dataset: DatasetRef, field: str) -> ColumnRef:
    return ColumnRef(namespace=dataset.namespace, dataset=dataset.name, field=field)


def sources_of(store: GraphStore, column: ColumnRef) -> set[str]:
    found = store.find([column.key])
    if column.key not in found:
        return set()
    return {store.keys_of([h.neighbour.id])[0] for h in store.hops([found[column.key].id], "in", ["derives"])}


def path_only_batch() -> LineageBatch:
    """A Spark CTAS's inner insert: the table named by its path alone."""
    return LineageBatch(
        edges=[derive(col("db.raw", "id"), on(PATH, "id"))],
        writes=[DatasetAccess(job=JOB, dataset=PATH)],
    )


def alias_batch() -> LineageBatch:
    return LineageBatch(aliases=[DatasetAlias(alias=PATH, dataset=TABLE)])


def test_lineage_told_under_an_alias_after_it_is_known_lands_on_the_dataset(store: GraphStore) -> None:
    store.write(alias_batch())
    store.write(path_only_batch())
    assert sources_of(store, on(TABLE, "id")) == {column_key("ns", "db.raw", "id")}
    assert store.find([on(PATH, "id").key]) == {}
    found = store.find_folded(PATH.key)
    assert found is not None and found.key == TABLE.key


def test_lineage_stored_before_the_alias_was_known_moves_to_the_dataset(store: GraphStore) -> None:
    store.write(path_only_batch())
    store.write(
        LineageBatch(
            tags=[DeclaredTag(column=on(PATH, "id"), tag="pii")],
            edges=[derive(on(PATH, "id"), col("db.mart", "id"))],
        )
    )
    result = store.write(alias_batch())
    table_id = on(TABLE, "id")
    assert sources_of(store, table_id) == {column_key("ns", "db.raw", "id")}
    assert sources_of(store, col("db.mart", "id")) == {table_id.key}
    assert sources_of(store, on(PATH, "id")) == set()
    assert [(t.column, t.tag) for t in result.declared] == []  # none declared on the path's stored columns
    writers = {h.neighbour.key for h in store.hops([store.find([TABLE.key])[TABLE.key].id], "in", ["writes"])}
    assert writers == {JOB.key}
    counts = store.counts()
    assert counts["derives"] == 2 and counts["writes"] == 1
    # Told again, the alias moves nothing more.
    store.write(alias_batch())
    assert store.counts() == counts


def test_a_renamed_table_takes_its_lineage_and_a_new_table_under_the_old_name_starts_afresh(store: GraphStore) -> None:
    old, new = DatasetRef(namespace="ns", name="db.stage"), DatasetRef(namespace="ns", name="db.orders")
    store.write(
        LineageBatch(
            edges=[derive(col("db.raw", "id"), on(old, "id")), derive(on(old, "id"), col("db.mart", "id"))],
            writes=[DatasetAccess(job=JOB, dataset=old)],
        )
    )
    store.write(LineageBatch(renames=[DatasetRename(old=old, new=new)]))
    assert sources_of(store, on(new, "id")) == {column_key("ns", "db.raw", "id")}
    assert sources_of(store, col("db.mart", "id")) == {on(new, "id").key}
    assert sources_of(store, on(old, "id")) == set()
    stored_old = store.find([old.key])[old.key]
    assert stored_old.props["renamed_to"] == new.key
    # A rename is not an alias: the old name is free for a new table.
    store.write(LineageBatch(edges=[derive(col("db.other", "id"), on(old, "id"))]))
    assert sources_of(store, on(old, "id")) == {column_key("ns", "db.other", "id")}
    assert sources_of(store, on(new, "id")) == {column_key("ns", "db.raw", "id")}


def test_a_rename_of_a_table_the_store_never_held_leaves_no_trace(store: GraphStore) -> None:
    store.write(LineageBatch(renames=[DatasetRename(old=DatasetRef(namespace="ns", name="db.tmp"), new=TABLE)]))
    assert store.find([dataset_key("ns", "db.tmp")]) == {}


def test_declared_tags_follow_a_renamed_table(store: GraphStore) -> None:
    old, new = DatasetRef(namespace="ns", name="db.stage"), DatasetRef(namespace="ns", name="db.people")
    store.write(LineageBatch(edges=[derive(on(old, "email"), col("db.mart", "email"))]))
    store.update_tags({on(old, "email").key: {"tags_declared": '["pii"]'}}, [])
    result = store.write(LineageBatch(renames=[DatasetRename(old=old, new=new)]))
    assert [(t.column, t.tag) for t in result.declared] == [(on(new, "email"), "pii")]


def test_a_column_named_under_an_alias_finds_the_dataset_column(store: GraphStore) -> None:
    store.write(path_only_batch())
    store.write(alias_batch())
    found = store.find_folded(on(PATH, "ID").key)
    assert found is not None and found.key == on(TABLE, "id").key


def test_a_search_hit_under_an_alias_is_the_dataset(store: GraphStore) -> None:
    store.write(path_only_batch())
    store.write(alias_batch())
    found, _ = store.search("orders", ["dataset", "column"])
    assert {r.key for r in found} >= {TABLE.key}
    assert all(r.props.get("namespace") != "file" for r in found)
