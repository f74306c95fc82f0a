"""Keys of the model's records are made once and kept; a copy with new values makes its own."""

from __future__ import annotations

from tagline.graph.model import ColumnEdge, ColumnRef, DatasetRef, LineageType, Transformation, column_key


def test_a_copy_with_new_names_has_the_key_of_its_names() -> None:
    ref = ColumnRef(namespace="hive://w", dataset="db.a", field="x")
    assert ref.key == column_key("hive://w", "db.a", "x")
    moved = ref.model_copy(update={"dataset": "db.b"})
    assert moved.key == column_key("hive://w", "db.b", "x")
    assert moved.dataset_ref == DatasetRef(namespace="hive://w", name="db.b")
    assert ref.key == column_key("hive://w", "db.a", "x")


def test_an_edge_copied_onto_other_columns_has_their_key() -> None:
    a, b, c = (ColumnRef(namespace="hive://w", dataset="db.t", field=f) for f in "abc")
    edge = ColumnEdge(source=a, target=b, transformation=Transformation(type=LineageType.DIRECT))
    copied = edge.model_copy(update={"target": c})
    assert copied.key != edge.key
    assert copied.key == ColumnEdge(source=a, target=c, transformation=edge.transformation).key


def test_kept_keys_leave_equality_and_dumps_alone() -> None:
    one, two = (ColumnRef(namespace="hive://w", dataset="db.a", field="x") for _ in range(2))
    assert one.key  # kept on one only
    assert one == two and hash(one) == hash(two)
    assert one.model_dump() == {"namespace": "hive://w", "dataset": "db.a", "field": "x"}
