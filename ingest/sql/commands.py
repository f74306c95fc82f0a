"""Statements read from their tokens, where sqlglot has no parse for them or keeps them opaque.

Housekeeping that never moves data (``MSCK REPAIR TABLE``, ``REFRESH``, ``INVALIDATE METADATA``,
``COMPUTE STATS``, ``VACUUM``...), recognised as such instead of failing to parse; Redshift's ``UNLOAD
('query') TO 's3://...'``, whose query is a string sqlglot leaves unread; MySQL's ``LOAD DATA INFILE``
and ``RENAME TABLE``; Spark's ``INSERT OVERWRITE DIRECTORY ... USING parquet``; T-SQL's compound
assignment ``SET x += 1``, written out as ``SET x = x + 1`` for the parser; T-SQL's ``OUTPUT ... INTO
table (cols)``, whose target sqlglot cannot read, taken off for the extractor to trace; and MySQL's and
SQLite's ``REPLACE INTO``, read as the INSERT it is for lineage.
"""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.dialects import Dialect
from sqlglot.tokens import Token, TokenType

HOUSEKEEPING = frozenset(
    {
        "MSCK", "REFRESH", "INVALIDATE", "COMPUTE", "VACUUM", "OPTIMIZE", "FSCK", "UNCACHE", "CLEAR",
        "ANALYZE", "REINDEX", "CLUSTER", "CHECKPOINT", "SHOW", "ADD", "LIST",
    }
)  # fmt: skip
"""First words of statements that maintain metadata, caches or storage, or only look at them (``SHOW
CREATE TABLE``, Spark's ``ADD JAR`` and ``LIST FILE``), and move no data."""

_UNLOAD = re.compile(r"\s*UNLOAD\s*\(\s*'((?:[^']|'')*)'\s*\)\s*TO\s*'([^']*)'", re.IGNORECASE | re.DOTALL)
_COMPOUND = frozenset({TokenType.PLUS, TokenType.DASH, TokenType.STAR, TokenType.SLASH, TokenType.MOD})
_ASSIGNING = frozenset({"UPDATE", "MERGE", "WITH"})


def first_word(tokens: list[Token]) -> str:
    return tokens[0].text.split(maxsplit=1)[0].upper() if tokens and tokens[0].text.strip() else ""


def is_housekeeping(tokens: list[Token]) -> bool:
    """Whether the statement only maintains the warehouse (no lineage), whatever its syntax."""
    return first_word(tokens) in HOUSEKEEPING


def unload_statement(text: str, dialect: Dialect) -> exp.Insert | None:
    """``UNLOAD ('SELECT ...') TO 's3://path'`` as ``INSERT OVERWRITE DIRECTORY 's3://path' SELECT ...``."""
    match = _UNLOAD.match(text)
    if match is None:
        return None
    parsed = dialect.parse(match.group(1).replace("''", "'"))
    query = parsed[0] if len(parsed) == 1 else None
    if not isinstance(query, exp.Query):
        return None
    directory = exp.Directory(this=exp.Literal.string(match.group(2)), local=False)
    return exp.Insert(this=directory, expression=query, overwrite=True)


_INFILE = re.compile(
    r"\s*LOAD\s+DATA\s+(?:LOW_PRIORITY\s+|CONCURRENT\s+)?(?:LOCAL\s+)?INFILE\s+'((?:[^']|'')*)'"
    r"(?:\s+(?:REPLACE|IGNORE))?\s+INTO\s+TABLE\s+([^\s(;]+)",
    re.IGNORECASE,
)


def load_infile(text: str, dialect: Dialect) -> exp.LoadData | None:
    """MySQL's ``LOAD DATA [LOCAL] INFILE 'file' INTO TABLE t``, as Hive's ``LOAD DATA INPATH``."""
    match = _INFILE.match(text)
    if match is None:
        return None
    table = exp.to_table(match.group(2), dialect=dialect)
    return exp.LoadData(this=table, inpath=exp.Literal.string(match.group(1).replace("''", "'")))


_REPLACE_MODIFIERS = frozenset({"LOW_PRIORITY", "DELAYED"})


def replace_as_insert(tokens: list[Token]) -> list[Token]:
    """MySQL's / SQLite's ``REPLACE [LOW_PRIORITY | DELAYED] INTO t ... SELECT | VALUES`` as
    ``INSERT INTO t ...``: it deletes the rows whose keys clash first, which changes no lineage."""
    if first_word(tokens) != "REPLACE" or len(tokens) < 3:
        return tokens
    at = 1
    while at < len(tokens) and tokens[at].text.upper() in _REPLACE_MODIFIERS:
        at += 1
    if at >= len(tokens) or tokens[at].token_type != TokenType.INTO:
        return tokens
    first = tokens[0]
    insert = Token(TokenType.INSERT, "INSERT", first.line, first.col, first.start, first.end, first.comments)
    return [insert, *tokens[at:]]


_NAME_TOKENS = frozenset({TokenType.VAR, TokenType.IDENTIFIER, TokenType.DOT, TokenType.PARAMETER})
_COLUMN_LIST = frozenset({TokenType.VAR, TokenType.IDENTIFIER, TokenType.COMMA})


def output_into(tokens: list[Token], sql: str, dialect: Dialect) -> tuple[list[Token], exp.Table | exp.Schema | None]:
    """T-SQL's ``INSERT | UPDATE | DELETE | MERGE ... OUTPUT <values> INTO t [(cols)] ...`` without its
    ``INTO t (cols)``, and that target (its name as written, its columns): the OUTPUT rows are written
    to ``t``, a table sqlglot would read as a function call (``log (a)``) or stop at (``dbo.log``)."""
    if first_word(tokens) not in ("INSERT", "UPDATE", "DELETE", "MERGE"):
        return tokens, None
    output = next((i for i, t in enumerate(tokens) if t.token_type == TokenType.RETURNING), None)
    if output is None:
        return tokens, None
    depth, into = 0, None
    for index in range(output + 1, len(tokens)):
        kind = tokens[index].token_type
        depth += (kind == TokenType.L_PAREN) - (kind == TokenType.R_PAREN)
        if depth == 0 and kind == TokenType.INTO:
            into = index
            break
    if into is None:
        return tokens, None
    end = into + 1
    while end < len(tokens) and tokens[end].token_type in _NAME_TOKENS:
        end += 1
    if end == into + 1:
        return tokens, None
    table = exp.to_table(sql[tokens[into + 1].start : tokens[end - 1].end + 1], dialect=dialect)
    if end < len(tokens) and tokens[end].token_type == TokenType.L_PAREN:
        close = next((i for i in range(end, len(tokens)) if tokens[i].token_type == TokenType.R_PAREN), None)
        listed = tokens[end + 1 : close] if close is not None else []
        if close is None or not all(t.token_type in _COLUMN_LIST for t in listed):
            return tokens, None
        columns = [
            exp.to_identifier(t.text, quoted=t.token_type == TokenType.IDENTIFIER)
            for t in listed
            if t.token_type != TokenType.COMMA
        ]
        return [*tokens[:into], *tokens[close + 1 :]], exp.Schema(this=table, expressions=columns)
    return [*tokens[:into], *tokens[end:]], table


def directory_without_format(tokens: list[Token]) -> list[Token]:
    """Spark's ``INSERT OVERWRITE DIRECTORY ['path'] USING parquet [OPTIONS (path 'p', ...)] SELECT``
    without the format clause sqlglot does not parse: the path, from the options if not before."""
    if first_word(tokens) != "INSERT":
        return tokens
    at = next((i for i, t in enumerate(tokens[:4]) if t.text.upper() == "DIRECTORY"), None)
    if at is None:
        return tokens
    path = tokens[at + 1] if at + 1 < len(tokens) and tokens[at + 1].token_type == TokenType.STRING else None
    using = at + 2 if path is not None else at + 1
    if using + 1 >= len(tokens) or tokens[using].text.upper() != "USING":
        return tokens
    rest = using + 2
    if (
        rest + 1 < len(tokens)
        and tokens[rest].text.upper() == "OPTIONS"
        and tokens[rest + 1].token_type == TokenType.L_PAREN
    ):
        close = next((i for i in range(rest + 1, len(tokens)) if tokens[i].token_type == TokenType.R_PAREN), None)
        if close is None:
            return tokens
        options = tokens[rest + 2 : close]
        for index, token in enumerate(options[:-1]):
            if path is None and token.text.lower() == "path":
                path = next((t for t in options[index + 1 : index + 3] if t.token_type == TokenType.STRING), None)
        rest = close + 1
    if path is None:
        return tokens
    return [*tokens[: at + 1], path, *tokens[rest:]]


def renamed_tables(tokens: list[Token], dialect: Dialect) -> list[tuple[exp.Table, exp.Table]] | None:
    """The ``(old, new)`` pairs of MySQL's / Teradata's ``RENAME TABLE a TO b, c TO d``; ``None`` for
    any other statement."""
    words = [t.text.upper() for t in tokens[:2]]
    if words != ["RENAME", "TABLE"]:
        return None
    pairs: list[tuple[exp.Table, exp.Table]] = []
    names: list[list[Token]] = [[]]
    for token in tokens[2:]:
        if token.token_type == TokenType.COMMA or token.text.upper() == "TO":
            names.append([])
        else:
            names[-1].append(token)
    texts = ["".join(t.text if t.token_type != TokenType.IDENTIFIER else f'"{t.text}"' for t in name) for name in names]
    if len(texts) % 2 or not all(texts):
        return None
    tables = [exp.to_table(text, dialect="") for text in texts]
    for index in range(0, len(tables), 2):
        pairs.append((tables[index], tables[index + 1]))
    return pairs


def expand_compound_assignments(tokens: list[Token]) -> list[Token]:
    """``SET a.b += expr`` as ``SET a.b = a.b + expr`` (T-SQL's ``+= -= *= /= %=``), in UPDATE and MERGE."""
    if first_word(tokens) not in _ASSIGNING:
        return tokens
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            token.token_type in _COMPOUND
            and after is not None
            and after.token_type == TokenType.EQ
            and after.start == token.end + 1
        ):
            target = _assigned(out)
            if target:
                out.append(after)
                out.extend(target)
                out.append(token)
                index += 2
                continue
        out.append(token)
        index += 1
    return out


def _assigned(tokens: list[Token]) -> list[Token]:
    """The dotted name just before a compound operator (``sr.Name``), as tokens to repeat."""
    start = len(tokens)
    while start > 0:
        kind = tokens[start - 1].token_type
        expected = (TokenType.VAR, TokenType.IDENTIFIER) if (len(tokens) - start) % 2 == 0 else (TokenType.DOT,)
        if kind not in expected:
            break
        start -= 1
    if start < len(tokens) and tokens[start].token_type == TokenType.DOT:
        start += 1
    return tokens[start:]
