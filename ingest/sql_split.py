"""Splitting SQL text into statements, each with its number and first line.

Statements are split on top-level semicolons found by the dialect's own tokenizer (so a ``;`` in a
string, quoted identifier or comment does not split), which lets one broken statement fail alone
while the others still yield lineage, and lets every failure say where it was. The tokens are kept
so each statement is parsed without being tokenized twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot.dialects import Dialect
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
    for chunk in _top_level_chunks(tokens):
        start, end = chunk[0].start, chunk[-1].end + 1
        statements.append(Statement(len(statements) + 1, lines.line_at(start), text[start:end], chunk, text, 0))
    return statements


def _top_level_chunks(tokens: list[Token]) -> Iterator[list[Token]]:
    depth = 0
    chunk: list[Token] = []
    for token in tokens:
        kind = token.token_type
        if kind == TokenType.SEMICOLON and depth == 0:
            if chunk:
                yield chunk
            chunk = []
            continue
        if kind == TokenType.L_PAREN:
            depth += 1
        elif kind == TokenType.R_PAREN and depth:
            depth -= 1
        chunk.append(token)
    if chunk:
        yield chunk


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
