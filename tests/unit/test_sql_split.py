"""Splitting a script into statements: numbering, first lines, and semicolons that do not split."""

from __future__ import annotations

from tagline.ingest.dialects import resolve_dialect
from tagline.ingest.sql.split import split_statements

HIVE = resolve_dialect("hive")


def test_semicolons_in_strings_and_comments_do_not_split() -> None:
    text = "SELECT 'a;b' AS x; -- not here;\nSELECT 2 /* nor ; here */;\n\n;;SELECT 3"
    statements = split_statements(text, HIVE)
    assert [(s.number, s.line, s.text) for s in statements] == [
        (1, 1, "SELECT 'a;b' AS x"),
        (2, 2, "SELECT 2"),
        (3, 4, "SELECT 3"),
    ]


def test_statements_without_a_final_semicolon_and_leading_comments() -> None:
    text = "-- header\n\nINSERT INTO t\nSELECT 1"
    (statement,) = split_statements(text, HIVE)
    assert (statement.line, statement.text) == (3, "INSERT INTO t\nSELECT 1")


def test_an_unterminated_string_fails_alone_after_the_good_statements() -> None:
    text = "SELECT 1;\nSELECT 'x;y';\nSELECT 'oops;\nSELECT 4"
    statements = split_statements(text, HIVE)
    assert [(s.number, s.line, s.text, s.tokens is None) for s in statements] == [
        (1, 1, "SELECT 1", False),
        (2, 2, "SELECT 'x;y'", False),
        (3, 3, "SELECT 'oops;\nSELECT 4", True),
    ]
    second = statements[1]
    assert second.tokens is not None and second.tokens[0].line + second.line_offset == 2


def test_blank_script_has_no_statements() -> None:
    assert split_statements(" \n ; ;\n-- only a comment\n", HIVE) == []
