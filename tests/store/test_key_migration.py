"""Keys whose names hold the separator: distinct today, and older stores rewritten when opened."""

from __future__ import annotations

from pathlib import Path

from tagline.graph import schema
from tagline.graph.model import ColumnRef, DatasetRef, LineageBatch, column_key, dataset_key, key_parts
from tagline.graph.store import GraphStore
from tests.conftest import derive
from tests.store.test_lineage_index import forget_change_log, index_contents, store_contents


def test_names_holding_the_separator_make_distinct_keys_that_split_back() -> None:
    assert dataset_key("hive://a|b", "c") != dataset_key("hive://a", "b|c")
    key = column_key("hive://a|b", "db.t\\x", "f|g")
    assert key_parts(key) == ["c", "hive://a|b", "db.t\\x", "f|g"]


def test_an_older_store_gets_escaped_keys_when_opened(tmp_path: Path) -> None:
    path = str(tmp_path / "graph.db")
    source = ColumnRef(namespace="hive://a|b", dataset="c", field="x")
    target = ColumnRef(namespace="hive://z", dataset="d|e", field="y")
    store = GraphStore(path)
    store.write(LineageBatch(edges=[derive(source, target)]))
    renamed = {
        r.key: r for r in store.find([source.key, target.key, source.dataset_ref.key, target.dataset_ref.key]).values()
    }
    edge_uid = str(next(iter(store.lineage([renamed[target.key].id], "in", 1).edges.values())).props[schema.KEY])

    # Write the keys as an older version did (parts joined unescaped) and forget the key format.
    def old(key: str) -> str:
        return "|".join(key_parts(key))

    for key in renamed:
        store.g.V().has(schema.KEY, key).property(schema.KEY, old(key)).iterate()
    store.g.E().has(schema.KEY, edge_uid).property(schema.KEY, old(edge_uid)).iterate()
    store.connection.sqlite.commit()
    store.close()
    forget_change_log(path)

    upgraded = GraphStore(path)
    try:
        assert set(upgraded.find(renamed)) == set(renamed)
        assert index_contents(upgraded) == store_contents(upgraded)
        upstream = upgraded.lineage([upgraded.find([target.key])[target.key].id], "in", 1)
        assert [e.props[schema.KEY] for e in upstream.edges.values()] == [edge_uid]
        assert DatasetRef(namespace="hive://a|b", name="c").key in upgraded.find(renamed)
    finally:
        upgraded.close()
    reopened = GraphStore(path)  # the format is recorded: nothing to do the second time
    assert reopened.changelog.meta("key_format") == "2"
    reopened.close()
