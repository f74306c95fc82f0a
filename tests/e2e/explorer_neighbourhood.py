"""Column-lineage neighbourhoods of a chosen size for the explorer's browser tests and
bench/explorer.py: one source column, ``src.events.x``, feeding every column of as many
100-column tables as it takes, so the neighbourhood holds exactly ``edges`` column edges one hop
downstream (DIRECT), spread over ``ceil(edges / 100)`` datasets."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from tests.e2e.conftest import run_cli

NAMESPACE = "hive://wide"
WIDTH = 100


def neighbourhood_sql(edges: int) -> str:
    """INSERT statements whose output columns all derive from ``src.events.x``: ``edges`` in all."""
    statements = []
    for table, first in enumerate(range(0, edges, WIDTH), start=1):
        width = min(WIDTH, edges - first)
        columns = ", ".join(f"s.x + {c} AS c{c:03d}" for c in range(1, width + 1))
        statements.append(f"INSERT INTO wide.t{table:03d} SELECT {columns} FROM src.events s;")
    return "\n".join(statements) + "\n"


def build(folder: Path, edges: int) -> str:
    """A store in ``folder`` holding the neighbourhood of ``edges`` column edges; its path."""
    sql = folder / f"wide-{edges}.sql"
    sql.write_text(neighbourhood_sql(edges))
    store = str(folder / f"wide-{edges}.db")
    run_cli("ingest", "sql", str(sql), "--dialect", "hive", "--namespace", NAMESPACE, "--store", store, "--create")
    return store


def column_path(**params: str) -> str:
    """The explorer's address of the neighbourhood's source column, with more ``params``."""
    extra = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    return f"/ui/column?namespace={quote(NAMESPACE)}&dataset=src.events&field=x&up=1&down=1{extra}"
