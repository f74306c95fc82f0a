"""The Strawberry schema, with the limits that keep one query from taking the server down."""

from __future__ import annotations

from strawberry.extensions import MaxTokensLimiter
from strawberry.tools import merge_types

from tagline.api.gql.access import OperationAccess
from tagline.api.gql.browse import BrowseQuery
from tagline.api.gql.compare import CompareQuery
from tagline.api.gql.cost import CostBudget
from tagline.api.gql.dependencies import DependenciesQuery
from tagline.api.gql.errors import ReportedErrors
from tagline.api.gql.health import HealthQuery
from tagline.api.gql.history import HistoryQuery
from tagline.api.gql.introspection_cache import IntrospectionAnswers, IntrospectionCache
from tagline.api.gql.limits import DocumentLimits, document_limits
from tagline.api.gql.lineage_render import PrerenderingExecutionContext
from tagline.api.gql.notify import NotifyMutation, NotifyQuery
from tagline.api.gql.off_loop import OffLoopSchema
from tagline.api.gql.outline import OutlineQuery
from tagline.api.gql.persisted import PersistedParse, PersistedQueries, PersistedValidation
from tagline.api.gql.query import Query
from tagline.api.gql.relay import NodeQuery
from tagline.api.gql.review import ReviewQuery
from tagline.api.gql.subscriptions import Subscription
from tagline.api.gql.tags import TagMutation, TagQuery
from tagline.api.gql.tracing import OperationSpan
from tagline.api.settings import Settings


def build_schema(settings: Settings, persisted: PersistedQueries | None = None) -> OffLoopSchema:
    # Made once, shared by every request: the validation cache is keyed by these rule classes.
    limits = document_limits(settings.max_query_depth, settings.max_aliases)
    introspection = IntrospectionAnswers()
    documents = persisted if persisted is not None else PersistedQueries(settings.max_persisted_queries)
    return OffLoopSchema(
        query=merge_types(
            "Query",
            (
                Query,
                BrowseQuery,
                DependenciesQuery,
                HealthQuery,
                HistoryQuery,
                TagQuery,
                NotifyQuery,
                CompareQuery,
                ReviewQuery,
                NodeQuery,
                OutlineQuery,
            ),
        ),
        mutation=merge_types("Mutation", (TagMutation, NotifyMutation)),
        subscription=Subscription,
        execution_context_class=PrerenderingExecutionContext,
        workers=settings.graphql_workers,
        extensions=[
            OperationSpan,
            OperationAccess,
            lambda: CostBudget(settings.max_query_cost),
            lambda: IntrospectionCache(introspection),
            ReportedErrors,
            lambda: DocumentLimits(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            # Frontends send the same few documents again and again: parse and validate each once
            # (bounded caches, shared by every request, so made-up documents cannot grow them);
            # persisted documents once for good, by hash (api/gql/persisted.py).
            lambda: PersistedParse(documents, maxsize=256),
            lambda: PersistedValidation(documents, maxsize=256),
        ],
    )
