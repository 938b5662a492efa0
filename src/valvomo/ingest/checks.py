"""Checks over whole tables: duplicate primary keys and references between tables.

These need every row at once, so they run in DuckDB over the staged Parquet
files (out of core, with spilling) rather than in Python sets: a national
extract of 50 million contact ids does not fit comfortably in a Python set.
Each check asks DuckDB for the failing rows only, cut to the room left in the
error collector, plus their total count.

A table *plan* says which rows the table will hold after the load: rows of the
new file, rows already stored (kept with ``--append`` or carried over when the
table is not in the folder), or both. The checks run on that future state, so
the published warehouse is consistent as a whole: replacing ``stations`` with a
file that lacks a station the stored contacts use is an error too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from valvomo.ingest.errors import ErrorCollector, ValidationError
from valvomo.schema import LOAD_ORDER, TABLES


@dataclass(frozen=True)
class TablePlan:
    """Where the rows of one table come from after the load."""

    name: str
    new_file: Path | None = None
    new_label: str | None = None
    stored_file: Path | None = None
    to_data_row: Callable[[int], int] = int

    @property
    def changes(self) -> bool:
        return self.new_file is not None

    @property
    def stored_label(self) -> str:
        return f"{self.name} (stored in the warehouse)"


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _view_sql(plan: TablePlan) -> str:
    parts = []
    if plan.new_file is not None:
        parts.append(
            f"SELECT *, file_row_number + 1 AS __row, TRUE AS __new "
            f"FROM read_parquet({_literal(plan.new_file)}, file_row_number = true)"
        )
    if plan.stored_file is not None:
        parts.append(
            f"SELECT *, file_row_number + 1 AS __row, FALSE AS __new "
            f"FROM read_parquet({_literal(plan.stored_file)}, file_row_number = true)"
        )
    return f"CREATE VIEW final_{plan.name} AS " + " UNION ALL BY NAME ".join(parts)


CHECK_MEMORY_LIMIT = "256MB"  # DuckDB's limit for the checks when VALVOMO_DUCKDB_MEMORY_LIMIT is not set


def _literal_text(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _show(values: tuple) -> str:
    return ", ".join("" if v is None else str(v) for v in values)


class SetChecks:
    """Duplicate-key and reference checks over the planned tables (see module docstring)."""

    def __init__(
        self,
        plans: Mapping[str, TablePlan],
        collector: ErrorCollector,
        spill_dir: Path,
        failed: Collection[str] = (),
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
    ):
        self.plans = dict(plans)
        self.collector = collector
        # Tables whose new file already has errors (or could not be read to the end): references into them
        # are summarised in one line, so the root cause is not buried under its consequences.
        self.failed = frozenset(failed)
        self.con = duckdb.connect()
        spill_dir.mkdir(parents=True, exist_ok=True)
        self.con.execute(f"SET temp_directory = {_literal(spill_dir)}")
        self.con.execute("SET preserve_insertion_order = false")
        # Without a limit DuckDB holds the key windows of every row in memory (80 % of RAM is its own
        # default): 1.2 GB at 26.6 M contacts. With one it spills to ``spill_dir``, so the checks' memory
        # stays bounded whatever the row count (docs/performance.md, "Ingest").
        self.con.execute(f"SET memory_limit = {_literal_text(memory_limit or CHECK_MEMORY_LIMIT)}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        for plan in self.plans.values():
            self.con.execute(_view_sql(plan))

    def close(self) -> None:
        self.con.close()

    def run(self) -> None:
        for name in LOAD_ORDER:
            plan = self.plans.get(name)
            if plan is not None and plan.changes and TABLES[name].primary_key:
                self.duplicate_keys(plan)
        for name in LOAD_ORDER:
            plan = self.plans.get(name)
            if plan is None:
                continue
            for column, (parent, parent_column) in TABLES[name].references.items():
                parent_plan = self.plans.get(parent)
                if parent_plan is not None and (plan.changes or parent_plan.changes):
                    self.references(plan, column, parent_plan, parent_column)

    def _location(self, plan: TablePlan, row: int, new: bool) -> tuple[str, int]:
        if new:
            return plan.new_label or plan.name, plan.to_data_row(row)
        return plan.stored_label, row

    def duplicate_keys(self, plan: TablePlan) -> None:
        keys = TABLES[plan.name].primary_key
        key_list = ", ".join(keys)
        not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        window = f"PARTITION BY {key_list} ORDER BY __new, __row"
        rows = self.con.execute(
            f"""
            WITH candidates AS (SELECT {key_list}, __row, __new FROM final_{plan.name} WHERE {not_null}),
            duplicated AS (SELECT {key_list} FROM candidates GROUP BY ALL HAVING count(*) > 1),
            ranked AS (
                SELECT c.*, row_number() OVER ({window}) AS rank,
                       first_value(__row) OVER ({window}) AS first_row,
                       first_value(__new) OVER ({window}) AS first_new
                FROM candidates c SEMI JOIN duplicated USING ({key_list})
            )
            SELECT {key_list}, __row, __new, first_row, first_new, count(*) OVER () AS total
            FROM ranked WHERE rank > 1 ORDER BY __new DESC, __row LIMIT ?
            """,
            [max(self.collector.room, 1)],
        ).fetchall()
        if not rows:
            return
        total = rows[0][-1]
        shown = rows[: self.collector.room]
        for record in shown:
            key = record[: len(keys)]
            row, new, first_row, first_new = record[len(keys) : len(keys) + 4]
            file, data_row = self._location(plan, row, new)
            first_file, first_data_row = self._location(plan, first_row, first_new)
            where = f"row {first_data_row}" if first_file == file else f"row {first_data_row} of {first_file}"
            self.collector.add(
                ValidationError(
                    file,
                    data_row,
                    key_list,
                    _show(key),
                    f"duplicate primary key ({key_list}); the same key is already in {where}",
                )
            )
        self.collector.total += total - len(shown)

    def references(self, child: TablePlan, column: str, parent: TablePlan, parent_column: str) -> None:
        if parent.name in self.failed:
            self._summarise_references(child, column, parent, parent_column)
            return
        rows = self.con.execute(
            f"""
            SELECT c.{column}, c.__row, c.__new, count(*) OVER () AS total
            FROM final_{child.name} c
            WHERE c.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM final_{parent.name} p WHERE p.{parent_column} = c.{column})
            ORDER BY c.__new DESC, c.__row LIMIT ?
            """,
            [max(self.collector.room, 1)],
        ).fetchall()
        if not rows:
            return
        total = rows[0][-1]
        shown = rows[: self.collector.room]
        origins = [parent.new_label if parent.new_file else None, "stored" if parent.stored_file else None]
        parent_source = " + ".join(origin for origin in origins if origin)
        for value, row, new, _ in shown:
            file, data_row = self._location(child, row, new)
            self.collector.add(
                ValidationError(
                    file,
                    data_row,
                    column,
                    str(value),
                    f"unknown {column}: no row of {parent.name} ({parent_source}) has {parent_column} equal to it",
                )
            )
        self.collector.total += total - len(shown)

    def _summarise_references(self, child: TablePlan, column: str, parent: TablePlan, parent_column: str) -> None:
        """One error for all references into a table whose file failed validation."""
        failing = self.con.execute(
            f"""
            SELECT count(*), min(c.__row) FILTER (WHERE c.__new), bool_or(c.__new)
            FROM final_{child.name} c
            WHERE c.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM final_{parent.name} p WHERE p.{parent_column} = c.{column})
            """
        ).fetchone()
        count, first_row, any_new = failing
        if not count:
            return
        file, data_row = self._location(child, first_row, True) if any_new else (child.stored_label, None)
        parent_file = parent.new_label or parent.name
        self.collector.add(
            ValidationError(
                file,
                None,
                column,
                None,
                f"{count:,} row(s) (the first is row {data_row}) refer to a {parent_column} not found in "
                f"{parent_file}, which has errors of its own (listed first); fix {parent_file} and check "
                "again before looking at these"
                if data_row is not None
                else f"{count:,} stored row(s) refer to a {parent_column} not found in {parent_file}, which "
                f"has errors of its own (listed first); fix {parent_file} first",
            )
        )
