"""``valvomo synth``: write the synthetic county (demo and test data) to a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from valvomo.schema import LOAD_ORDER

FORMATS = ("csv", "parquet")


def _parse_start(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date as YYYY-MM-DD, got {value!r}", param_hint="--start"
        ) from None


def synth(
    population: int = typer.Option(97_400, "--population", help="Number of residents (at least 100)."),
    years: int = typer.Option(2, "--years", help="Length of the period in years (1-20)."),
    start: str = typer.Option("2024-01-01", "--start", help="First day of the period, YYYY-MM-DD."),
    seed: int = typer.Option(20240101, "--seed", help="Random seed; the same seed gives identical files."),
    out: Path = typer.Option(Path("synthetic-county"), "--out", help="Folder to write the tables into."),
    fmt: str = typer.Option("csv", "--format", help="File format: csv or parquet."),
) -> None:
    """Write a synthetic Itä-Uusimaa-like county (all canonical tables + manifest.json)."""
    from valvomo.synth import generate

    start_date = _parse_start(start)
    if population < 100:
        raise typer.BadParameter(f"must be at least 100, got {population}", param_hint="--population")
    if not 1 <= years <= 20:
        raise typer.BadParameter(f"must be from 1 to 20, got {years}", param_hint="--years")
    if seed < 0:
        raise typer.BadParameter(f"must be zero or positive, got {seed}", param_hint="--seed")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be csv or parquet, got {fmt!r}", param_hint="--format")
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} exists and is not a folder", param_hint="--out")
    try:
        summary = generate(out, population=population, years=years, start=start_date, seed=seed, fmt=fmt)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None

    table = Table(title=f"Synthetic county in {summary.out_dir}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name in LOAD_ORDER:
        table.add_row(f"{name}.{fmt}", f"{summary.rows.get(name, 0):,}".replace(",", " "))
    console = Console()
    console.print(table)
    console.print(
        f"{population:,} residents".replace(",", " ")
        + f", {years} year(s) from {start_date.isoformat()}, seed {seed}: {summary.elapsed_seconds:.1f} s"
    )


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
