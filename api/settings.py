"""Settings, read from the environment (``TAGLINE_*``) and overridden by CLI flags."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tagline.governance.policy import Policy
from tagline.ingest.sql.extract import DEFAULT_STATEMENT_TIMEOUT

DEFAULT_STORE = "./data/tagline.db"


# Days that lineage no longer current is kept (`closed_lineage_days`): a year of asOf and diffs.
DEFAULT_CLOSED_LINEAGE_DAYS = 400


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TAGLINE_")

    store: str = Field(DEFAULT_STORE, description="GremLite file path, or ws:// / wss:// Gremlin Server URL")
    host: str = "127.0.0.1"
    port: int = 8000
    max_query_depth: int = Field(24, description="deepest GraphQL selection nesting accepted")
    max_aliases: int = Field(30, description="most aliases in one GraphQL document")
    max_tokens: int = Field(4000, description="most tokens in one GraphQL document")
    max_query_cost: int = Field(
        200_000, gt=0, description="largest estimated answer size of one GraphQL operation (see api/gql/cost.py)"
    )
    max_answer_objects: int = Field(
        1_000_000,
        gt=0,
        description="most objects one GraphQL answer may hold; lineage past it is cut (complete: false)",
    )
    max_answer_bytes: int = Field(
        64 * 1024 * 1024, gt=0, description="most bytes of JSON one GraphQL answer may hold; lineage past it is cut"
    )
    graphql_workers: int = Field(
        4, gt=0, description="threads running GraphQL operations, off the event loop that answers /healthz"
    )
    max_body_bytes: int = Field(16 * 1024 * 1024, gt=0, description="largest request body accepted (413 beyond)")
    body_timeout_seconds: float = Field(10.0, gt=0, description="longest pause while a request body arrives (408)")
    head_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="longest a connection may take to send a request's headers, from its opening or its "
        "previous answer (closed beyond)",
    )
    keep_alive_seconds: float = Field(5.0, gt=0, description="how long an idle connection is kept after an answer")
    request_timeout_seconds: float = Field(
        30.0, gt=0, description="longest time one request may work; its work is then stopped (503)"
    )
    max_event_columns: int = Field(
        20_000,
        gt=0,
        description="most datasets, columns and column-lineage edges one OpenLineage event may write (413)",
    )
    event_time_skew_seconds: float = Field(
        86_400.0, ge=0, description="how far in the future an OpenLineage event's eventTime may be (422 beyond)"
    )
    max_configured_dependencies: int = Field(
        10_000, gt=0, description="most configured dependencies one check may compare (422 beyond)"
    )
    mcp_max_chars: int = Field(
        40_000, gt=1000, description="largest MCP tool answer, in characters of JSON (about 4 per token)"
    )
    max_sql_queries: int = Field(1000, gt=0, description="most queries one POST /api/v1/sql may carry (422 beyond)")
    max_sql_edges: int = Field(
        50_000, gt=0, description="most column edges the queries of one POST /api/v1/sql may write (413 beyond)"
    )
    sql_statement_timeout_seconds: float = Field(
        DEFAULT_STATEMENT_TIMEOUT, gt=0, description="longest one statement of POST /api/v1/sql may take to trace"
    )
    max_lineage_depth: int = Field(20, description="largest `depth` argument for upstream/downstream/lineage")
    max_lineage_nodes: int = Field(10000, description="largest `maxNodes` argument for lineage")
    index_refresh_seconds: float = Field(
        0.5, gt=0, description="how often the server applies writes made by other processes to its lineage index"
    )
    read_after_timeout_seconds: float = Field(
        5.0,
        gt=0,
        description="longest a read sent with X-Tagline-After waits for the index to reach the position (503)",
    )
    ready_timeout_seconds: float = Field(2.0, gt=0, description="how long /readyz waits for the store")
    stale_after_days: int = Field(
        14, description="a job that has not written a dataset for this long is a stale writer"
    )
    health_days: int = Field(30, description="window for zombies (not written) and unused (not read) datasets")
    closed_lineage_days: int = Field(
        DEFAULT_CLOSED_LINEAGE_DAYS,
        gt=0,
        description="how long lineage a job no longer reports is kept for asOf and diffs; purge-expired removes it after",
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="server log lines as text, or one JSON object a line with the request id"
    )
    otel_endpoint: str | None = Field(
        None, description="OTLP/HTTP collector to send traces to, e.g. http://127.0.0.1:4318 (needs tagline[otel])"
    )
    policy: str | None = Field(None, description="TOML file with the tag vocabulary and propagation policy")
    api_keys: str | None = Field(None, description="name:key:role,... (see api/auth.py)")
    api_keys_file: str | None = Field(None, description="file with one name:key:role per line")
    cors_origins: str | None = Field(
        None, description="comma-separated origins a browser app may call the API from (none by default)"
    )

    allowed_hosts: str | None = Field(
        None, description="comma-separated extra host names a server without API keys answers to (loopback always)"
    )
    persisted_only: bool = Field(
        False, description="run only the persisted documents of TAGLINE_PERSISTED_QUERIES (an allow-list)"
    )
    persisted_queries: str | None = Field(
        None, description="directory of .graphql files, or a JSON manifest, of the documents persisted_only allows"
    )
    max_persisted_queries: int = Field(
        1000, gt=0, description="most documents clients may register by hash (automatic persisted queries)"
    )
    max_subscriptions_per_key: int = Field(
        16, gt=0, description="most GraphQL subscriptions open at once under one API key"
    )
    subscription_poll_seconds: float = Field(
        0.2, gt=0, description="how often subscriptions look for new change-log entries while any is open"
    )

    notify_subscribers: str | None = Field(
        None, description="TOML file of the subscribers changes are pushed to (see docs/guides/subscribe.md)"
    )
    notify_state: str | None = Field(
        None, description="SQLite file of the notifications' outbox and cursors (default: beside an embedded store)"
    )
    notify_poll_seconds: float = Field(0.5, gt=0, description="how often the change log is read for notifications")
    notify_max_attempts: int = Field(
        12, gt=0, description="tries of one delivery before it goes to the subscriber's dead letter"
    )
    notify_backoff_seconds: float = Field(
        1.0, gt=0, description="wait before the second try of a delivery; it doubles with each try after"
    )
    notify_backoff_max_seconds: float = Field(60.0, gt=0, description="longest wait between two tries of a delivery")
    notify_timeout_seconds: float = Field(10.0, gt=0, description="longest one delivery may take (HTTP or Kafka)")

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in (self.cors_origins or "").split(",") if o.strip()]

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.strip().lower() for h in (self.allowed_hosts or "").split(",") if h.strip()]


def load_policy(settings: Settings | None = None) -> Policy:
    """The propagation policy named by ``TAGLINE_POLICY`` (or ``settings``), or the defaults.

    Read once per process and file: every ingest, event and replay ends in propagation, and all of
    them, like the GraphQL schema, must use one and the same policy.
    """
    return _policy_at((settings or _environment()).policy)


@cache
def _environment() -> Settings:
    return Settings()


@cache
def _policy_at(path: str | None) -> Policy:
    return Policy.from_file(Path(path)) if path else Policy()
