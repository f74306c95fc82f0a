"""``tagline ingest datax``: DataX job files, each a job named after its file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tagline.api.cli import common as cli
from tagline.api.services.datax_ingestion import ingest_datax_files

NAMESPACE_MAP_HELP = (
    "PREFIX=NAMESPACE: HDFS paths under PREFIX are Hive tables of NAMESPACE "
    "(hdfs://nn:8020/user/hive/warehouse=hive://metastore:9083 makes .../ods.db/users the table ods.users)."
)


def ingest_datax(
    files: Annotated[list[Path], typer.Argument(help="DataX job files (JSON).")],
    namespace_map: Annotated[list[str] | None, typer.Option(help=NAMESPACE_MAP_HELP)] = None,
    job_namespace: Annotated[str, typer.Option(help="Namespace of the jobs.")] = "datax",
    store: cli.StoreOption = None,
    create: cli.CreateOption = False,
) -> None:
    """Load DataX jobs: what each reader copies into each writer, column by column (credentials are never kept)."""
    mapping = cli.parse_namespace_map(namespace_map or [])
    graph = cli.open_store(store, create)
    try:
        with cli.progress_bar() as progress:
            task = progress.add_task("ingest datax", total=len(files), detail="")
            report = ingest_datax_files(
                graph,
                files,
                job_namespace,
                mapping,
                on_done=lambda path: progress.update(task, advance=1, detail=path.name),
            )
    finally:
        graph.close()
    cli.print_report(report, unit="jobs", position=graph.last_write)
