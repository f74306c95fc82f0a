"""Tagline's MCP server: lineage, tags and dependencies as tools an AI agent can call.

Each tool asks the GraphQL schema (:mod:`tagline.api.mcp.gateway`) as the caller, so an agent
gets the same answers, limits and role checks as any other client. Two servers are built: one with
the read tools, one that adds the tag-changing tools; an HTTP caller reaches the second only with
a role that may govern, so other roles never see those tools listed (``api/mcp/http.py``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field
from starlette.requests import Request

from tagline import __version__
from tagline.api.auth import LOCAL, Identity, identity_of
from tagline.api.mcp.answers import answer
from tagline.api.mcp.gateway import AskError, GraphQLGateway
from tagline.api.mcp.tool_errors import TaglineMCPServer, not_found, tool_error
from tagline.api.services.moments import parse_moment
from tagline.errors import InvalidInput
from tagline.graph.timefmt import iso, utcnow

INSTRUCTIONS = """Tagline answers column-level lineage questions about a data warehouse: where a column comes
from (upstream) and where it goes (downstream), which sensitivity tags (pii, restricted...) a column
carries and why, what a change would break, and which jobs a job must wait for. Start with `search`
to find exact names; datasets are named by namespace (e.g. "hive://warehouse") and name (e.g.
"dw.dim_customer"). Answers are cut to a size budget: when `truncated` is true, `next` says how to
ask for the rest."""

Namespace = Annotated[str, Field(description='Where the dataset or job lives, e.g. "hive://warehouse" or "airflow".')]
DatasetName = Annotated[str, Field(description='The dataset (table or view), e.g. "dw.dim_customer".')]
FieldName = Annotated[str, Field(description='The column, e.g. "email".')]
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

COLUMN = "namespace dataset field"
EDGE = f"""source {{ {COLUMN} }} target {{ {COLUMN} }} expression job {{ namespace name }}
           transformation {{ type subtype masking description }}"""


class JobName(BaseModel):
    """A configured dependency: a job name, in the checked job's namespace unless one is given."""

    name: str = Field(min_length=1, description='The job, e.g. "sync_orders".')
    namespace: str | None = Field(None, description="Its namespace, when not the checked job's.")


def caller(ctx: Context) -> Identity:
    """Who is asking: the API key's identity over HTTP; the local user over stdio."""
    request = ctx.request_context.request
    found = identity_of(request.scope) if isinstance(request, Request) else None
    return found or LOCAL


def build_mcp_server(gateway: GraphQLGateway, max_chars: int, with_tag_changes: bool) -> MCPServer:
    server = TaglineMCPServer(
        name="tagline", title="Tagline lineage", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )

    async def ask(ctx: Context, document: str, **variables: Any) -> dict[str, Any]:
        try:
            return await gateway.ask(document, variables, caller(ctx))
        except AskError as exc:
            raise tool_error(exc.code, str(exc)) from exc

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "Find datasets, columns and jobs by name (any case): exact names first, then prefixes, then words, "
            'then substrings. Example: search(query="email", kind="column").'
        ),
    )
    async def search(
        ctx: Context,
        query: Annotated[
            str, Field(min_length=1, description='Part of a name, e.g. "customer" or "dim_customer.email".')
        ],
        kind: Annotated[Literal["dataset", "column", "job"] | None, Field(description="Only this kind.")] = None,
        limit: Annotated[int, Field(ge=1, le=100, description="Most hits to return.")] = 20,
        after: Annotated[
            str | None, Field(description="`next_after` of the previous answer, for the next page.")
        ] = None,
    ) -> CallToolResult:
        found = (
            await ask(
                ctx,
                """query($q: String!, $kinds: [EntityKind!], $first: Int!, $after: String) {
            search(query: $q, kinds: $kinds, first: $first, after: $after) {
              totalCount pageInfo { hasNextPage endCursor } edges { node { kind namespace name field } } } }""",
                q=query,
                kinds=[kind.upper()] if kind else None,
                first=limit,
                after=after,
            )
        )["search"]
        hits = [e["node"] for e in found["edges"]]
        data = {
            "hits": hits,
            "total": found["totalCount"],
            "has_more": found["pageInfo"]["hasNextPage"],
            "next_after": found["pageInfo"]["endCursor"] if found["pageInfo"]["hasNextPage"] else None,
        }
        names = ", ".join(_hit_name(h) for h in hits[:5]) or "nothing"
        return answer(
            data,
            f"{found['totalCount']} matches for {query!r}: {names}.",
            max_chars,
            "ask with a smaller limit and page with `after`",
        )

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "Column-level lineage of a column (or of every column of a dataset when `field` is left out): each edge "
            "with its transformation (DIRECT/INDIRECT, subtype such as IDENTITY or AGGREGATION, masking), the SQL "
            "expression and the job; current lineage, or as it was `as_of` a moment. Example: "
            'get_lineage(namespace="hive://warehouse", dataset="dw.dim_customer", field="email", direction="upstream", '
            "depth=3)."
        ),
    )
    async def get_lineage(
        ctx: Context,
        namespace: Namespace,
        dataset: DatasetName,
        field: Annotated[str | None, Field(description="The column; leave out for the whole dataset.")] = None,
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
    ) -> CallToolResult:
        try:
            moment = iso(parse_moment(as_of, utcnow(), "as_of")) if as_of is not None else None
        except InvalidInput as exc:
            raise tool_error(InvalidInput.code, str(exc)) from exc
        found = (
            await ask(
                ctx,
                f"""query($ns: String!, $ds: String!, $f: String, $dir: Direction!, $depth: Int!,
                                          $max: Int!, $direct: Boolean!, $asOf: DateTime) {{
            lineage(namespace: $ns, dataset: $ds, field: $f, direction: $dir, depth: $depth, maxNodes: $max,
                    directOnly: $direct, asOf: $asOf) {{ truncated nodes {{ {COLUMN} sensitivity }} edges {{ {EDGE} }} }} }}""",
                ns=namespace,
                ds=dataset,
                f=field,
                dir=direction.upper(),
                depth=depth,
                max=max_nodes,
                direct=direct_only,
                asOf=moment,
            )
        )["lineage"]
        start = f"{namespace}/{dataset}" + (f".{field}" if field else "")
        summary = (
            f"{len(found['nodes'])} columns and {len(found['edges'])} lineage edges {direction} of {start} "
            f"within {depth} hops" + (" (cut at max_nodes)" if found["truncated"] else "") + "."
        )
        return answer(found, summary, max_chars, "ask with a smaller depth or max_nodes")

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "Column lineage that changed between two moments (event time): edges added and edges removed because "
            "a job's newer report (new SQL, a new OpenLineage run, a new dbt manifest) no longer holds them. "
            '`since`/`until` are ISO-8601 times or spans back from now ("7d", "12h"). '
            'Example: lineage_changes(since="7d", namespace="hive://warehouse", dataset="dw.dim_customer").'
        ),
    )
    async def lineage_changes(
        ctx: Context,
        since: Annotated[str, Field(description='From when: "7d", "12h" or "2026-05-01T00:00:00Z".')] = "7d",
        until: Annotated[str | None, Field(description="Until when (same forms); default now.")] = None,
        namespace: Annotated[str | None, Field(description="Only edges touching this namespace.")] = None,
        dataset: Annotated[str | None, Field(description="Only edges touching this dataset (needs namespace).")] = None,
        limit: Annotated[int, Field(ge=1, le=500, description="Most edges of each kind to return.")] = 100,
        after: Annotated[
            str | None, Field(description="`next_after` of the previous answer, for the next page.")
        ] = None,
    ) -> CallToolResult:
        now = utcnow()
        try:
            start = parse_moment(since, now, "since")
            end = parse_moment(until, now, "until") if until is not None else now
        except InvalidInput as exc:
            raise tool_error(InvalidInput.code, str(exc)) from exc
        found = (
            await ask(
                ctx,
                f"""query($from: DateTime!, $to: DateTime!, $ns: String, $ds: String, $first: Int!, $after: String) {{
            lineageDiff(from: $from, to: $to, namespace: $ns, dataset: $ds, first: $first, after: $after) {{
              addedCount removedCount pageInfo {{ hasNextPage endCursor }}
              added {{ {EDGE} validFrom validTo }} removed {{ {EDGE} validFrom validTo }} }} }}""",
                **{"from": iso(start), "to": iso(end)},
                ns=namespace,
                ds=dataset,
                first=limit,
                after=after,
            )
        )["lineageDiff"]
        page = found.pop("pageInfo")
        found["next_after"] = page["endCursor"] if page["hasNextPage"] else None
        summary = (
            f"From {iso(start)} to {iso(end)}: {found['addedCount']} lineage edges added, "
            f"{found['removedCount']} removed."
        )
        return answer(found, summary, max_chars, "ask with a smaller limit and page with `after`")

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "A column's sensitivity and tags, declared or inherited, with every path a tag took to reach it "
            '(why it carries it). Example: explain_tags(namespace="hive://warehouse", dataset="mart.contacts", field="email").'
        ),
    )
    async def explain_tags(
        ctx: Context, namespace: Namespace, dataset: DatasetName, field: FieldName
    ) -> CallToolResult:
        column = (
            await ask(
                ctx,
                f"""query($ns: String!, $ds: String!, $f: String!) {{
            column(namespace: $ns, dataset: $ds, field: $f) {{ {COLUMN} sensitivity tags {{ name origin masked
              sources {{ complete column {{ {COLUMN} }} path {{ {EDGE} }} }} }} }} }}""",
                ns=namespace,
                ds=dataset,
                f=field,
            )
        )["column"]
        if column is None:
            raise not_found(f"no column {namespace}/{dataset}.{field}: use `search` to find its exact name")
        tags = ", ".join(
            f"{t['name']} ({t['origin'].lower()}{', masked' if t['masked'] else ''})" for t in column["tags"]
        )
        summary = f"{dataset}.{field} is {column['sensitivity'] or 'unclassified'}" + (
            f"; tags: {tags}." if tags else "; it carries no tags."
        )
        return answer(column, summary, max_chars, "ask get_lineage for the paths, with a smaller depth")

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "What a change to a column (or to a whole dataset when `field` is left out) would reach downstream: "
            "columns, datasets, the jobs to notify, and the tags that flow through. "
            'Example: impact(namespace="mysql://orders-db:3306", dataset="shop.customers", field="email").'
        ),
    )
    async def impact(
        ctx: Context,
        namespace: Namespace,
        dataset: DatasetName,
        field: Annotated[str | None, Field(description="The column; leave out for the whole dataset.")] = None,
        depth: Annotated[int, Field(ge=1, le=20, description="Hops downstream to follow.")] = 5,
    ) -> CallToolResult:
        found = (
            await ask(
                ctx,
                f"""query($ns: String!, $ds: String!, $f: String, $depth: Int!) {{
            impact(namespace: $ns, dataset: $ds, field: $f, depth: $depth) {{ truncated sensitivity
              columns {{ depth column {{ {COLUMN} }} }} datasets {{ depth dataset {{ namespace name }} }}
              jobs {{ job {{ namespace name }} writes {{ namespace name }} reads {{ namespace name }} }}
              tags {{ name columns unmaskedColumns }} }} }}""",
                ns=namespace,
                ds=dataset,
                f=field,
                depth=depth,
            )
        )["impact"]
        tags = ", ".join(t["name"] for t in found["tags"]) or "none"
        summary = (
            f"A change reaches {len(found['columns'])} columns in {len(found['datasets'])} datasets and "
            f"{len(found['jobs'])} jobs within {depth} hops; tags at risk: {tags}."
        )
        return answer(found, summary, max_chars, "ask with a smaller depth")

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "The jobs a job must wait for: every job that writes a dataset it reads, with the datasets and the last "
            'write; stale writers flagged. Example: recommend_dependencies(namespace="airflow", job="build_orders").'
        ),
    )
    async def recommend_dependencies(
        ctx: Context,
        namespace: Annotated[str, Field(description='The job\'s namespace, e.g. "airflow".')],
        job: Annotated[str, Field(min_length=1, description='The job, e.g. "build_orders".')],
    ) -> CallToolResult:
        found = await ask(
            ctx,
            """query($ns: String!, $job: String!) { recommendDependencies(namespace: $ns, name: $job) {
            job { namespace name } datasets { namespace name } lastWriteAt stale } }""",
            ns=namespace,
            job=job,
        )
        recommended = found["recommendDependencies"]
        names = ", ".join(r["job"]["name"] + (" (stale)" if r["stale"] else "") for r in recommended) or "no job"
        return answer(
            {"job": {"namespace": namespace, "name": job}, "recommended": recommended},
            f"{job} should wait for {names}.",
            max_chars,
            "ask about fewer jobs",
        )

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "Compare a job's configured dependencies with what lineage says it reads: missing, redundant and stale "
            'ones, cycles, unknown jobs. Example: check_dependencies(namespace="airflow", job="build_orders", '
            'configured=[{"name": "sync_orders"}, {"name": "send_emails"}]).'
        ),
    )
    async def check_dependencies(
        ctx: Context,
        namespace: Annotated[str, Field(description='The job\'s namespace, e.g. "airflow".')],
        job: Annotated[str, Field(min_length=1, description='The job, e.g. "build_orders".')],
        configured: Annotated[list[JobName], Field(description="The dependencies the scheduler has configured.")],
    ) -> CallToolResult:
        refs = [{"namespace": c.namespace or namespace, "name": c.name} for c in configured]
        found = (
            await ask(
                ctx,
                """query($ns: String!, $job: String!, $c: [JobRefInput!]!) {
            checkDependencies(namespace: $ns, name: $job, configured: $c) { ok missing { namespace name }
              redundant { namespace name } stale { namespace name } cycles { namespace name } unknown { namespace name } } }""",
                ns=namespace,
                job=job,
                c=refs,
            )
        )["checkDependencies"]
        problems = [
            f"{kind}: {', '.join(j['name'] for j in found[kind])}"
            for kind in ("missing", "redundant", "stale", "unknown")
            if found[kind]
        ]
        problems += [f"cycle: {' -> '.join(j['name'] for j in cycle)}" for cycle in found["cycles"]]
        summary = f"{job}'s dependencies are " + ("right." if found["ok"] else "wrong: " + "; ".join(problems) + ".")
        return answer(found, summary, max_chars, "check fewer configured jobs at once")

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "Lineage health over a window: orphan datasets (nothing writes them), zombies (not written lately), "
            "unused datasets and columns, deprecation candidates. Example: lineage_health(days=30)."
        ),
    )
    async def lineage_health(
        ctx: Context,
        days: Annotated[int, Field(ge=1, le=3650, description="The window, in days.")] = 30,
    ) -> CallToolResult:
        dataset = "dataset { namespace name }"
        found = (
            await ask(
                ctx,
                f"""query($days: Int) {{ health(days: $days) {{ days cutoff
            orphans {{ {dataset} }} zombies {{ {dataset} lastWriteAt }} unused {{ {dataset} lastReadAt }}
            unusedColumns {{ column {{ {COLUMN} }} }} deprecationCandidates {{ {dataset} }} }} }}""",
                days=days,
            )
        )["health"]
        summary = (
            f"Over {days} days: {len(found['orphans'])} orphans, {len(found['zombies'])} zombies, "
            f"{len(found['unused'])} unused datasets, {len(found['unusedColumns'])} unused columns, "
            f"{len(found['deprecationCandidates'])} deprecation candidates."
        )
        return answer(found, summary, max_chars, "ask with a shorter window")

    @server.tool(
        annotations=READ_ONLY,
        description=(
            "Columns declared less sensitive than what flows into them, and sinks receiving restricted or PII data. "
            'Example: sensitivity_violations(tag="pii").'
        ),
    )
    async def sensitivity_violations(
        ctx: Context,
        tag: Annotated[
            str | None, Field(description='Only those about this tag or its family ("pii" covers "pii.email").')
        ] = None,
        limit: Annotated[int, Field(ge=1, le=500, description="Most violations to return.")] = 100,
    ) -> CallToolResult:
        found = await ask(
            ctx,
            f"""query($first: Int!, $tag: String) {{ sensitivityViolations(first: $first, tag: $tag) {{
            kind message declaredLevel inheritedLevel tags column {{ {COLUMN} }} }} }}""",
            first=limit,
            tag=tag,
        )
        violations = found["sensitivityViolations"]
        return answer(
            {"violations": violations},
            f"{len(violations)} sensitivity violations" + (f" about {tag}." if tag else "."),
            max_chars,
            "ask with a smaller limit or a tag",
        )

    if with_tag_changes:
        change = "mutation($c: ColumnRefInput!, $tag: String!, $why: String) {{ {op}(column: $c, tag: $tag, justification: $why) {{ {cols} sensitivity tags {{ name origin }} }} }}"

        async def change_tag(
            ctx: Context, op: str, namespace: str, dataset: str, field: str, tag: str, justification: str | None
        ) -> CallToolResult:
            column = {"namespace": namespace, "dataset": dataset, "field": field}
            found = (await ask(ctx, change.format(op=op, cols=COLUMN), c=column, tag=tag, why=justification))[op]
            done = "declared on" if op == "declareTag" else "removed from"
            return answer(
                found,
                f"{tag} {done} {dataset}.{field}; it is now {found['sensitivity'] or 'unclassified'}.",
                max_chars,
                "",
            )

        @server.tool(
            description=(
                "Declare a sensitivity tag on a column (stewards only); it propagates downstream at once. "
                'Example: declare_tag(namespace="mysql://orders-db:3306", dataset="shop.customers", field="email", '
                'tag="pii.email", justification="contact data").'
            )
        )
        async def declare_tag(
            ctx: Context,
            namespace: Namespace,
            dataset: DatasetName,
            field: FieldName,
            tag: Annotated[str, Field(min_length=1, description='The tag, e.g. "pii.email" or "restricted".')],
            justification: Annotated[str | None, Field(description="Why, for the audit log.")] = None,
        ) -> CallToolResult:
            return await change_tag(ctx, "declareTag", namespace, dataset, field, tag, justification)

        @server.tool(
            description=(
                "Remove a declared tag from a column (stewards only); it is withdrawn downstream where no other path "
                'supports it. Example: remove_tag(namespace="mysql://orders-db:3306", dataset="shop.customers", '
                'field="email", tag="pii.email").'
            )
        )
        async def remove_tag(
            ctx: Context,
            namespace: Namespace,
            dataset: DatasetName,
            field: FieldName,
            tag: Annotated[str, Field(min_length=1, description="The declared tag to remove.")],
            justification: Annotated[str | None, Field(description="Why, for the audit log.")] = None,
        ) -> CallToolResult:
            return await change_tag(ctx, "removeTag", namespace, dataset, field, tag, justification)

    @server.resource(
        "tagline://namespaces",
        name="namespaces",
        mime_type="application/json",
        description="Every namespace Tagline knows: where to look for datasets and jobs.",
    )
    async def namespaces() -> str:
        # Whoever reaches the server may read (the HTTP route checks the role before any MCP message).
        found = await gateway.ask("{ namespaces { name } }", {}, LOCAL)
        return orjson.dumps([n["name"] for n in found["namespaces"]]).decode()

    @server.prompt(description="Trace where a column comes from and whether it carries sensitive data.")
    def trace_column(namespace: str, dataset: str, field: str) -> str:
        return (
            f"Where does {namespace}/{dataset}.{field} come from? Use get_lineage upstream, then explain_tags "
            "on it, and say which sources and transformations feed it and whether it is sensitive and why."
        )

    return server


def _hit_name(hit: dict[str, Any]) -> str:
    name = f"{hit['namespace']}/{hit['name']}"
    return f"{name}.{hit['field']}" if hit.get("field") else name
