"""Column lineage from an event's ``sql`` job facet, for outputs that came without ``columnLineage``.

Marquez-style emitters and ``dbt-ol`` send the query a job ran but no column lineage; the SQL
extractor reads it. The dialect is the facet's own (``dialect``, facet 1-1-0) or the one the first
output's namespace implies. Tables in the SQL are often unqualified or qualified differently from
the event's dataset names (``orders`` for ``shop.public.orders``), so each is matched to the
event's own inputs and outputs by its trailing name parts; SQL tables the event does not name are
left out. Every edge found this way says so in its transformation's description.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tagline.graph.model import ColumnEdge, DatasetRef, JobRef, Transformation
from tagline.ingest import naming
from tagline.ingest.sql.extract import extract_sql

FROM_SQL = "from the job's SQL facet"
FALLBACK_DIALECT = "ansi"


def sql_facet_edges(
    facets: Mapping[str, Any] | None,
    inputs: Iterable[DatasetRef],
    outputs_without_lineage: list[DatasetRef],
    job: JobRef | None,
) -> list[ColumnEdge]:
    """The column edges the event's SQL gives into ``outputs_without_lineage``."""
    facet = (facets or {}).get("sql")
    if not isinstance(facet, Mapping) or not outputs_without_lineage:
        return []
    query, dialect = facet.get("query"), facet.get("dialect")
    if not isinstance(query, str) or not query.strip():
        return []
    namespace = outputs_without_lineage[0].namespace
    if not isinstance(dialect, str):
        dialect = naming.SCHEME_DIALECTS.get(naming.scheme_of(namespace), FALLBACK_DIALECT)
    try:
        batch = extract_sql(query, dialect=dialect, namespace=namespace, job=job, source="sql facet")
    except ValueError:  # a dialect name the facet made up
        batch = extract_sql(query, dialect=FALLBACK_DIALECT, namespace=namespace, job=job, source="sql facet")
    known = _Matcher([*inputs, *outputs_without_lineage])
    targets = set(outputs_without_lineage)
    edges = []
    for edge in batch.edges:
        source, target = known.ref(edge.source.dataset), known.ref(edge.target.dataset)
        if source is None or target is None or target not in targets:
            continue
        t = edge.transformation
        edges.append(
            edge.model_copy(
                update={
                    "source": naming.column_ref(source, edge.source.field),
                    "target": naming.column_ref(target, edge.target.field),
                    "transformation": Transformation(
                        type=t.type, subtype=t.subtype, masking=t.masking, description=t.description or FROM_SQL
                    ),
                }
            )
        )
    return edges


class _Matcher:
    """An event's datasets, found by a table name as the SQL wrote it (its trailing parts)."""

    def __init__(self, datasets: list[DatasetRef]) -> None:
        self.by_suffix: dict[str, set[DatasetRef]] = {}
        for ref in datasets:
            parts = ref.name.lower().split(".")
            for n in range(1, len(parts) + 1):
                self.by_suffix.setdefault(".".join(parts[-n:]), set()).add(ref)

    def ref(self, written: str) -> DatasetRef | None:
        found = self.by_suffix.get(written.lower(), set())
        return next(iter(found)) if len(found) == 1 else None
