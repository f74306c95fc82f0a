"""Query logs -> lineage: each logged query with who ran it and when.

A query log is JSON Lines, one executed query per line::

    {"sql": "SELECT ...", "dialect": "snowflake", "namespace": "snowflake://acme",
     "job": "nightly_marts" | "user": "alice", "ts": "2024-05-01T10:00:00Z", "query_id": "01a2..."}

A line without a ``dialect`` takes the reader's default, else the engine its namespace names
(``snowflake://acme`` is Snowflake SQL). ``job`` marks a scheduled job's query; a line with only
``user`` is ad hoc. Every query records who read which table (and when), so "who reads this
table" and "which tables nobody reads" can be answered; a query that writes also yields column
lineage. Lineage from ad-hoc queries expires after a time to live, because one person's experiment
should not stay in the graph forever; a job that produces the same edge later makes it permanent
(the store keeps the later expiry, or none).

A plain ``.sql`` file is read as a log too: one query per statement, run by the job named after the
file. Lines are read one at a time, so a log of any size is read in bounded memory; a ``.sql``
file's statements are split by the tokenizer, a line ending in ``;`` outside strings and comments
closing what was read so far.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from tagline.graph.model import Failure, JobRef, LineageBatch
from tagline.graph.timefmt import iso
from tagline.ingest.catalog import Catalog
from tagline.ingest.definitions import defined_by
from tagline.ingest.dialects import resolve_dialect
from tagline.ingest.naming import SCHEME_DIALECTS, scheme_of
from tagline.ingest.sql.extract import ExtractOptions, extract_sql
from tagline.ingest.sql.split import Statement, split_statements
from tagline.ingest.timestamps import rfc3339_text

DEFAULT_ADHOC_TTL = timedelta(days=30)


class QueryLogEntry(BaseModel):
    """One line of a query log."""

    model_config = ConfigDict(extra="ignore")

    sql: str
    dialect: str | None = None
    namespace: str | None = None
    job: str | None = None
    user: str | None = None
    ts: datetime | None = None
    query_id: str | None = None

    @field_validator("ts", mode="before")
    @classmethod
    def _rfc_3339(cls, value: Any) -> Any:
        return rfc3339_text(value)

    @property
    def ad_hoc(self) -> bool:
        return not self.job


@dataclass(frozen=True)
class QueryLogOptions:
    """Defaults for lines that do not say, and how ad-hoc lineage ages."""

    dialect: str | None = None
    namespace: str = "default"
    job_namespace: str = "default"
    user_namespace: str = "user"
    adhoc_ttl: timedelta = DEFAULT_ADHOC_TTL
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the log is read: the time of a query that carries none, the same for the whole log."""
    catalog: Catalog | None = None
    extract: ExtractOptions = field(default_factory=ExtractOptions)


@dataclass
class LoggedQuery:
    """A line of the log: its number, and the entry or why it could not be read."""

    line: int
    entry: QueryLogEntry | None
    error: str | None = None
    text: str = ""


def read_jsonl(lines: Iterable[str]) -> Iterator[LoggedQuery]:
    """The queries of a JSON Lines log, one per non-blank line."""
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            data = orjson.loads(text)
            if not isinstance(data, dict):
                raise ValueError("a line must be a JSON object")
            yield LoggedQuery(number, QueryLogEntry.model_validate(data), text=text)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in error.errors())
            yield LoggedQuery(number, None, f"invalid query log line: {problems}", text)
        except ValueError as error:
            yield LoggedQuery(number, None, f"not a JSON object: {error}", text)


def read_sql(lines: Iterable[str], job: str, dialect: str = "") -> Iterator[LoggedQuery]:
    """The statements of a ``.sql`` file as queries of ``job``, split by the dialect's tokenizer.

    Lines are gathered until one ends with ``;`` and everything gathered tokenizes (a ``;`` at the
    end of a line inside a string or a comment does not end a statement); what was gathered is then
    split at its top-level semicolons, so two statements on one line are two queries."""
    tokenizer = resolve_dialect(dialect)
    pending: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if not pending and not line.strip():
            continue
        if not pending:
            first = number
        pending.append(line)
        if line.rstrip().endswith(";"):
            statements = split_statements("".join(pending), tokenizer)
            if all(statement.tokens is not None for statement in statements):
                yield from _queries(statements, first, job)
                pending = []
    if "".join(pending).strip():
        yield from _queries(split_statements("".join(pending), tokenizer), first, job)


def _queries(statements: list[Statement], first: int, job: str) -> Iterator[LoggedQuery]:
    for statement in statements:
        yield LoggedQuery(first + statement.line - 1, QueryLogEntry(sql=statement.text, job=job), text=statement.text)


def query_batch(query: LoggedQuery, options: QueryLogOptions, source: str) -> LineageBatch:
    """The lineage of one logged query (its failures located by query id and line)."""
    where = f"line {query.line}"
    entry = query.entry
    if entry is None:
        failure = Failure(source=source, location=where, reason=query.error or "unreadable", payload=query.text)
        return LineageBatch(failures=[failure])
    if entry.query_id:
        where = f"query {entry.query_id} ({where})"
    namespace = entry.namespace or options.namespace
    dialect = entry.dialect or options.dialect or SCHEME_DIALECTS.get(scheme_of(namespace))
    if not dialect:
        reason = 'no "dialect" in the line, no default dialect given (--dialect), and no engine in its namespace'
        return LineageBatch(failures=[Failure(source=source, location=where, reason=reason, payload=entry.sql)])
    if entry.job:
        job = JobRef(namespace=options.job_namespace, name=entry.job)
    else:
        job = JobRef(namespace=options.user_namespace, name=entry.user or "unknown")
    try:
        batch = extract_sql(
            entry.sql,
            dialect=dialect,
            namespace=namespace,
            source=source,
            catalog=options.catalog,
            job=job,
            at=entry.ts,
            options=options.extract,
        )
    except ValueError as error:  # an unknown dialect
        return LineageBatch(failures=[Failure(source=source, location=where, reason=str(error), payload=entry.sql)])
    for failure in batch.failures:
        failure.location = f"{where}, {failure.location}"
        failure.options["query_id"] = entry.query_id
        failure.options["at"] = iso(entry.ts) if entry.ts else None  # a replay keeps when the query ran
    if entry.ad_hoc and batch.edges:
        expires = (entry.ts or options.read_at) + options.adhoc_ttl
        batch.edges = [edge.model_copy(update={"expires_at": expires}) for edge in batch.edges]
    elif not entry.ad_hoc:
        # A scheduled job's query is its definition of the tables it writes, as of when it ran.
        batch = defined_by(batch, job, entry.ts or options.read_at)
    return batch
