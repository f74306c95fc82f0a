"""One root for the errors Tagline means to report, and what kind each is.

Every room raises these (or its own subclasses of them); each transport maps the kinds once: HTTP
to a status (``api/http/errors.py``), GraphQL to an error ``code`` (``api/gql/errors.py``), the CLI
to a message and an exit status (``api/cli/main.py``). An exception outside this tree is a bug,
and is reported as one.
"""

from __future__ import annotations


class TaglineError(Exception):
    """Something Tagline was asked that it cannot do, said in words a user can act on."""

    code = "ERROR"


class NotFound(TaglineError, LookupError):
    """What the request names does not exist (a job, a dataset, a column, an event)."""

    code = "NOT_FOUND"


class InvalidInput(TaglineError, ValueError):
    """The input is malformed or breaks a rule: a file, a body, an argument, a governance action."""

    code = "INVALID_INPUT"


class Conflict(TaglineError):
    """The request collides with the state it meets (another writer, a changed store)."""

    code = "CONFLICT"


class Unavailable(TaglineError):
    """The store, or the time the request was given, ran out: trying again later may succeed."""

    code = "UNAVAILABLE"
