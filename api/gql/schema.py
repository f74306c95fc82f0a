"""The Strawberry schema, with the limits that keep one query from taking the server down."""

from __future__ import annotations

from strawberry.extensions import MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.tools import merge_types

from tagline.api.gql.access import OperationAccess
from tagline.api.gql.browse import BrowseQuery
from tagline.api.gql.cost import CostBudget
from tagline.api.gql.dependencies import DependenciesQuery
from tagline.api.gql.errors import ReportedErrors
from tagline.api.gql.health import HealthQuery
from tagline.api.gql.history import HistoryQuery
from tagline.api.gql.introspection_cache import IntrospectionAnswers, IntrospectionCache
from tagline.api.gql.limits import DocumentLimits, document_limits
from tagline.api.gql.lineage_render import PrerenderingExecutionContext
from tagline.api.gql.off_loop import OffLoopSchema
from tagline.api.gql.outline import OutlineQuery
from tagline.api.gql.query import Query
from tagline.api.gql.tags import TagMutation, TagQuery
from tagline.api.settings import Settings


def build_schema(settings: Settings) -> OffLoopSchema:
    # Made once, shared by every request: the validation cache is keyed by these rule classes.
    limits = document_limits(settings.max_query_depth, settings.max_aliases)
    introspection = IntrospectionAnswers()
    return OffLoopSchema(
        query=merge_types(
            "Query", (Query, BrowseQuery, DependenciesQuery, HealthQuery, HistoryQuery, TagQuery, OutlineQuery)
        ),
        mutation=merge_types("Mutation", (TagMutation,)),
        execution_context_class=PrerenderingExecutionContext,
        workers=settings.graphql_workers,
        extensions=[
            OperationAccess,
            lambda: CostBudget(settings.max_query_cost),
            lambda: IntrospectionCache(introspection),
            ReportedErrors,
            lambda: DocumentLimits(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            # Frontends send the same few documents again and again: parse and validate each once
            # (bounded caches, shared by every request, so made-up documents cannot grow them).
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
