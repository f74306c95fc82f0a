"""SQL text -> plain lineage records, without a store: what ``tagline extract-sql`` prints.

The record of one input is its table-level lineage (``reads``/``writes``: every table the whole
input reads and writes, also where no column edge exists) and its column edges, with names as the
SQL spells them after the dialect's folding and no namespace (a file or folder by its whole path). One JSON-ready ``dict`` per input, so a
script can consume it line by line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tagline.errors import InvalidInput
from tagline.graph.model import DatasetRef, JobRef, LineageBatch
from tagline.ingest.catalog import Catalog
from tagline.ingest.sql.extract import ExtractOptions, extract_sql
from tagline.ingest.sql.paths import path_of

_JOB = JobRef(namespace="", name="extract-sql")
"""Every statement of one input runs as one job, so its reads and writes are the input's."""


def summarize_sql(
    text: str,
    dialect: str,
    catalog: Catalog | None = None,
    options: ExtractOptions | None = None,
) -> dict[str, Any]:
    """``{"reads", "writes", "edges", "error"}`` for ``text``; ``error`` joins the failed statements'
    reasons (the lineage of the other statements is still there)."""
    batch = extract_sql(text, dialect=dialect, namespace="", catalog=catalog, job=_JOB, options=options)
    return summarize_batch(batch)


def summarize_batch(batch: LineageBatch) -> dict[str, Any]:
    return {
        "reads": [_label(access.dataset) for access in batch.reads],
        "writes": [_label(access.dataset) for access in batch.writes],
        "edges": [
            {
                "source": {"dataset": _label(e.source.dataset_ref), "field": e.source.field},
                "target": {"dataset": _label(e.target.dataset_ref), "field": e.target.field},
                "type": e.transformation.type.value,
                "subtype": e.transformation.subtype.value if e.transformation.subtype else None,
                "masking": e.transformation.masking,
            }
            for e in batch.edges
        ],
        "error": "; ".join(f"{f.location}: {f.reason}" for f in batch.failures) or None,
    }


def _label(ref: DatasetRef) -> str:
    """A table as the SQL names it; a file or folder by its whole path (its namespace is not the
    SQL's empty one)."""
    return (path_of(ref) or ref.name) if ref.namespace else ref.name


def catalog_from_json(value: object) -> Catalog | None:
    """The optional ``catalog`` of a batch line (``{"db.table": ["col", ...]}``)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput('"catalog" must be an object {"db.table": ["col", ...]}')
    return Catalog.from_mapping(value)
