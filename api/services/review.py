"""The application service for change review: a job's new SQL (or a dbt project's new manifest)
turned into lineage by the ingest pipeline, compared by governance with what the store holds, and
answered in one JSON shape that the CLI, GraphQL, MCP and the pull-request comment all share.

Nothing here writes: the new lineage is a batch held in memory, laid over the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tagline.api.services.ingestion import SqlOptions, sql_batch
from tagline.errors import InvalidInput
from tagline.governance.policy import Policy
from tagline.governance.review.compare import DependencyChange, Review, TagChange, review
from tagline.governance.review.proposal import LineageEdge, Proposal, against_store, batch_lineage, declared_tags
from tagline.governance.review.verdict import fired
from tagline.governance.violations import Violation
from tagline.graph.model import LineageBatch, key_parts
from tagline.graph.store import GraphStore
from tagline.ingest.dbt import DEFAULT_JOB_NAMESPACE, DbtProject, extract_dbt
from tagline.ingest.dbt_artifacts import DbtCatalog, Manifest
from tagline.ingest.sql.batch import BatchBuilder


def sql_lineage(texts: Sequence[tuple[str, str]], options: SqlOptions) -> LineageBatch:
    """The lineage of a job's scripts, all of them the job's definition; a statement that cannot
    be traced makes the review meaningless, so it is bad input naming where and why."""
    merged = BatchBuilder()
    for source, text in texts:
        batch = sql_batch(text, source, options)
        if batch.failures:
            failure = batch.failures[0]
            raise InvalidInput(f"{failure.source} {failure.location}: {failure.reason}")
        merged.add(batch)
    return merged.build(statements=0)


def review_sql(
    store: GraphStore,
    after: Sequence[tuple[str, str]],
    options: SqlOptions,
    policy: Policy,
    before: Sequence[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Review a job's new SQL (``after``: source name and text); the job's lineage in the store
    is the "before" unless ``before`` gives the old scripts."""
    if options.job_name is None:
        raise InvalidInput("a review needs the job: --job (or job.name) names it")
    job = options.job_for("").key
    batch = sql_lineage(after, options)
    if before is None:
        proposal = against_store(store, batch, [job])
    else:
        proposal = Proposal(
            before=batch_lineage(sql_lineage(before, options), [job]),
            after=batch_lineage(batch, [job]),
            declared=declared_tags(batch),
        )
    return answer(review(store, proposal, policy))


@dataclass(frozen=True)
class DbtArtifacts:
    """One side of a dbt change: its manifest, and its catalog if there is one."""

    manifest: Manifest
    catalog: DbtCatalog | None = None

    def node(self, unique_id: str) -> dict[str, Any] | None:
        node = self.manifest.nodes.get(unique_id) or self.manifest.sources.get(unique_id)
        if node is None:
            return None
        table = self.catalog.table(unique_id) if self.catalog else None
        return {"node": node.model_dump(), "catalog": table.model_dump() if table else None}


def review_dbt(
    store: GraphStore,
    base: DbtArtifacts,
    head: DbtArtifacts,
    policy: Policy,
    namespace: str | None = None,
    job_namespace: str = DEFAULT_JOB_NAMESPACE,
) -> dict[str, Any]:
    """Every model whose lineage differs between two manifests, reviewed at once (models added or
    removed included); jobs are named as `ingest dbt` names them. Only the models that differ in
    the artifacts, and those reading them (a `*` takes in their columns), are traced."""
    ids = {u for side in (base, head) for u in (*side.manifest.nodes, *side.manifest.sources)}
    differ = {u for u in ids if base.node(u) != head.node(u)}
    readers = {
        u
        for side in (base, head)
        for u, node in side.manifest.nodes.items()
        if differ.intersection(node.depends_on.nodes)
    }
    traced = differ | readers

    def project(side: DbtArtifacts) -> DbtProject:
        return extract_dbt(side.manifest, side.catalog, namespace=namespace, job_namespace=job_namespace, only=traced)

    old, new = project(base), project(head)
    models_before, models_after = _models(old), _models(new)
    jobs = sorted(models_before.keys() | models_after.keys())
    before = {j: batch_lineage(models_before.get(j, LineageBatch()), [j])[j] for j in jobs}
    after = {j: batch_lineage(models_after.get(j, LineageBatch()), [j])[j] for j in jobs}
    changed = [j for j in jobs if before[j] != after[j]]
    old_tags, new_tags = declared_tags(old.datasets), declared_tags(new.datasets)
    declared = {k: tags - old_tags.get(k, frozenset()) for k, tags in new_tags.items()}
    proposal = Proposal(
        before={j: before[j] for j in changed},
        after={j: after[j] for j in changed},
        declared={k: tags for k, tags in declared.items() if tags},
    )
    return answer(review(store, proposal, policy))


def _models(project: DbtProject) -> dict[str, LineageBatch]:
    return {job.key: batch for _, batch in project.jobs for job in batch.jobs}


# ---- the answer ------------------------------------------------------------------------------
def column_ref(key: str) -> dict[str, str]:
    _, namespace, dataset, field = key_parts(key)
    return {"namespace": namespace, "dataset": dataset, "field": field}


def named_ref(key: str) -> dict[str, str]:
    """A dataset's or a job's key as ``{namespace, name}``."""
    _, namespace, name = key_parts(key)
    return {"namespace": namespace, "name": name}


def _edge(edge: LineageEdge) -> dict[str, Any]:
    return {
        "source": column_ref(edge.source),
        "target": column_ref(edge.target),
        "transformation": {"type": edge.type, "subtype": edge.subtype or None, "masking": edge.masking},
        "job": named_ref(edge.job) if edge.job else None,
    }


def _tag(change: TagChange) -> dict[str, Any]:
    return {"column": column_ref(change.column), "tag": change.tag, "path": [column_ref(c) for c in change.path]}


def _dependency(change: DependencyChange) -> dict[str, Any]:
    return {
        "job": named_ref(change.job),
        "upstream": named_ref(change.upstream),
        "datasets": [named_ref(d) for d in change.datasets],
    }


def _violation(violation: Violation) -> dict[str, Any]:
    return {
        "kind": violation.kind,
        "column": column_ref(violation.column),
        "tags": list(violation.tags),
        "message": violation.message,
    }


def answer(result: Review) -> dict[str, Any]:
    """The review as the public JSON shape (docs/guides/review.md)."""
    return {
        "edges": {"added": [_edge(e) for e in result.added], "removed": [_edge(e) for e in result.removed]},
        "tags": {"gained": [_tag(t) for t in result.gained], "lost": [_tag(t) for t in result.lost]},
        "broken": [column_ref(c) for c in result.broken],
        "downstream": {
            "columns": [column_ref(c) for c in result.downstream_columns],
            "datasets": [named_ref(d) for d in result.downstream_datasets],
            "jobs": [named_ref(j) for j in result.downstream_jobs],
        },
        "dependencies": {
            "added": [_dependency(d) for d in result.dependencies_added],
            "removed": [_dependency(d) for d in result.dependencies_removed],
        },
        "violations": {
            "created": [_violation(v) for v in result.violations_created],
            "cleared": [_violation(v) for v in result.violations_cleared],
        },
    }


def verdict(rules: list[str], found: dict[str, Any]) -> list[str]:
    """The ``--fail-on`` rules an answer trips (see governance/review/verdict.py)."""
    return fired(
        rules,
        [t["tag"] for t in found["tags"]["gained"]],
        len(found["broken"]),
        len(found["violations"]["created"]),
        len(found["dependencies"]["added"]) + len(found["dependencies"]["removed"]),
    )
