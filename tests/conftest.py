"""Fixtures shared by every test folder: temporary stores and small lineage builders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tagline.graph.model import ColumnEdge, ColumnRef, JobRef, LineageType, Subtype, Transformation
from tagline.graph.store import GraphStore


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    return str(tmp_path / "graph.db")


@pytest.fixture
def store(store_path: str) -> Iterator[GraphStore]:
    graph = GraphStore(store_path)
    yield graph
    graph.close()


def col(dataset: str, field: str, namespace: str = "ns") -> ColumnRef:
    return ColumnRef(namespace=namespace, dataset=dataset, field=field)


def derive(
    source: ColumnRef,
    target: ColumnRef,
    type_: str = "DIRECT",
    subtype: str = "IDENTITY",
    masking: bool = False,
    job: str | None = "job1",
) -> ColumnEdge:
    return ColumnEdge(
        source=source,
        target=target,
        transformation=Transformation(type=LineageType(type_), subtype=Subtype(subtype), masking=masking),
        job=JobRef(namespace="default", name=job) if job else None,
    )
