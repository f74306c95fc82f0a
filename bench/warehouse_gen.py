"""A synthetic warehouse for the benchmarks: layered tables, the SQL that builds them, and the
lineage that SQL describes.

Tables are laid out in six levels over four layers, the way many warehouses are:

    level 0  src   sources (no job writes them)
    level 1  stg   staging: one source each, cleaned, sometimes joined with a second source
    level 2  dw    warehouse core: joins of 2-3 staging tables
    level 3  dw    warehouse wide tables: joins of 2-3 core tables (sometimes a staging one)
    level 4  mart  marts: aggregates over 1-2 warehouse tables
    level 5  mart  roll-ups: aggregates over marts

so a column of the last level is five hops from a source. Every table is read by at least one table
of the next level when that level is not smaller (fan-out), joins read 2-3 tables (fan-in), and
output columns are copies, transformations, hashes (``sha2``/``md5``: masking), CASE expressions
and aggregates. Some inputs are read through a CTE that filters them.

One plan renders two ways:

* :meth:`Warehouse.sql_scripts` — one multi-statement Hive script per job (``WITH ... INSERT
  OVERWRITE TABLE ... SELECT`` with an explicit alias on every output column) plus
  :meth:`Warehouse.catalog` (``{"db.table": ["col", ...]}``), to benchmark SQL extraction;
* :meth:`Warehouse.lineage_batch` — the :class:`~tagline.graph.model.LineageBatch` that SQL stands
  for, built directly, to benchmark the store and the API without parsing.

Everything comes from one ``random.Random(seed)``: the same arguments give the same warehouse.

Run it to write a warehouse to a folder (``*.sql`` per job and ``catalog.json``)::

    python bench/warehouse_gen.py --tables 40 --columns 12 --out /tmp/wh
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tagline.graph.model import (
    Column,
    ColumnEdge,
    ColumnRef,
    Dataset,
    DatasetAccess,
    DatasetRef,
    Job,
    JobRef,
    LineageBatch,
    LineageType,
    Subtype,
    Transformation,
)

DEFAULT_NAMESPACE = "hive://warehouse"
DEFAULT_JOB_NAMESPACE = "airflow"
DIALECT = "hive"

# (database, share of the tables, kind of statement that builds the level)
LEVELS: tuple[tuple[str, float, str], ...] = (
    ("src", 0.25, "source"),
    ("stg", 0.25, "staging"),
    ("dw", 0.20, "join"),
    ("dw", 0.10, "join"),
    ("mart", 0.12, "aggregate"),
    ("mart", 0.08, "aggregate"),
)
LEVEL_TITLES = ("sources", "staging", "warehouse core", "warehouse wide", "marts", "mart roll-ups")
SCHEDULES = ("0 1 * * *", "30 2 * * *", "0 3 * * *", "30 3 * * *", "0 5 * * *", "0 6 * * *")

NOUNS = (
    "customers",
    "orders",
    "order_items",
    "payments",
    "cards",
    "products",
    "shipments",
    "returns",
    "invoices",
    "accounts",
    "sessions",
    "events",
    "campaigns",
    "stores",
    "suppliers",
    "refunds",
)
WORDS = (
    "email",
    "phone",
    "status",
    "amount",
    "country",
    "city",
    "postcode",
    "created_at",
    "updated_at",
    "channel",
    "currency",
    "price",
    "quantity",
    "discount",
    "name",
    "category",
    "score",
    "region",
    "device",
    "segment",
    "national_id",
    "birth_date",
    "address",
    "brand",
    "margin",
    "weight",
)
TRANSFORMS = (
    "lower(trim({c}))",
    "upper({c})",
    "round({c} * 1.2, 2)",
    "substr({c}, 1, 8)",
    "coalesce({c}, 'n/a')",
    "cast({c} AS string)",
)
PAIR_TRANSFORMS = ("concat_ws('-', {c}, {d})", "coalesce({c}, {d})")
HASHES = (("sha2({c}, 256)", "sha256"), ("md5({c})", "md5"))
AGGREGATES = (("sum", "sum", False), ("avg", "avg", False), ("max", "max", False), ("min", "min", False))


@dataclass(frozen=True)
class Table:
    level: int
    db: str
    name: str
    columns: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.db}.{self.name}"


@dataclass(frozen=True)
class Source:
    """An input column, as the SQL names it and as the lineage names it (through any CTE)."""

    ref: str  # `a.email_03`
    table: Table
    column: str


@dataclass(frozen=True)
class Output:
    """One output column of a statement and where its value comes from."""

    name: str
    expression: str
    direct: tuple[Source, ...]
    subtype: Subtype
    masking: bool = False
    conditions: tuple[Source, ...] = ()  # INDIRECT CONDITIONAL, for this column only


@dataclass
class Input:
    alias: str
    table: Table
    cte_filter: str | None = None  # filter column, when the input is read through a CTE
    used: list[str] = field(default_factory=list)

    @property
    def sql_name(self) -> str:
        return f"f_{self.alias}" if self.cte_filter else self.table.full_name

    def source(self, column: str) -> Source:
        if column not in self.used:
            self.used.append(column)
        return Source(ref=f"{self.alias}.{column}", table=self.table, column=column)


@dataclass
class Statement:
    target: Table
    inputs: list[Input]
    outputs: list[Output]
    joins: list[tuple[Source, Source]] = field(default_factory=list)  # (right key, left key)
    filters: list[Source] = field(default_factory=list)  # main WHERE
    group_by: list[Source] = field(default_factory=list)

    def indirect(self) -> list[tuple[Source, Subtype]]:
        """Columns that influence every output row: join keys, filters (CTE ones too), group keys."""
        found: list[tuple[Source, Subtype]] = []
        for right, left in self.joins:
            found += [(left, Subtype.JOIN), (right, Subtype.JOIN)]
        for inp in self.inputs:
            if inp.cte_filter:
                found.append((Source(ref="", table=inp.table, column=inp.cte_filter), Subtype.FILTER))
        found += [(s, Subtype.FILTER) for s in self.filters]
        found += [(s, Subtype.GROUP_BY) for s in self.group_by]
        return found

    def sql(self) -> str:
        lines: list[str] = []
        ctes = [i for i in self.inputs if i.cte_filter]
        for n, inp in enumerate(ctes):
            cols = list(dict.fromkeys(["id", *inp.used]))
            lines.append(("WITH " if n == 0 else ", ") + f"{inp.sql_name} AS (")
            lines.append("    SELECT " + ", ".join(f"x.{c}" for c in cols))
            lines.append(f"    FROM {inp.table.full_name} AS x")
            lines.append(f"    WHERE x.{inp.cte_filter} IS NOT NULL")
            lines.append(")")
        lines.append(f"INSERT OVERWRITE TABLE {self.target.full_name}")
        lines.append("SELECT")
        lines.append(",\n".join(f"    {o.expression} AS {o.name}" for o in self.outputs))
        first, *rest = self.inputs
        lines.append(f"FROM {first.sql_name} AS {first.alias}")
        for inp, (right, left) in zip(rest, self.joins, strict=True):
            kind = "LEFT JOIN" if inp.alias == "c" else "JOIN"
            lines.append(f"{kind} {inp.sql_name} AS {inp.alias} ON {right.ref} = {left.ref}")
        if self.filters:
            lines.append("WHERE " + " AND ".join(f"{s.ref} > 0" for s in self.filters))
        if self.group_by:
            lines.append("GROUP BY " + ", ".join(s.ref for s in self.group_by))
        return "\n".join(lines) + ";"


@dataclass
class JobPlan:
    name: str
    level: int
    statements: list[Statement]

    @property
    def file_name(self) -> str:
        return f"{self.name}.sql"

    def sql(self) -> str:
        head = f"-- {self.name}: builds {', '.join(s.target.full_name for s in self.statements)}\n"
        return head + "\n\n".join(s.sql() for s in self.statements) + "\n"


@dataclass
class Warehouse:
    tables: list[Table]
    jobs: list[JobPlan]
    namespace: str = DEFAULT_NAMESPACE
    job_namespace: str = DEFAULT_JOB_NAMESPACE
    dialect: str = DIALECT

    # ---- shape -------------------------------------------------------------------------------
    @property
    def column_count(self) -> int:
        return sum(len(t.columns) for t in self.tables)

    @property
    def statement_count(self) -> int:
        return sum(len(j.statements) for j in self.jobs)

    def level(self, n: int) -> list[Table]:
        return [t for t in self.tables if t.level == n]

    @property
    def last_level(self) -> int:
        return max(t.level for t in self.tables)

    def describe(self) -> str:
        per_level = ", ".join(f"{LEVEL_TITLES[n]} {len(self.level(n))}" for n in range(self.last_level + 1))
        return (
            f"{len(self.tables)} tables ({per_level}), {self.column_count} columns, "
            f"{len(self.jobs)} jobs, {self.statement_count} statements"
        )

    # ---- SQL ---------------------------------------------------------------------------------
    def catalog(self) -> dict[str, list[str]]:
        """Every table's columns, ``{"db.table": ["col", ...]}``."""
        return {t.full_name: list(t.columns) for t in self.tables}

    def sql_scripts(self) -> list[tuple[JobPlan, str]]:
        """One multi-statement Hive script per job, in an order where inputs are built first."""
        return [(job, job.sql()) for job in self.jobs]

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for job, text in self.sql_scripts():
            (folder / job.file_name).write_text(text)
        (folder / "catalog.json").write_text(json.dumps(self.catalog(), indent=1))

    # ---- lineage, built directly -------------------------------------------------------------
    def column_ref(self, table: Table, column: str) -> ColumnRef:
        return ColumnRef(namespace=self.namespace, dataset=table.full_name, field=column)

    def job_ref(self, job: JobPlan) -> JobRef:
        return JobRef(namespace=self.job_namespace, name=job.name)

    def job_batch(self, job: JobPlan) -> LineageBatch:
        """What one job's script says: its target columns, edges, reads and writes."""
        ref = self.job_ref(job)
        batch = LineageBatch(statements=len(job.statements))
        batch.jobs.append(Job(namespace=ref.namespace, name=ref.name, schedule=SCHEDULES[job.level]))
        for st in job.statements:
            batch.edges.extend(self._statement_edges(st, ref))
            batch.writes.append(DatasetAccess(job=ref, dataset=self._dataset_ref(st.target)))
            for table in dict.fromkeys(i.table for i in st.inputs):
                batch.reads.append(DatasetAccess(job=ref, dataset=self._dataset_ref(table)))
        return batch

    def lineage_batch(self) -> LineageBatch:
        """The whole warehouse as one batch: every dataset and column, every job's lineage."""
        batch = LineageBatch()
        for t in self.tables:
            batch.datasets.append(Dataset(namespace=self.namespace, name=t.full_name, kind="table"))
            batch.columns.extend(Column(namespace=self.namespace, dataset=t.full_name, field=c) for c in t.columns)
        for job in self.jobs:
            batch.extend(self.job_batch(job))
        return batch

    def _dataset_ref(self, table: Table) -> DatasetRef:
        return DatasetRef(namespace=self.namespace, name=table.full_name)

    def _statement_edges(self, st: Statement, job: JobRef) -> Iterator[ColumnEdge]:
        for out in st.outputs:
            target = self.column_ref(st.target, out.name)
            t = Transformation(type=LineageType.DIRECT, subtype=out.subtype, masking=out.masking)
            for src in dict.fromkeys(out.direct):
                yield ColumnEdge(
                    source=self.column_ref(src.table, src.column),
                    target=target,
                    transformation=t,
                    expression=out.expression,
                    job=job,
                )
            cond = Transformation(type=LineageType.INDIRECT, subtype=Subtype.CONDITIONAL)
            for src in dict.fromkeys(out.conditions):
                yield ColumnEdge(
                    source=self.column_ref(src.table, src.column),
                    target=target,
                    transformation=cond,
                    expression=out.expression,
                    job=job,
                )
        seen: set[tuple[str, str, Subtype]] = set()
        for src, subtype in st.indirect():
            if (src.table.full_name, src.column, subtype) in seen:
                continue
            seen.add((src.table.full_name, src.column, subtype))
            t = Transformation(type=LineageType.INDIRECT, subtype=subtype)
            for out in st.outputs:
                yield ColumnEdge(
                    source=self.column_ref(src.table, src.column),
                    target=self.column_ref(st.target, out.name),
                    transformation=t,
                    job=job,
                )


# ---- planning ----------------------------------------------------------------------------------


_ROOTS = sorted(WORDS, key=len, reverse=True)


def _root(column: str) -> str:
    """The word a column name grew from: `email_03_sha256` -> `email`, so names stay short."""
    return next((w for w in _ROOTS if column.startswith(w)), column.split("_", maxsplit=1)[0])


class _Names:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def unique(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.taken:
            name, n = f"{wanted}_{n}", n + 1
        self.taken.add(name)
        return name


class _Planner:
    def __init__(self, rng: random.Random, columns: int) -> None:
        self.rng = rng
        self.columns = columns

    def width(self) -> int:
        low = max(4, round(self.columns * 0.75))
        return self.rng.randint(low, max(low, round(self.columns * 1.25)))

    def source_table(self, level: int, db: str, index: int) -> Table:
        names = _Names()
        names.taken.add("id")
        cols = ["id"] + [names.unique(f"{self.rng.choice(WORDS)}_{n:02d}") for n in range(1, self.width())]
        return Table(level=level, db=db, name=f"{NOUNS[index % len(NOUNS)]}_{index:04d}", columns=tuple(cols))

    def pick_inputs(self, pools: Sequence[list[Table]], primary: Table, fan_in: int) -> list[Table]:
        chosen = [primary]
        candidates = [t for pool in pools for t in pool if t is not primary]
        self.rng.shuffle(candidates)
        chosen += candidates[: fan_in - 1]
        return chosen

    def non_aggregate(
        self, target_ref: tuple[int, str, str], inputs: list[Table], cte_chance: float, filter_chance: float
    ) -> Statement:
        level, db, name = target_ref
        rng = self.rng
        ins = [
            Input(alias="abc"[n], table=t, cte_filter=self._cte_filter(t) if n and rng.random() < cte_chance else None)
            for n, t in enumerate(inputs)
        ]
        if rng.random() < cte_chance / 2:
            ins[0].cte_filter = self._cte_filter(ins[0].table)
        names = _Names()
        outputs = [
            Output(
                name=names.unique("id"),
                expression=ins[0].source("id").ref,
                direct=(ins[0].source("id"),),
                subtype=Subtype.IDENTITY,
            )
        ]
        unused = {i.alias: [c for c in i.table.columns if c != "id"] for i in ins}
        for u in unused.values():
            rng.shuffle(u)
        weights = [3] + [2] * (len(ins) - 1)
        for _ in range(self.width() - 1):
            inp = rng.choices(ins, weights)[0]
            col = self._take(unused[inp.alias], inp.table)
            src = inp.source(col)
            roll = rng.random()
            if roll < 0.45:
                out = Output(names.unique(col if inp is ins[0] else _root(col)), src.ref, (src,), Subtype.IDENTITY)
            elif roll < 0.65:
                expr = rng.choice(TRANSFORMS).format(c=src.ref)
                out = Output(names.unique(f"{_root(col)}_clean"), expr, (src,), Subtype.TRANSFORMATION)
            elif roll < 0.73:
                other = rng.choice(ins)
                other_src = other.source(self._take(unused[other.alias], other.table))
                expr = rng.choice(PAIR_TRANSFORMS).format(c=src.ref, d=other_src.ref)
                out = Output(names.unique(f"{_root(col)}_combined"), expr, (src, other_src), Subtype.TRANSFORMATION)
            elif roll < 0.87:
                pattern, suffix = rng.choice(HASHES)
                out = Output(
                    names.unique(f"{_root(col)}_{suffix}"),
                    pattern.format(c=src.ref),
                    (src,),
                    Subtype.TRANSFORMATION,
                    masking=True,
                )
            else:
                other = rng.choice(ins)
                cond = other.source(self._take(unused[other.alias], other.table))
                expr = f"CASE WHEN {cond.ref} IS NULL THEN 'unknown' ELSE {src.ref} END"
                out = Output(
                    names.unique(f"{_root(col)}_or_unknown"),
                    expr,
                    (src,),
                    Subtype.TRANSFORMATION,
                    conditions=(cond,) if cond != src else (),
                )
            outputs.append(out)
        joins = [(inp.source("id"), ins[0].source("id")) for inp in ins[1:]]
        filters = [ins[0].source(self._take(unused["a"], ins[0].table))] if rng.random() < filter_chance else []
        target = Table(level=level, db=db, name=name, columns=tuple(o.name for o in outputs))
        return Statement(target=target, inputs=ins, outputs=outputs, joins=joins, filters=filters)

    def aggregate(self, target_ref: tuple[int, str, str], inputs: list[Table], cte_chance: float) -> Statement:
        level, db, name = target_ref
        rng = self.rng
        ins = [
            Input(alias="abc"[n], table=t, cte_filter=self._cte_filter(t) if n and rng.random() < cte_chance else None)
            for n, t in enumerate(inputs)
        ]
        names = _Names()
        unused = {i.alias: [c for c in i.table.columns if c != "id"] for i in ins}
        for u in unused.values():
            rng.shuffle(u)
        width = self.width()
        group_by: list[Source] = []
        outputs: list[Output] = []
        for _ in range(rng.randint(2, 3)):
            src = ins[0].source(self._take(unused["a"], ins[0].table))
            if src in group_by:
                continue
            group_by.append(src)
            outputs.append(Output(names.unique(_root(src.column)), src.ref, (src,), Subtype.IDENTITY))
        while len(outputs) < width:
            inp = rng.choice(ins)
            src = inp.source(self._take(unused[inp.alias], inp.table))
            if rng.random() < 0.2:
                out = Output(
                    names.unique(f"{_root(src.column)}_count"),
                    f"count(DISTINCT {src.ref})",
                    (src,),
                    Subtype.AGGREGATION,
                    masking=True,
                )
            else:
                fn, suffix, masking = rng.choice(AGGREGATES)
                out = Output(
                    names.unique(f"{_root(src.column)}_{suffix}"),
                    f"{fn}({src.ref})",
                    (src,),
                    Subtype.AGGREGATION,
                    masking,
                )
            outputs.append(out)
        joins = [(inp.source("id"), ins[0].source("id")) for inp in ins[1:]]
        target = Table(level=level, db=db, name=name, columns=tuple(o.name for o in outputs))
        return Statement(target=target, inputs=ins, outputs=outputs, joins=joins, group_by=group_by)

    def _cte_filter(self, table: Table) -> str:
        return self.rng.choice(table.columns[1:])

    def _take(self, unused: list[str], table: Table) -> str:
        if unused:
            return unused.pop()
        return self.rng.choice(table.columns[1:])


def generate(
    tables: int = 120,
    columns: int = 20,
    *,
    seed: int = 7,
    statements_per_job: int = 4,
    namespace: str = DEFAULT_NAMESPACE,
    job_namespace: str = DEFAULT_JOB_NAMESPACE,
) -> Warehouse:
    """Plan a warehouse of about ``tables`` tables of about ``columns`` columns each.

    Source tables have exactly their planned width; the others get about ``columns`` outputs
    (±25 %). At least one table per level.
    """
    if tables < len(LEVELS):
        raise ValueError(f"a warehouse needs at least {len(LEVELS)} tables, one per level")
    rng = random.Random(seed)
    planner = _Planner(rng, columns)
    counts = [max(1, round(tables * share)) for _, share, _ in LEVELS]
    counts[0] += tables - sum(counts)  # the remainder goes to the sources
    if counts[0] < 1:
        raise ValueError(f"too few tables ({tables}) for {len(LEVELS)} levels")

    levels: list[list[Table]] = []
    statements_by_level: list[list[Statement]] = []
    index = 0
    for level, ((db, _, kind), count) in enumerate(zip(LEVELS, counts, strict=True)):
        built: list[Table] = []
        statements: list[Statement] = []
        if kind == "source":
            for _ in range(count):
                index += 1
                built.append(planner.source_table(level, db, index))
        else:
            previous = levels[level - 1]
            # every table of the previous level is the primary input of at least one table here
            # when this level is not smaller (fan-out), in a shuffled order
            primaries = (previous * (count // len(previous) + 1))[:count]
            rng.shuffle(primaries)
            for primary in primaries:
                index += 1
                ref = (level, db, f"{NOUNS[index % len(NOUNS)]}_{index:04d}")
                if kind == "staging":
                    inputs = planner.pick_inputs([levels[0]], primary, 2 if rng.random() < 0.2 else 1)
                    st = planner.non_aggregate(ref, inputs, cte_chance=0.3, filter_chance=0.5)
                elif kind == "join":
                    pools = [previous] + ([levels[level - 2]] if rng.random() < 0.25 else [])
                    inputs = planner.pick_inputs(pools, primary, rng.choice((2, 2, 3)))
                    st = planner.non_aggregate(ref, inputs, cte_chance=0.3, filter_chance=0.3)
                else:
                    # roll-ups read one mart: aggregates keep no `id` to join on
                    fan_in = 2 if LEVELS[level - 1][2] != "aggregate" and rng.random() < 0.3 else 1
                    inputs = planner.pick_inputs([previous], primary, fan_in)
                    st = planner.aggregate(ref, inputs, cte_chance=0.2)
                built.append(st.target)
                statements.append(st)
        levels.append(built)
        statements_by_level.append(statements)

    jobs: list[JobPlan] = []
    for level, statements in enumerate(statements_by_level):
        db = LEVELS[level][0]
        for n, start in enumerate(range(0, len(statements), statements_per_job), start=1):
            jobs.append(
                JobPlan(
                    name=f"build_{db}_l{level}_{n:03d}",
                    level=level,
                    statements=statements[start : start + statements_per_job],
                )
            )
    return Warehouse(
        tables=[t for level in levels for t in level], jobs=jobs, namespace=namespace, job_namespace=job_namespace
    )


def tables_for_columns(target_columns: int, columns: int) -> int:
    """How many tables of about ``columns`` columns make about ``target_columns`` columns."""
    return max(len(LEVELS), round(target_columns / columns))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Write a synthetic warehouse: one Hive script per job plus catalog.json."
    )
    parser.add_argument("--tables", type=int, default=120)
    parser.add_argument("--columns", type=int, default=20, help="about this many columns per table")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    args = parser.parse_args(argv)
    wh = generate(args.tables, args.columns, seed=args.seed)
    wh.write(args.out)
    batch = wh.lineage_batch()
    print(f"{wh.describe()}; {len(batch.edges)} column edges; written to {args.out}")


if __name__ == "__main__":
    main()
