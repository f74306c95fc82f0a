"""The MCP tools as a table: what an agent sees of each tool and how its answer is made.

Every tool is the same three steps (turn its arguments into GraphQL variables, ask the schema,
summarise the answer), so each is declared as data and :func:`tagline.api.mcp.server.build_mcp_server`
serves them all with one loop. A tool's ``arguments`` function is both its signature (names, types,
defaults and descriptions the agent is shown) and the hook that prepares the variables, e.g. parsing
a time before asking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from tagline.api.mcp.tool_errors import not_found
from tagline.api.services.moments import parse_moment
from tagline.graph.timefmt import iso, utcnow

Namespace = Annotated[str, Field(description='Where the dataset or job lives, e.g. "hive://warehouse" or "airflow".')]
DatasetName = Annotated[str, Field(description='The dataset (table or view), e.g. "dw.dim_customer".')]
FieldName = Annotated[str, Field(description='The column, e.g. "email".')]
OptionalField = Annotated[str | None, Field(description="The column; leave out for the whole dataset.")]
JobNamespace = Annotated[str, Field(description='The job\'s namespace, e.g. "airflow".')]
Job = Annotated[str, Field(min_length=1, description='The job, e.g. "build_orders".')]
After = Annotated[str | None, Field(description="`next_after` of the previous answer, for the next page.")]
Justification = Annotated[str | None, Field(description="Why, for the audit log.")]
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

COLUMN = "namespace dataset field"
EDGE = f"""source {{ {COLUMN} }} target {{ {COLUMN} }} expression job {{ namespace name }}
           transformation {{ type subtype masking description }}"""

Variables = dict[str, Any]
Summariser = Callable[[Any, dict[str, Any], Variables], tuple[Any, str]]
"""(the answer's root field, the tool's arguments, the variables asked with) -> (data, summary)."""


@dataclass(frozen=True)
class McpTool:
    """One tool: its name, description and arguments as the agent sees them, and how it is answered."""

    name: str
    description: str
    arguments: Callable[..., Variables]
    document: str
    root: str
    summarise: Summariser
    hint: str
    """How to ask for less when the answer is cut to the size budget."""
    changes_tags: bool = False
    """Served only by the server that may change tags; the others are marked read-only."""

    @property
    def annotations(self) -> ToolAnnotations | None:
        return None if self.changes_tags else READ_ONLY


class JobName(BaseModel):
    """A configured dependency: a job name, in the checked job's namespace unless one is given."""

    name: str = Field(min_length=1, description='The job, e.g. "sync_orders".')
    namespace: str | None = Field(None, description="Its namespace, when not the checked job's.")


class ColumnName(BaseModel):
    """A column by namespace, dataset and field."""

    namespace: str = Field(min_length=1, description='e.g. "redshift://analytics.eu-west-1:5439".')
    dataset: str = Field(min_length=1, description='e.g. "marts.revenue_by_country_month".')
    field: str = Field(min_length=1, description='e.g. "order_count".')


# ---- search ---------------------------------------------------------------------------------------
def _search_arguments(
    query: Annotated[str, Field(min_length=1, description='Part of a name, e.g. "customer" or "dim_customer.email".')],
    kind: Annotated[Literal["dataset", "column", "job"] | None, Field(description="Only this kind.")] = None,
    limit: Annotated[int, Field(ge=1, le=100, description="Most hits to return.")] = 20,
    after: After = None,
) -> Variables:
    return {"q": query, "kinds": [kind.upper()] if kind else None, "first": limit, "after": after}


def _search_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    hits = [e["node"] for e in found["edges"]]
    page = found["pageInfo"]
    data = {
        "hits": hits,
        "total": found["totalCount"],
        "has_more": page["hasNextPage"],
        "next_after": page["endCursor"] if page["hasNextPage"] else None,
    }
    names = ", ".join(_hit_name(h) for h in hits[:5]) or "nothing"
    return data, f"{found['totalCount']} matches for {args['query']!r}: {names}."


def _hit_name(hit: dict[str, Any]) -> str:
    name = f"{hit['namespace']}/{hit['name']}"
    return f"{name}.{hit['field']}" if hit.get("field") else name


# ---- lineage --------------------------------------------------------------------------------------
def _lineage_arguments(
    namespace: Namespace,
    dataset: DatasetName,
    field: OptionalField = None,
    direction: Annotated[
        Literal["upstream", "downstream", "both"],
        Field(description="upstream: where it comes from; downstream: where it goes."),
    ] = "upstream",
    depth: Annotated[int, Field(ge=1, le=20, description="Hops to follow.")] = 3,
    direct_only: Annotated[
        bool, Field(description="Follow only edges that carry the value (no joins or filters).")
    ] = False,
    max_nodes: Annotated[int, Field(ge=1, le=2000, description="Most columns to return.")] = 200,
    as_of: Annotated[
        str | None,
        Field(description='Lineage as it was then: "2026-05-01T00:00:00Z" or a span back ("30d"); default now.'),
    ] = None,
) -> Variables:
    moment = iso(parse_moment(as_of, utcnow(), "as_of")) if as_of is not None else None
    return {
        "ns": namespace,
        "ds": dataset,
        "f": field,
        "dir": direction.upper(),
        "depth": depth,
        "max": max_nodes,
        "direct": direct_only,
        "asOf": moment,
    }


def _lineage_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    start = f"{args['namespace']}/{args['dataset']}" + (f".{args['field']}" if args["field"] else "")
    summary = (
        f"{len(found['nodes'])} columns and {len(found['edges'])} lineage edges {args['direction']} of {start} "
        f"within {args['depth']} hops" + (" (cut at max_nodes)" if found["truncated"] else "") + "."
    )
    return found, summary


def _changes_arguments(
    since: Annotated[str, Field(description='From when: "7d", "12h" or "2026-05-01T00:00:00Z".')] = "7d",
    until: Annotated[str | None, Field(description="Until when (same forms); default now.")] = None,
    namespace: Annotated[str | None, Field(description="Only edges touching this namespace.")] = None,
    dataset: Annotated[str | None, Field(description="Only edges touching this dataset (needs namespace).")] = None,
    limit: Annotated[int, Field(ge=1, le=500, description="Most edges of each kind to return.")] = 100,
    after: After = None,
) -> Variables:
    now = utcnow()
    start = parse_moment(since, now, "since")
    end = parse_moment(until, now, "until") if until is not None else now
    return {"from": iso(start), "to": iso(end), "ns": namespace, "ds": dataset, "first": limit, "after": after}


def _changes_summary(found: Any, _: dict[str, Any], variables: Variables) -> tuple[Any, str]:
    page = found.pop("pageInfo")
    found["next_after"] = page["endCursor"] if page["hasNextPage"] else None
    summary = (
        f"From {variables['from']} to {variables['to']}: {found['addedCount']} lineage edges added, "
        f"{found['removedCount']} removed."
    )
    return found, summary


# ---- tags and impact ------------------------------------------------------------------------------
def _column_arguments(namespace: Namespace, dataset: DatasetName, field: FieldName) -> Variables:
    return {"ns": namespace, "ds": dataset, "f": field}


def _explain_summary(column: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    namespace, dataset, field = args["namespace"], args["dataset"], args["field"]
    if column is None:
        raise not_found(f"no column {namespace}/{dataset}.{field}: use `search` to find its exact name")
    tags = ", ".join(f"{t['name']} ({t['origin'].lower()}{', masked' if t['masked'] else ''})" for t in column["tags"])
    summary = f"{dataset}.{field} is {column['sensitivity'] or 'unclassified'}" + (
        f"; tags: {tags}." if tags else "; it carries no tags."
    )
    return column, summary


def _impact_arguments(
    namespace: Namespace,
    dataset: DatasetName,
    field: OptionalField = None,
    depth: Annotated[int, Field(ge=1, le=20, description="Hops downstream to follow.")] = 5,
) -> Variables:
    return {"ns": namespace, "ds": dataset, "f": field, "depth": depth}


def _impact_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    tags = ", ".join(t["name"] for t in found["tags"]) or "none"
    summary = (
        f"A change reaches {len(found['columns'])} columns in {len(found['datasets'])} datasets and "
        f"{len(found['jobs'])} jobs within {args['depth']} hops; tags at risk: {tags}."
    )
    return found, summary


def _violations_arguments(
    tag: Annotated[
        str | None, Field(description='Only those about this tag or its family ("pii" covers "pii.email").')
    ] = None,
    limit: Annotated[int, Field(ge=1, le=500, description="Most violations to return.")] = 100,
) -> Variables:
    return {"first": limit, "tag": tag}


def _violations_summary(violations: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    tag = args["tag"]
    return {"violations": violations}, f"{len(violations)} sensitivity violations" + (f" about {tag}." if tag else ".")


def _declare_arguments(
    namespace: Namespace,
    dataset: DatasetName,
    field: FieldName,
    tag: Annotated[str, Field(min_length=1, description='The tag, e.g. "pii.email" or "restricted".')],
    justification: Justification = None,
) -> Variables:
    return _tag_change(namespace, dataset, field, tag, justification)


def _remove_arguments(
    namespace: Namespace,
    dataset: DatasetName,
    field: FieldName,
    tag: Annotated[str, Field(min_length=1, description="The declared tag to remove.")],
    justification: Justification = None,
) -> Variables:
    return _tag_change(namespace, dataset, field, tag, justification)


def _tag_change(namespace: str, dataset: str, field: str, tag: str, justification: str | None) -> Variables:
    return {"c": {"namespace": namespace, "dataset": dataset, "field": field}, "tag": tag, "why": justification}


def _tag_changed(done: str) -> Summariser:
    def summarise(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
        what = f"{args['tag']} {done} {args['dataset']}.{args['field']}"
        return found, f"{what}; it is now {found['sensitivity'] or 'unclassified'}."

    return summarise


def _tag_mutation(op: str) -> str:
    return (
        f"mutation($c: ColumnRefInput!, $tag: String!, $why: String) {{ {op}(column: $c, tag: $tag, "
        f"justification: $why) {{ {COLUMN} sensitivity tags {{ name origin }} }} }}"
    )


def _compare_arguments(
    a: Annotated[ColumnName, Field(description="The first column.")],
    b: Annotated[ColumnName, Field(description="The second column.")],
    depth: Annotated[int, Field(ge=1, le=20, description="Hops upstream to compare.")] = 3,
) -> Variables:
    return {"a": a.model_dump(), "b": b.model_dump(), "depth": depth}


def _compare_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    differing = [s for s in found["shared"] if s["differs"]]
    verdict = "are computed the same way" if found["same"] else "are computed differently"
    summary = (
        f"{found['a']['dataset']}.{found['a']['field']} and {found['b']['dataset']}.{found['b']['field']} {verdict} "
        f"within {args['depth']} hops: {len(found['shared'])} shared sources ({len(differing)} reached differently), "
        f"{len(found['onlyA'])} only in a, {len(found['onlyB'])} only in b."
    )
    if differing:
        first = differing[0]
        summary += f" From {first['source']['dataset']}.{first['source']['field']}, {first['difference']}."
    return found, summary


# ---- dependencies and health ----------------------------------------------------------------------
def _recommend_arguments(namespace: JobNamespace, job: Job) -> Variables:
    return {"ns": namespace, "job": job}


def _recommend_summary(recommended: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    names = ", ".join(r["job"]["name"] + (" (stale)" if r["stale"] else "") for r in recommended) or "no job"
    data = {"job": {"namespace": args["namespace"], "name": args["job"]}, "recommended": recommended}
    return data, f"{args['job']} should wait for {names}."


def _check_arguments(
    namespace: JobNamespace,
    job: Job,
    configured: Annotated[list[JobName], Field(description="The dependencies the scheduler has configured.")],
) -> Variables:
    refs = [{"namespace": c.namespace or namespace, "name": c.name} for c in configured]
    return {"ns": namespace, "job": job, "c": refs}


def _check_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    problems = [
        f"{kind}: {', '.join(j['name'] for j in found[kind])}"
        for kind in ("missing", "redundant", "stale", "unknown")
        if found[kind]
    ]
    problems += [f"cycle: {' -> '.join(j['name'] for j in cycle)}" for cycle in found["cycles"]]
    verdict = "right." if found["ok"] else "wrong: " + "; ".join(problems) + "."
    return found, f"{args['job']}'s dependencies are {verdict}"


def _health_arguments(
    days: Annotated[int, Field(ge=1, le=3650, description="The window, in days.")] = 30,
) -> Variables:
    return {"days": days}


def _health_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    summary = (
        f"Over {args['days']} days: {len(found['orphans'])} orphans, {len(found['zombies'])} zombies, "
        f"{len(found['unused'])} unused datasets, {len(found['unusedColumns'])} unused columns, "
        f"{len(found['deprecationCandidates'])} deprecation candidates, "
        f"{len(found['redundantJobs'])} redundant jobs."
    )
    return found, summary


# ---- change review --------------------------------------------------------------------------------
def _review_arguments(
    namespace: JobNamespace,
    job: Job,
    sql: Annotated[str, Field(min_length=1, description="The job's whole new SQL.")],
    dialect: Annotated[str | None, Field(description='Its SQL dialect, e.g. "hive", "trino" (default: ansi).')] = None,
    dataset_namespace: Annotated[
        str, Field(description='Namespace of the datasets the SQL names, e.g. "hive://warehouse".')
    ] = "default",
) -> Variables:
    return {"job": {"namespace": namespace, "name": job}, "sql": sql, "dialect": dialect, "ns": dataset_namespace}


def _review_summary(found: Any, args: dict[str, Any], _: Variables) -> tuple[Any, str]:
    gained = ", ".join(
        f"{t['column']['dataset']}.{t['column']['field']} gains {t['tag']}" for t in found["tags"]["gained"]
    )
    broken = ", ".join(f"{c['dataset']}.{c['field']}" for c in found["broken"])
    summary = (
        f"The change to {args['job']} adds {len(found['edges']['added'])} column edges and removes "
        f"{len(found['edges']['removed'])}; tags: {gained or 'none gained'}; broken: {broken or 'none'}; "
        f"{len(found['dependencies']['added']) + len(found['dependencies']['removed'])} dependencies changed, "
        f"{len(found['violations']['created'])} violations created."
    )
    return found, summary


_REVIEW_EDGE = (
    f"source {{ {COLUMN} }} target {{ {COLUMN} }} transformation {{ type subtype masking }} job {{ namespace name }}"
)
_REVIEW_TAG = f"column {{ {COLUMN} }} tag path {{ {COLUMN} }}"
_REVIEW_DEPENDENCY = "job { namespace name } upstream { namespace name } datasets { namespace name }"
_REVIEW_VIOLATION = f"kind column {{ {COLUMN} }} tags message"


_DATASET = "dataset { namespace name }"
SMALLER_PAGE = "ask with a smaller limit and page with `after`"

TOOLS: tuple[McpTool, ...] = (
    McpTool(
        name="search",
        description=(
            "Find datasets, columns and jobs by name (any case): exact names first, then prefixes, then words, "
            'then substrings. Example: search(query="email", kind="column").'
        ),
        arguments=_search_arguments,
        document="""query($q: String!, $kinds: [EntityKind!], $first: Int!, $after: String) {
            search(query: $q, kinds: $kinds, first: $first, after: $after) {
              totalCount pageInfo { hasNextPage endCursor } edges { node { kind namespace name field } } } }""",
        root="search",
        summarise=_search_summary,
        hint=SMALLER_PAGE,
    ),
    McpTool(
        name="get_lineage",
        description=(
            "Column-level lineage of a column (or of every column of a dataset when `field` is left out): each edge "
            "with its transformation (DIRECT/INDIRECT, subtype such as IDENTITY or AGGREGATION, masking), the SQL "
            "expression and the job; current lineage, or as it was `as_of` a moment. Example: "
            'get_lineage(namespace="hive://warehouse", dataset="dw.dim_customer", field="email", direction="upstream", '
            "depth=3)."
        ),
        arguments=_lineage_arguments,
        document=f"""query($ns: String!, $ds: String!, $f: String, $dir: Direction!, $depth: Int!,
                                          $max: Int!, $direct: Boolean!, $asOf: DateTime) {{
            lineage(namespace: $ns, dataset: $ds, field: $f, direction: $dir, depth: $depth, maxNodes: $max,
                    directOnly: $direct, asOf: $asOf) {{ truncated nodes {{ {COLUMN} sensitivity }} edges {{ {EDGE} }} }} }}""",
        root="lineage",
        summarise=_lineage_summary,
        hint="ask with a smaller depth or max_nodes",
    ),
    McpTool(
        name="lineage_changes",
        description=(
            "Column lineage that changed between two moments (event time): edges added and edges removed because "
            "a job's newer report (new SQL, a new OpenLineage run, a new dbt manifest) no longer holds them. "
            '`since`/`until` are ISO-8601 times or spans back from now ("7d", "12h"). '
            'Example: lineage_changes(since="7d", namespace="hive://warehouse", dataset="dw.dim_customer").'
        ),
        arguments=_changes_arguments,
        document=f"""query($from: DateTime!, $to: DateTime!, $ns: String, $ds: String, $first: Int!, $after: String) {{
            lineageDiff(from: $from, to: $to, namespace: $ns, dataset: $ds, first: $first, after: $after) {{
              addedCount removedCount pageInfo {{ hasNextPage endCursor }}
              added {{ {EDGE} validFrom validTo }} removed {{ {EDGE} validFrom validTo }} }} }}""",
        root="lineageDiff",
        summarise=_changes_summary,
        hint=SMALLER_PAGE,
    ),
    McpTool(
        name="explain_tags",
        description=(
            "A column's sensitivity and tags, declared or inherited, with every path a tag took to reach it "
            '(why it carries it). Example: explain_tags(namespace="hive://warehouse", dataset="mart.contacts", field="email").'
        ),
        arguments=_column_arguments,
        document=f"""query($ns: String!, $ds: String!, $f: String!) {{
            column(namespace: $ns, dataset: $ds, field: $f) {{ {COLUMN} sensitivity tags {{ name origin masked
              sources {{ complete column {{ {COLUMN} }} path {{ {EDGE} }} }} }} }} }}""",
        root="column",
        summarise=_explain_summary,
        hint="ask get_lineage for the paths, with a smaller depth",
    ),
    McpTool(
        name="impact",
        description=(
            "What a change to a column (or to a whole dataset when `field` is left out) would reach downstream: "
            "columns, datasets, the jobs to notify, and the tags that flow through. "
            'Example: impact(namespace="mysql://orders-db:3306", dataset="shop.customers", field="email").'
        ),
        arguments=_impact_arguments,
        document=f"""query($ns: String!, $ds: String!, $f: String, $depth: Int!) {{
            impact(namespace: $ns, dataset: $ds, field: $f, depth: $depth) {{ truncated sensitivity
              columns {{ depth column {{ {COLUMN} }} }} datasets {{ depth dataset {{ namespace name }} }}
              jobs {{ job {{ namespace name }} writes {{ namespace name }} reads {{ namespace name }} }}
              tags {{ name columns unmaskedColumns }} }} }}""",
        root="impact",
        summarise=_impact_summary,
        hint="ask with a smaller depth",
    ),
    McpTool(
        name="compare_lineage",
        description=(
            "Whether two columns (often of the same name) are computed the same way: the upstream sources both "
            "have, those only one has, and for each shared source the path to each column with where the "
            'transformations differ. Example: compare_lineage(a={"namespace": "redshift://analytics.eu-west-1:5439", '
            '"dataset": "marts.revenue_by_country_month", "field": "order_count"}, b={"namespace": '
            '"redshift://analytics.eu-west-1:5439", "dataset": "marts.customer_lifetime_value", "field": "order_count"}).'
        ),
        arguments=_compare_arguments,
        document=f"""query($a: ColumnRefInput!, $b: ColumnRefInput!, $depth: Int!) {{
            compareLineage(a: $a, b: $b, depth: $depth) {{ same complete a {{ {COLUMN} }} b {{ {COLUMN} }}
              onlyA {{ {COLUMN} }} onlyB {{ {COLUMN} }}
              shared {{ source {{ {COLUMN} }} differs difference pathA {{ {EDGE} }} pathB {{ {EDGE} }} }} }} }}""",
        root="compareLineage",
        summarise=_compare_summary,
        hint="ask with a smaller depth",
    ),
    McpTool(
        name="recommend_dependencies",
        description=(
            "The jobs a job must wait for: every job that writes a dataset it reads, with the datasets and the last "
            'write; stale writers flagged. Example: recommend_dependencies(namespace="airflow", job="build_orders").'
        ),
        arguments=_recommend_arguments,
        document="""query($ns: String!, $job: String!) { recommendDependencies(namespace: $ns, name: $job) {
            job { namespace name } datasets { namespace name } lastWriteAt stale } }""",
        root="recommendDependencies",
        summarise=_recommend_summary,
        hint="ask about fewer jobs",
    ),
    McpTool(
        name="check_dependencies",
        description=(
            "Compare a job's configured dependencies with what lineage says it reads: missing, redundant and stale "
            'ones, cycles, unknown jobs. Example: check_dependencies(namespace="airflow", job="build_orders", '
            'configured=[{"name": "sync_orders"}, {"name": "send_emails"}]).'
        ),
        arguments=_check_arguments,
        document="""query($ns: String!, $job: String!, $c: [JobRefInput!]!) {
            checkDependencies(namespace: $ns, name: $job, configured: $c) { ok missing { namespace name }
              redundant { namespace name } stale { namespace name } cycles { namespace name } unknown { namespace name } } }""",
        root="checkDependencies",
        summarise=_check_summary,
        hint="check fewer configured jobs at once",
    ),
    McpTool(
        name="lineage_health",
        description=(
            "Lineage health over a window: orphan datasets (nothing writes them), zombies (not written lately), "
            "unused datasets and columns, deprecation candidates, and redundant jobs (their outputs have the same "
            "column lineage as another job's). Example: lineage_health(days=30)."
        ),
        arguments=_health_arguments,
        document=f"""query($days: Int) {{ health(days: $days) {{ days cutoff
            orphans {{ {_DATASET} }} zombies {{ {_DATASET} lastWriteAt }} unused {{ {_DATASET} lastReadAt }}
            unusedColumns {{ column {{ {COLUMN} }} }} deprecationCandidates {{ {_DATASET} }}
            redundantJobs {{ job {{ namespace name }} sameAs {{ namespace name }} identical
              outputs {{ column {{ {COLUMN} }} sameAs {{ {COLUMN} }} }} }} }} }}""",
        root="health",
        summarise=_health_summary,
        hint="ask with a shorter window",
    ),
    McpTool(
        name="sensitivity_violations",
        description=(
            "Columns declared less sensitive than what flows into them, and sinks receiving restricted or PII data. "
            'Example: sensitivity_violations(tag="pii").'
        ),
        arguments=_violations_arguments,
        document=f"""query($first: Int!, $tag: String) {{ sensitivityViolations(first: $first, tag: $tag) {{
            kind message declaredLevel inheritedLevel tags column {{ {COLUMN} }} }} }}""",
        root="sensitivityViolations",
        summarise=_violations_summary,
        hint="ask with a smaller limit or a tag",
    ),
    McpTool(
        name="review_change",
        description=(
            "What a job's new SQL would do before it runs (nothing is written): column edges added and removed, tags "
            "gained and lost with their paths, downstream columns left without a source, scheduling dependencies and "
            'violations changed. Example: review_change(namespace="airflow", job="build_orders", sql="INSERT INTO ...", '
            'dialect="hive", dataset_namespace="hive://warehouse").'
        ),
        arguments=_review_arguments,
        document=f"""query($job: JobRefInput!, $sql: String!, $dialect: String, $ns: String!) {{
            previewChange(job: $job, sql: $sql, dialect: $dialect, namespace: $ns) {{
              edges {{ added {{ {_REVIEW_EDGE} }} removed {{ {_REVIEW_EDGE} }} }}
              tags {{ gained {{ {_REVIEW_TAG} }} lost {{ {_REVIEW_TAG} }} }}
              broken {{ {COLUMN} }}
              downstream {{ columns {{ {COLUMN} }} datasets {{ namespace name }} jobs {{ namespace name }} }}
              dependencies {{ added {{ {_REVIEW_DEPENDENCY} }} removed {{ {_REVIEW_DEPENDENCY} }} }}
              violations {{ created {{ {_REVIEW_VIOLATION} }} cleared {{ {_REVIEW_VIOLATION} }} }} }} }}""",
        root="previewChange",
        summarise=_review_summary,
        hint="review a smaller change",
    ),
    McpTool(
        name="declare_tag",
        description=(
            "Declare a sensitivity tag on a column (stewards only); it propagates downstream at once. "
            'Example: declare_tag(namespace="mysql://orders-db:3306", dataset="shop.customers", field="email", '
            'tag="pii.email", justification="contact data").'
        ),
        arguments=_declare_arguments,
        document=_tag_mutation("declareTag"),
        root="declareTag",
        summarise=_tag_changed("declared on"),
        hint="",
        changes_tags=True,
    ),
    McpTool(
        name="remove_tag",
        description=(
            "Remove a declared tag from a column (stewards only); it is withdrawn downstream where no other path "
            'supports it. Example: remove_tag(namespace="mysql://orders-db:3306", dataset="shop.customers", '
            'field="email", tag="pii.email").'
        ),
        arguments=_remove_arguments,
        document=_tag_mutation("removeTag"),
        root="removeTag",
        summarise=_tag_changed("removed from"),
        hint="",
        changes_tags=True,
    ),
)
