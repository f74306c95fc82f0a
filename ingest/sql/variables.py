"""Hive and Spark variable substitution: ``SET hivevar:day=2024-01-01;`` then ``${hivevar:day}``.

Hive, Beeline and Spark SQL replace ``${name}``, ``${hivevar:name}``, ``${hiveconf:name}`` and
``${var:name}`` by text before parsing, so ETL scripts name their tables through them
(``INSERT OVERWRITE TABLE ${target_db}.orders``). The extractor does the same with the values the
script itself sets, each from its ``SET`` on; a reference with no value in the script (one passed with
``--hivevar`` on the command line) is left as written, which the parsers read as a parameter.
"""

from __future__ import annotations

import re

_SET = re.compile(
    r"^[ \t]*SET[ \t]+(?:(?:hivevar|hiveconf|var):)?([\w.]+)[ \t]*=[ \t]*([^;\n]*?)[ \t]*(?:;|$)",
    re.IGNORECASE | re.MULTILINE,
)
_REFERENCE = re.compile(r"\$\{(?:(?:hivevar|hiveconf|var):)?([\w.]+)\}", re.IGNORECASE)


def substitute_variables(text: str) -> str:
    """``text`` with every ``${...}`` the script has set before it replaced by its value."""
    if "${" not in text:
        return text
    settings = [(m.end(), m.group(1).lower(), m.group(2)) for m in _SET.finditer(text)]
    if not settings:
        return text
    values: dict[str, str] = {}
    next_setting = 0

    def value(match: re.Match[str]) -> str:
        nonlocal next_setting
        while next_setting < len(settings) and settings[next_setting][0] <= match.start():
            _, name, set_to = settings[next_setting]
            values[name] = _REFERENCE.sub(lambda m: values.get(m.group(1).lower(), m.group(0)), set_to)
            next_setting += 1
        return values.get(match.group(1).lower(), match.group(0))

    return _REFERENCE.sub(value, text)
