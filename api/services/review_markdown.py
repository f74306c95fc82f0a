"""A review as a pull-request comment: a one-line verdict, then a table per kind of finding, with
links into the lineage explorer when its address is known. Works from the JSON answer alone, so a
comment made from a server's ``previewChange`` reads the same as one made by the CLI."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

# Rows shown per table; the rest are counted (the JSON answer holds them all).
MAX_ROWS = 50


def render_markdown(
    found: dict[str, Any], title: str, fired: list[str] | None = None, ui_url: str | None = None
) -> str:
    """``title`` says what was reviewed (a job, a manifest); ``fired``: the --fail-on rules it trips."""
    link = _Linker(ui_url)
    lines = [_verdict(found, title, fired or []), ""]
    edges = [(e, "added") for e in found["edges"]["added"]] + [(e, "removed") for e in found["edges"]["removed"]]
    # The edges that carry values are the news; join, filter and group-by keys are counted.
    direct = [(e, kind) for e, kind in edges if e["transformation"]["type"] == "DIRECT"]
    _table(
        lines,
        "Column lineage",
        ["change", "source", "target", "transformation"],
        [[kind, link.column(e["source"]), link.column(e["target"]), _transformation(e)] for e, kind in direct],
    )
    indirect = {kind: sum(1 for e, k in edges if k == kind and (e, k) not in direct) for kind in ("added", "removed")}
    if any(indirect.values()):
        lines.append(
            f"Indirect edges (joins, filters, grouping): {indirect['added']} added, {indirect['removed']} removed."
        )
        lines.append("")
    tags = [(t, "gained") for t in found["tags"]["gained"]] + [(t, "lost") for t in found["tags"]["lost"]]
    _table(
        lines,
        "Tags",
        ["change", "column", "tag", "path"],
        [
            [kind, link.column(t["column"]), f"`{t['tag']}`", " → ".join(_name(c) for c in t["path"])]
            for t, kind in tags
        ],
    )
    _table(
        lines,
        "Broken: these columns would lose every source of their value",
        ["column"],
        [[link.column(c)] for c in found["broken"]],
    )
    deps = [(d, "added") for d in found["dependencies"]["added"]] + [
        (d, "removed") for d in found["dependencies"]["removed"]
    ]
    _table(
        lines,
        "Scheduling dependencies",
        ["change", "job", "waits for", "because it writes"],
        [
            [kind, link.job(d["job"]), link.job(d["upstream"]), ", ".join(_named(s) for s in d["datasets"])]
            for d, kind in deps
        ],
    )
    violations = [(v, "created") for v in found["violations"]["created"]] + [
        (v, "cleared") for v in found["violations"]["cleared"]
    ]
    _table(
        lines,
        "Sensitivity violations",
        ["change", "column", "kind", "why"],
        [[kind, link.column(v["column"]), v["kind"], v["message"]] for v, kind in violations],
    )
    down = found["downstream"]
    if down["columns"] or down["jobs"]:
        lines.append(
            f"**Downstream**: {len(down['columns'])} columns in {len(down['datasets'])} datasets; "
            f"jobs reading them: {', '.join(link.job(j) for j in down['jobs'][:MAX_ROWS]) or 'none'}"
        )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _verdict(found: dict[str, Any], title: str, fired: list[str]) -> str:
    counts = [
        (len(found["edges"]["added"]), "column edge added", "column edges added"),
        (len(found["edges"]["removed"]), "column edge removed", "column edges removed"),
        (len(found["tags"]["gained"]), "tag gained", "tags gained"),
        (len(found["tags"]["lost"]), "tag lost", "tags lost"),
        (len(found["broken"]), "column broken", "columns broken"),
        (
            len(found["dependencies"]["added"]) + len(found["dependencies"]["removed"]),
            "dependency changed",
            "dependencies changed",
        ),
        (len(found["violations"]["created"]), "violation created", "violations created"),
    ]
    said = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n) or "no lineage change"
    mark = f"❌ fails {', '.join(f'`{r}`' for r in fired)}" if fired else "✅"
    return f"**Tagline review of {title}** {mark}: {said}."


def _table(lines: list[str], heading: str, header: list[str], rows: list[list[str]]) -> None:
    if not rows:
        return
    lines.append(f"#### {heading}")
    lines.append("")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines.extend("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[:MAX_ROWS])
    if len(rows) > MAX_ROWS:
        lines.append(f"\n…and {len(rows) - MAX_ROWS} more (the JSON answer lists them all).")
    lines.append("")


def _name(column: dict[str, str]) -> str:
    return f"{column['dataset']}.{column['field']}"


def _named(ref: dict[str, str]) -> str:
    return f"`{ref['name']}`"


def _transformation(edge: dict[str, Any]) -> str:
    t = edge["transformation"]
    text = f"{t['type']}/{t['subtype']}" if t["subtype"] else t["type"]
    return text + (" (masked)" if t["masking"] else "")


class _Linker:
    def __init__(self, ui_url: str | None) -> None:
        self.base = ui_url.rstrip("/") if ui_url else None

    def column(self, column: dict[str, str]) -> str:
        text = f"`{_name(column)}`"
        if self.base is None:
            return text
        query = urlencode({k: column[k] for k in ("namespace", "dataset", "field")})
        return f"[{text}]({self.base}/column?{query})"

    def job(self, job: dict[str, str]) -> str:
        text = _named(job)
        if self.base is None:
            return text
        return f"[{text}]({self.base}/job?{urlencode({'namespace': job['namespace'], 'name': job['name']})})"
