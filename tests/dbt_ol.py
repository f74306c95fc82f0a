"""dbt and OpenLineage's ``dbt-ol`` for the end-to-end tests, from their own environment.

``make dbt-ol`` installs deploy/dbt/requirements.txt into .venv/dbt-ol (dbt-core's pins clash with
the linters', so it is kept apart from Tagline's environment). The tests run the real commands:
``dbt seed``, ``dbt-ol run`` with ``OPENLINEAGE_URL`` pointed at a running Tagline, and
``dbt docs generate`` for the catalog ``tagline ingest dbt`` reads.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(os.environ.get("TAGLINE_DBT_OL_BIN", ROOT / ".venv" / "dbt-ol" / "bin"))
REQUIRE_ENV = "TAGLINE_REQUIRE_DBT"
MISSING = (
    f"dbt-ol tests need dbt and dbt-ol in {BIN} (`make dbt-ol` installs them): "
    f"install them, or set {REQUIRE_ENV}=1 to make this a failure"
)


def available() -> bool:
    return (BIN / "dbt").is_file() and (BIN / "dbt-ol").is_file()


def run(project: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """A dbt command (``dbt`` or ``dbt-ol``) in ``project``, its profile there too; its output."""
    environment = {
        **os.environ,
        # dbt-ol starts `dbt` from PATH.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DBT_PROFILES_DIR": str(project),
        "DUCKDB_PATH": str(project / "shop.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(env or {}),
    }
    result = subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr
