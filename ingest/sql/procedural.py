"""Procedures and ``BEGIN ... END`` blocks: the data-moving statements inside them, one by one.

Stored procedures and scripts (T-SQL, BigQuery scripting, Oracle PL/SQL, Snowflake/Postgres blocks)
wrap ordinary statements in control flow: ``CREATE PROCEDURE p(...) AS BEGIN``, ``IF ... THEN``,
``WHILE ... LOOP``, ``BEGIN TRY``, ``EXCEPTION WHEN ... THEN``, ``END IF``, variable declarations
and assignments. Lineage lives in the statements inside, so each ``;``-separated piece is stripped of
the control-flow words in front of it; what is left is parsed like any other statement, and what is
only control flow (``END LOOP``, ``SET @x = 1``, ``DECLARE v INT64``, ``RAISE``) is dropped.

The names of procedure parameters and declared variables are collected too: a bare ``param_b`` in a
``WHERE`` is a value, not a column of one of the query's tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot.dialects import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from tagline.ingest.sql.split import Statement

_WORD_TYPES = frozenset({TokenType.STRING, TokenType.IDENTIFIER, TokenType.NUMBER})
"""Tokens that are never keywords (quoted text, quoted names, numbers)."""

_BLOCK_OPENERS = frozenset({"BEGIN", "LOOP", "REPEAT", "DO", "ELSE", "TRY", "CATCH"})
_BLOCK_QUALIFIERS = frozenset({"TRY", "CATCH", "TRANSACTION", "TRAN", "WORK", "ATOMIC"})
_ENDED = frozenset({"IF", "LOOP", "WHILE", "TRY", "CATCH", "FOR", "REPEAT", "CASE", "BLOCK"})
_CONDITIONS = frozenset({"IF", "ELSEIF", "ELSIF", "WHILE", "WHEN", "EXCEPTION", "FOR"})
_CONDITION_ENDS = frozenset({"THEN", "DO", "LOOP", "BEGIN"})
_CONTROL_ONLY = frozenset(
    {
        "DECLARE", "SET", "RAISE", "RAISERROR", "THROW", "LEAVE", "ITERATE", "CONTINUE", "BREAK",
        "EXIT", "RETURN", "PRINT", "GO", "NULL", "OPEN", "CLOSE", "FETCH", "DEALLOCATE", "SIGNAL",
        "RESIGNAL", "END", "/",
    }
)  # fmt: skip
_STATEMENT_STARTS = frozenset(
    {
        "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "CREATE", "DROP", "TRUNCATE",
        "ALTER", "REPLACE", "UPSERT", "COPY", "UNLOAD", "BEGIN", "IF", "WHILE", "CALL", "EXEC",
        "EXECUTE",
    } | _CONTROL_ONLY
)  # fmt: skip
_NEXT_STARTS = frozenset(
    {
        "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "TRUNCATE", "DECLARE", "SET",
        "EXEC", "EXECUTE", "IF", "WHILE", "BEGIN", "PRINT", "RETURN", "SELECT", "WITH",
    }
)  # fmt: skip
"""Words that end a control-only statement written without ``;`` (T-SQL) by starting the next."""
_PROCEDURES = frozenset({"PROCEDURE", "PROC"})
_PARAMETER_MODES = frozenset({"IN", "OUT", "INOUT"})


@dataclass
class Unwrapped:
    """The statements left once control flow is stripped, and the script's variable names (lower case)."""

    statements: list[Statement]
    variables: set[str] = field(default_factory=set)


def unwrap_procedural(statements: list[Statement], dialect: Dialect) -> Unwrapped:
    """Strip control flow from each statement; drop those that are nothing but control flow."""
    result = Unwrapped([])
    for statement in statements:
        kept = _unwrap(statement, dialect, result.variables)
        if kept is not None:
            result.statements.append(kept)
    return result


def _word(token: Token) -> str:
    return "" if token.token_type in _WORD_TYPES else token.text.upper()


def _unwrap(statement: Statement, dialect: Dialect, variables: set[str]) -> Statement | None:
    for _ in range(64):  # each pass strips at least one token; a statement has few nested openers
        if not statement.tokens:
            return statement if statement.tokens is None else None
        tokens = _expand_command(statement, dialect)
        if tokens is not statement.tokens:
            statement = replace(statement, tokens=tokens)
        skip = _prefix(tokens, variables)
        if skip is None:
            return None
        if skip == 0:
            return statement
        if skip >= len(tokens):
            return None
        statement = _rest(statement, skip, dialect)
    return statement


def _prefix(tokens: list[Token], variables: set[str]) -> int | None:
    """How many leading tokens are control flow (0: none; ``None``: the whole statement is)."""
    first = _word(tokens[0])
    second = _word(tokens[1]) if len(tokens) > 1 else ""
    if len(tokens) > 2 and tokens[1].token_type == TokenType.COLON and _word(tokens[2]) in _BLOCK_OPENERS:
        return 2  # a label: `outer: LOOP`
    if first in ("CREATE", "ALTER") and _PROCEDURES & {_word(t) for t in tokens[1:5]}:
        return _procedure_header(tokens, variables)
    if first in {"BEGIN", "END"}:
        if first == "END" and second and second not in _ENDED and len(tokens) > 2:
            return 1
        return 2 if second in _BLOCK_QUALIFIERS or (first == "END" and second in _ENDED) else 1
    if first in ("LOOP", "REPEAT", "DO", "ELSE"):
        return 1
    if first in _CONDITIONS:
        return _condition(tokens)
    if first == "DECLARE":
        _declared(tokens, variables)
        return _next_statement(tokens)
    if first in _CONTROL_ONLY or second == ":=" or tokens[0].token_type == TokenType.SLASH:
        return _next_statement(tokens)
    return 0


def _next_statement(tokens: list[Token]) -> int | None:
    """Where the next statement starts after a control-only one, when T-SQL runs them on without a
    ``;`` (``SET NOCOUNT ON INSERT INTO ...``); ``None``: the rest is the same statement."""
    depth = 0
    for index, token in enumerate(tokens[1:], start=1):
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth = max(depth - 1, 0)
        elif depth == 0 and _word(token) in _NEXT_STARTS and index > 1 and not _dotted(tokens, index):
            return index
    return None


def _condition(tokens: list[Token]) -> int | None:
    """``IF cond THEN``, ``WHILE cond DO``, ``EXCEPTION WHEN e THEN``; T-SQL's ``IF cond stmt``."""
    depth = 0
    for index, token in enumerate(tokens[1:], start=1):
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN:
            depth = max(depth - 1, 0)
        elif depth == 0:
            word = _word(token)
            if word in _CONDITION_ENDS:
                return index + 1 if word != "BEGIN" else index
            if word in _STATEMENT_STARTS and word not in ("IF", "NULL") and index > 1:
                return index
    return None


def _dotted(tokens: list[Token], index: int) -> bool:
    """Whether token ``index`` is part of a dotted name (``hive.exec.dynamic``), not a keyword."""
    around = tokens[index - 1 : index] + tokens[index + 1 : index + 2]
    return any(t.token_type == TokenType.DOT for t in around)


def _procedure_header(tokens: list[Token], variables: set[str]) -> int | None:
    """``CREATE PROCEDURE name(params) [AS|IS] [BEGIN]``: the parameters are variables of the body."""
    depth = 0
    as_at = None
    expect_name = False
    for index, token in enumerate(tokens):
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
            expect_name = depth == 1
            continue
        if kind == TokenType.R_PAREN:
            depth = max(depth - 1, 0)
            continue
        if depth == 1:
            if kind == TokenType.COMMA:
                expect_name = True
            elif expect_name and _word(token) not in _PARAMETER_MODES:
                variables.add(token.text.lower())
                expect_name = False
            continue
        if depth == 0:
            word = _word(token)
            if word == "BEGIN":
                return index + 1
            if word in ("AS", "IS") and as_at is None:
                as_at = index + 1
    return as_at


def _declared(tokens: list[Token], variables: set[str]) -> None:
    """``DECLARE a, b INT64 DEFAULT 0`` declares ``a`` and ``b``."""
    index = 1
    while index < len(tokens) and tokens[index].token_type not in (TokenType.PARAMETER,):
        variables.add(tokens[index].text.lower())
        if index + 1 < len(tokens) and tokens[index + 1].token_type == TokenType.COMMA:
            index += 2
            continue
        break


def _expand_command(statement: Statement, dialect: Dialect) -> list[Token]:
    """Tokens of a statement whose first word the tokenizer took for a command (``BEGIN``, ``END``,
    ``LOOP`` in some dialects) and whose rest it kept as one raw string: that rest, tokenized."""
    tokens = statement.tokens
    assert tokens is not None
    if len(tokens) != 2 or tokens[1].token_type != TokenType.STRING:
        return tokens
    start = tokens[0].end + 1
    text = statement.sql[start : tokens[-1].end + 1]
    if text.strip() != tokens[1].text:
        return tokens
    try:
        rest = dialect.tokenize(text)
    except TokenError:
        return tokens
    lines = statement.sql.count("\n", 0, start)
    return [tokens[0]] + [
        Token(t.token_type, t.text, t.line + lines, t.col, t.start + start, t.end + start, t.comments)
        for t in rest
        if t.token_type != TokenType.SEMICOLON
    ]


def _rest(statement: Statement, skip: int, dialect: Dialect) -> Statement:
    """The statement from token ``skip`` on, tokenized afresh (a block opener may have swallowed the
    rest of the line as one command string)."""
    assert statement.tokens is not None
    first = statement.tokens[skip]
    text = statement.sql[first.start : statement.tokens[-1].end + 1]
    line = statement.sql.count("\n", 0, first.start) + 1 + statement.line_offset
    try:
        tokens = dialect.tokenize(text)
    except TokenError:
        return replace(statement, line=line, text=text, tokens=None, sql=text, line_offset=line - 1)
    chunk = [t for t in tokens if t.token_type != TokenType.SEMICOLON]
    return replace(statement, line=line, text=text, tokens=chunk, sql=text, line_offset=line - 1)
