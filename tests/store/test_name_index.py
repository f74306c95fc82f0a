"""Search over the lineage index, checked against a plain scan of every vertex's name."""

from __future__ import annotations

import random
import re

import pytest

from tagline.graph.changelog import changes
from tagline.graph.index import name_index
from tagline.graph.index.lineage_index import LineageIndex

WORDS = ["order", "orders", "customer", "id", "email", "e_mail", "Fact", "dim", "ship", "country", "Ördnung", "x"]
KINDS = ("dataset", "job", "column")


def vertex(label: str, namespace: str, name: str, parent: str = "t") -> changes.Entry:
    if label == "column":
        return [
            changes.VERTEX,
            f"c|{namespace}|{parent}|{name}",
            label,
            {"namespace": namespace, "dataset": parent, "field": name},
        ]
    return [changes.VERTEX, f"{label[0]}|{namespace}|{name}", label, {"namespace": namespace, "name": name}]


def random_entries(rng: random.Random, count: int) -> list[changes.Entry]:
    found = []
    for n in range(count):
        name = rng.choice("._ ").join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
        found.append(vertex(rng.choice(KINDS), rng.choice(["ns1", "s3://b:9"]), name, parent=f"t{n}"))
    return found


def expected(index: LineageIndex, query: str, kinds: tuple[str, ...], namespace: str | None) -> list[str]:
    """The ranking the search promises, computed by a scan: kind of match, length, name, label, id."""
    q = query.lower()
    ranked = []
    for v, key in enumerate(index.keys):
        label = index.label_of(v)
        props = index.props.row(v)
        if label not in kinds or (namespace is not None and props["namespace"] != namespace):
            continue
        name = str(props["field" if label == "column" else "name"]).lower()
        if q not in name:
            continue
        kind = (
            0
            if name == q
            else 1
            if name.startswith(q)
            else 2
            if any(w.startswith(q) for w in re.findall(r"[^\W_]+", name))
            else 3
        )
        ranked.append((kind, len(name), name, ("dataset", "column", "job").index(label), v, key))
    return [r[-1] for r in sorted(ranked)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_matches_a_plain_scan_while_the_index_grows(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(name_index, "REBUILD_MIN", 40)  # exercise both the rebuilt lists and the fresh names
    rng = random.Random(seed)
    index = LineageIndex()
    for _ in range(4):
        index.apply_entries(random_entries(rng, 60))
        for query in ["ord", "ORDER", "id", "mail", "e_m", "ördn", "Fact.", "zzz", "x", "er"]:
            for kinds in (KINDS, ("column",), ("dataset", "job")):
                for namespace in (None, "s3://b:9", "unknown"):
                    want = expected(index, query, kinds, namespace)
                    page = index.search(query, kinds, namespace, 0, 1000)
                    assert [index.keys[v] for v in page.vertices] == want, (query, kinds, namespace)
                    assert page.total == len(want)
                    middle = index.search(query, kinds, namespace, 3, 5)
                    assert [index.keys[v] for v in middle.vertices] == want[3:8]


def test_a_vertex_named_after_its_edges_is_found_once_its_properties_arrive() -> None:
    index = LineageIndex()
    index.apply_entries([[changes.EDGE, "h|c|n|t|late", "has_column", "d|n|t", "c|n|t|late", {}]])
    assert index.search("late", KINDS, None, 0, 10).total == 0
    index.apply_entries([vertex("column", "n", "late")])
    assert [index.keys[v] for v in index.search("late", KINDS, None, 0, 10).vertices] == ["c|n|t|late"]


def test_blank_queries_match_nothing() -> None:
    index = LineageIndex()
    index.apply_entries([vertex("dataset", "n", "orders")])
    assert index.search("  ", KINDS, None, 0, 10).total == 0
