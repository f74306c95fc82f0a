"""The audit on the embedded store: entries kept as rows beside the graph, read with the entries
earlier versions wrote as `audit` vertices, filtered and ordered alike."""

from __future__ import annotations

from pathlib import Path

from tagline.graph import tagstore
from tagline.graph.store import GraphStore


def entry(at: str, column: str, tag: str, actor: str = "steward") -> dict[str, str]:
    return {"at": at, "actor": actor, "column": column, "tag": tag, "change": "ADDED", "cause": "declared"}


def test_rows_and_earlier_vertices_read_as_one_audit(tmp_path: Path) -> None:
    store = GraphStore(str(tmp_path / "store.db"))
    try:
        con = store.connection.sqlite
        assert con is not None
        old = entry("2024-01-01T00:00:00Z", "c|a", "pii", actor="old")
        store.connection.write(lambda g: tagstore.append_audit(g, [old]))  # as a vertex, as before
        store.update_tags(
            {}, [entry("2024-02-01T00:00:00Z", "c|a", "pci"), entry("2024-03-01T00:00:00Z", "c|b", "pii")]
        )
        assert con.execute("SELECT count(*) FROM tagline_audit").fetchone()[0] == 2

        everything = store.audit({})
        assert [(e["at"][:7], e["column"], e["tag"]) for e in everything] == [
            ("2024-03", "c|b", "pii"),
            ("2024-02", "c|a", "pci"),
            ("2024-01", "c|a", "pii"),
        ]
        assert everything[-1]["actor"] == "old" and all(e["uid"].startswith("a|") for e in everything)
        assert [e["tag"] for e in store.audit({"column": "c|a"})] == ["pci", "pii"]
        assert [e["column"] for e in store.audit({"tag": "pii"}, since="2024-01-15")] == ["c|b"]
        assert [e["tag"] for e in store.audit({"column": "c|a"}, until="2024-01-31")] == ["pii"]
        assert store.audit({"no such field": "x"}) == []
    finally:
        store.close()
