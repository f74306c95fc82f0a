"""Dependency recommendations and checks as plain JSON, for the REST route and `tagline deps --json`:
the same content as the GraphQL answers, for schedulers that do not speak GraphQL."""

from __future__ import annotations

from typing import Any

from tagline.governance.scheduling import CheckReport, Evidence
from tagline.graph.model import JobRef
from tagline.graph.records import VertexRecord


def ref_json(record: VertexRecord | JobRef) -> dict[str, str]:
    if isinstance(record, JobRef):
        return {"namespace": record.namespace, "name": record.name}
    return {"namespace": str(record.props["namespace"]), "name": str(record.props["name"])}


def evidence_json(evidence: Evidence) -> dict[str, Any]:
    return {
        **ref_json(evidence.job),
        "lastWriteAt": evidence.last_write_at,
        "datasets": [{**ref_json(d), "lastWriteAt": at} for d, at in evidence.writes],
    }


def recommendation_json(job: VertexRecord, found: list[Evidence], stale_after_days: int) -> dict[str, Any]:
    """``recommended`` are the fresh writers of the job's inputs; ``stale`` the writers not seen
    for ``staleAfterDays``, reported but not to be waited for."""
    return {
        "job": ref_json(job),
        "staleAfterDays": stale_after_days,
        "recommended": [evidence_json(e) for e in found if not e.stale],
        "stale": [evidence_json(e) for e in found if e.stale],
    }


def check_json(report: CheckReport) -> dict[str, Any]:
    return {
        "job": ref_json(report.job),
        "ok": not report.failed,
        "missing": [ref_json(r) for r in report.missing],
        "redundant": [ref_json(r) for r in report.redundant],
        "stale": [ref_json(r) for r in report.stale],
        "cycles": [[ref_json(r) for r in cycle] for cycle in report.cycles],
        "unknown": [ref_json(r) for r in report.unknown],
    }


def too_many_configured(count: int, limit: int) -> str:
    """Why a dependency check of ``count`` configured jobs is refused (the same words in REST and GraphQL)."""
    return f"{count:,} configured dependencies, over the limit of {limit:,} (TAGLINE_MAX_CONFIGURED_DEPENDENCIES)"
