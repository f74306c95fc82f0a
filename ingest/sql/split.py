"""Splitting SQL text into statements, each with its number and first line.

Statements are split on top-level semicolons found by the dialect's own tokenizer (so a ``;`` in a
string, quoted identifier or comment does not split), which lets one broken statement fail alone
while the others still yield lineage, and lets every failure say where it was. The tokens are kept
so each statement is parsed without being tokenized twice.

A ``;`` inside parentheses does not split, except where the word after it starts a statement: then
the parenthesis was left open by mistake, and only the statement that opened it fails. T-SQL's
``GO`` on a line of its own ends a batch as a ``;`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot.dialects import TSQL, Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType


@dataclass(frozen=True)
class Statement:
    """One statement of a script.

    ``tokens`` point into ``sql`` (the whole script, or just this statement's text when the script
    could not be tokenized as a whole); ``line_offset`` turns a line reported against ``sql`` into a
    line of the script. ``tokens`` is ``None`` when the statement itself cannot be tokenized.
    """

    number: int
    line: int
    text: str
    tokens: list[Token] | None
    sql: str
    line_offset: int


def split_statements(text: str, dialect: Dialect) -> list[Statement]:
    """The non-empty statements of ``text``, numbered from 1."""
    try:
        tokens = dialect.tokenize(text)
    except TokenError:
        return list(_split_untokenizable(text, dialect))
    statements: list[Statement] = []
    lines = _LineCounter(text)
    for chunk in _top_level_chunks(tokens, text if isinstance(dialect, TSQL) else None):
        start, end = chunk[0].start, chunk[-1].end + 1
        statements.append(Statement(len(statements) + 1, lines.line_at(start), text[start:end], chunk, text, 0))
    return statements


STATEMENT_STARTS = frozenset(
    {
        "SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "WITH", "CREATE", "DROP", "ALTER", "TRUNCATE",
        "COPY", "UNLOAD", "LOAD", "SET", "DECLARE", "USE", "CALL", "EXEC", "EXECUTE", "REPLACE", "UPSERT",
        "CACHE", "RENAME", "MSCK", "REFRESH", "ANALYZE", "GRANT", "REVOKE", "SHOW", "DESCRIBE", "PRINT",
    }
)  # fmt: skip
"""Words that begin a statement: after a ``;`` they begin a new one, even if a parenthesis is open."""


def starts_statement(token: Token) -> bool:
    return token.token_type not in _QUOTED and token.text.split(maxsplit=1)[0].upper() in STATEMENT_STARTS


_QUOTED = frozenset({TokenType.STRING, TokenType.IDENTIFIER})


def _top_level_chunks(tokens: list[Token], go_text: str | None = None) -> Iterator[list[Token]]:
    """Statements as token lists. ``go_text``: the script, when ``GO`` lines separate batches."""
    depth = 0
    chunk: list[Token] = []
    go_count: Token | None = None
    for index, token in enumerate(tokens):
        if token is go_count:
            continue
        kind = token.token_type
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        ends = kind == TokenType.SEMICOLON and (depth == 0 or following is None or starts_statement(following))
        is_go = go_text is not None and _is_go(go_text, tokens, index)
        if ends or is_go:
            if is_go and following is not None and following.token_type == TokenType.NUMBER:
                go_count = following  # `GO 5` runs the batch five times
            if chunk:
                yield chunk
            chunk = []
            depth = 0
            continue
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN and depth:
            depth -= 1
        chunk.append(token)
    if chunk:
        yield chunk


_CONTROL_STARTS = frozenset(
    {
        "BEGIN", "END", "IF", "WHILE", "RETURN", "GO", "OPEN", "FETCH", "CLOSE", "DEALLOCATE", "COMMIT",
        "ROLLBACK", "RAISERROR", "THROW",
    }
)  # fmt: skip


def split_before(statement: Statement, tokens: list[Token], line: int, col: int) -> tuple[Statement, Statement] | None:
    """``statement`` cut in two before the token the parser stopped at (``line``/``col`` as the
    parser reports them), when that token starts a statement on a new line: two statements written
    without a ``;`` between them, as T-SQL allows. ``None`` when the parse error is of another kind."""
    stopped = next((i for i, t in enumerate(tokens) if t.line == line and t.col == col), None)
    if stopped is None:
        return None
    # The parser may have taken the next statement's first word for an alias (`FROM t OPEN c`).
    for index in (stopped, stopped - 1):
        if index > 0 and _begins_line(statement, tokens, index):
            return _piece(statement, tokens[:index]), _piece(statement, tokens[index:])
    return None


def _begins_line(statement: Statement, tokens: list[Token], index: int) -> bool:
    """Whether token ``index`` is a statement's first word at the start of a line: statements run
    on without ``;`` start on a line of their own."""
    token = tokens[index]
    word = token.text.split(maxsplit=1)[0].upper() if token.token_type not in _QUOTED else ""
    return word in STATEMENT_STARTS | _CONTROL_STARTS and "\n" in statement.sql[tokens[index - 1].end + 1 : token.start]


def _piece(statement: Statement, tokens: list[Token]) -> Statement:
    text = statement.sql[tokens[0].start : tokens[-1].end + 1]
    line = statement.sql.count("\n", 0, tokens[0].start) + 1 + statement.line_offset
    return Statement(statement.number, line, text, tokens, statement.sql, statement.line_offset)


def _is_go(text: str, tokens: list[Token], index: int) -> bool:
    """Whether token ``index`` is T-SQL's batch separator: ``GO`` (or ``GO 5``) alone on its line."""
    token = tokens[index]
    if token.text.upper() != "GO" or token.token_type in _QUOTED:
        return False
    before = tokens[index - 1].end + 1 if index else 0
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if after is not None and after.token_type == TokenType.NUMBER and "\n" not in text[token.end : after.start]:
        after = tokens[index + 2] if index + 2 < len(tokens) else None
    return (before == 0 or "\n" in text[before : token.start]) and (
        after is None or "\n" in text[token.end : after.start]
    )


def _split_untokenizable(text: str, dialect: Dialect) -> Iterator[Statement]:
    """Fallback when the script does not tokenize (an unterminated string or comment somewhere).

    Grow each statement one ``;``-separated piece at a time until it tokenizes, so a ``;`` inside a
    string still does not split; whatever never tokenizes becomes one last statement without tokens.
    """
    lines = _LineCounter(text)
    number = 0
    start = 0
    end = text.find(";")
    while start < len(text):
        stop = len(text) if end < 0 else end
        piece = text[start:stop]
        try:
            tokens = dialect.tokenize(piece)
        except TokenError:
            if end < 0:
                break
            end = text.find(";", end + 1)
            continue
        offset = lines.line_at(start) - 1
        for chunk in _top_level_chunks(tokens):
            number += 1
            line = lines.line_at(start + chunk[0].start)
            yield Statement(number, line, piece[chunk[0].start : chunk[-1].end + 1], chunk, piece, offset)
        start = stop + 1
        end = text.find(";", start)
    rest = text[start:].strip()
    if rest:
        begin = text.index(rest, start)
        yield Statement(number + 1, lines.line_at(begin), rest, None, rest, lines.line_at(begin) - 1)


class _LineCounter:
    """Line numbers of increasing offsets, counted incrementally so a long script costs O(n)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._offset = 0
        self._line = 1

    def line_at(self, offset: int) -> int:
        if offset < self._offset:
            self._offset, self._line = 0, 1
        self._line += self._text.count("\n", self._offset, offset)
        self._offset = offset
        return self._line


_ATTRIBUTE_PHRASES = frozenset({"TITLE", "FORMAT", "NAMED"})


def drop_attribute_phrases(tokens: list[Token]) -> list[Token]:
    """Teradata's ``col (TITLE 'Heading')`` / ``(FORMAT 'YYYY-MM-DD')`` / ``(NAMED x)`` after an
    expression only label or format it; sqlglot does not parse them, and lineage does not need them."""
    kept: list[Token] = []
    index = 0
    while index < len(tokens):
        window = tokens[index : index + 4]
        if (
            len(window) == 4
            and window[0].token_type == TokenType.L_PAREN
            and window[1].text.upper() in _ATTRIBUTE_PHRASES
            and window[3].token_type == TokenType.R_PAREN
            and kept
        ):
            index += 4
            continue
        kept.append(tokens[index])
        index += 1
    return kept
