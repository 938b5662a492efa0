"""CLI: `valvomo ingest DIR`, `valvomo warehouse-info`, `valvomo docs data-model`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from valvomo.cli._help import LocalisedTyper
from valvomo.config import get_settings
from valvomo.ingest import IngestError, ingest_folder
from valvomo.ingest.errors import display_value
from valvomo.schema.docs import render_data_model, write_data_model
from valvomo.warehouse.store import Warehouse

docs_app = LocalisedTyper(help="Generate documentation pages from the code.", no_args_is_help=False)


def _default_docs_dir() -> Path:
    """The repository's docs/ when running from a checkout, else ./docs."""
    checkout = Path(__file__).resolve().parents[3] / "docs"
    return checkout if checkout.is_dir() else Path.cwd() / "docs"


def ingest(
    folder: Path = typer.Argument(
        ..., help="Folder with <table>.csv or <table>.parquet files (contacts is required)."
    ),
    append: bool = typer.Option(
        False, "--append", help="Add rows to the stored tables instead of replacing them."
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Show progress bars (only on a terminal)."
    ),
    materialise: bool = typer.Option(
        True,
        "--materialise/--no-materialise",
        help="Compute and store the indicator results for the new snapshot (the dashboard and API read them).",
    ),
) -> None:
    """Validate a folder of canonical tables and load it into the warehouse atomically."""
    # Error and warning lines carry data values: no markup, no emoji codes (":x:"), no highlighting.
    out = Console(emoji=False, markup=False, highlight=False)
    err = Console(stderr=True, emoji=False, markup=False, highlight=False)
    try:
        result = ingest_folder(get_settings(), folder, append=append, progress=progress)
    except IngestError as exc:
        err.print(exc.summary, style="bold red", markup=False, highlight=False, soft_wrap=True)
        for error in exc.errors:
            parts = [error.location()]
            if error.column is not None:
                parts.append(error.column)
            if error.value is not None:
                parts.append(display_value(error.value))
            err.print(f"{'  '.join(parts)} — {error.message}", markup=False, highlight=False, soft_wrap=True)
        if exc.more > 0:
            err.print(f"... and {exc.more} more", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    for warning in result.warnings:
        err.print(f"warning: {warning}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    table = Table(title=f"Loaded {result.source} ({result.mode}) in {result.seconds:.1f} s")
    table.add_column("table")
    table.add_column("rows loaded", justify="right")
    table.add_column("rows stored", justify="right")
    for name, stored in result.row_counts.items():
        loaded = result.tables.get(name)
        table.add_row(name, "—" if loaded is None else f"{loaded:,}", f"{stored:,}")
    out.print(table)
    out.print(f"snapshot {result.snapshot_id}", markup=False, highlight=False, soft_wrap=True)
    if materialise:
        from valvomo.services.results import ResultStore

        report = ResultStore(get_settings()).materialise(progress=progress)
        out.print(
            f"indicator results stored: {report.rows:,} rows, {report.combinations} combinations "
            f"in {report.seconds:.1f} s",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def warehouse_info() -> None:
    """Show the published warehouse snapshot: id, source and rows per table."""
    settings = get_settings()
    warehouse = Warehouse(settings)
    out = Console(emoji=False, markup=False, highlight=False)  # the source folder is printed as it is
    snapshot = warehouse.snapshot
    if snapshot is None:
        out.print(
            f"The warehouse at {warehouse.root} is empty; load data with `valvomo ingest DIR`.", markup=False
        )
        return
    table = Table(title=f"Warehouse {warehouse.root}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in warehouse.row_counts().items():
        table.add_row(name, f"{rows:,}")
    out.print(table)
    out.print(
        f"snapshot {snapshot.id}, created {snapshot.created_at}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if snapshot.source:
        out.print(
            f"loaded from {snapshot.source.get('folder')} ({snapshot.source.get('mode')})", markup=False
        )
    if snapshot.manifest:
        out.print(f"manifest {snapshot.manifest}", markup=False, highlight=False, soft_wrap=True)


@docs_app.callback(invoke_without_command=True)
def docs(ctx: typer.Context) -> None:
    """Regenerate every generated documentation page (without a sub-command)."""
    if ctx.invoked_subcommand is None:
        data_model(output=None, check=False)


@docs_app.command("data-model")
def data_model(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Where to write (default: docs/data-model.md)."
    ),
    check: bool = typer.Option(False, "--check", help="Do not write; exit 1 if the page is out of date."),
) -> None:
    """Render docs/data-model.md from the schema (valvomo.schema)."""
    path = output or _default_docs_dir() / "data-model.md"
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != render_data_model():
            Console(stderr=True).print(f"{path} is out of date; run `valvomo docs data-model`", markup=False)
            raise typer.Exit(1)
        return
    changed = write_data_model(path)
    Console().print(f"{path} {'written' if changed else 'already up to date'}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("warehouse-info")(warehouse_info)
    app.add_typer(docs_app, name="docs")
