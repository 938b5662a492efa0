"""`valvomo demo`: the main job on the embedded default, end to end.

Synthetic demo county -> validated ingest into the warehouse -> indicators
materialised -> example programmes and demo accounts -> headline table with
targets -> the dashboard. Every step is the same code a county runs on its
own data; only the source folder is synthetic.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()

STATUS_COLOUR = {"met": "green", "on_track": "yellow", "off_track": "red", "not_met": "red", "no_data": "dim",
                 "no_target": "dim"}


def headline_table(settings, lang: str) -> Table:
    """The county's headline indicators for the latest complete quarter, against their targets."""
    from valvomo.disclosure import format_cell
    from valvomo.indicators import REGISTRY
    from valvomo.indicators.registry import UnsupportedQueryError
    from valvomo.services.catalogue import HEADLINE_INDICATORS
    from valvomo.services.i18n import gettext as _
    from valvomo.services.periods import format_period_label
    from valvomo.services.results import ResultStore
    from valvomo.services.targets import STATUS_MSGIDS, indicator_status
    from valvomo.warehouse.sources import MissingTableError

    store = ResultStore(settings)
    table = Table(title=_(lang, "Valvomo — county headline indicators"))
    for header in ("Indicator", "Period", "Value", "Target", "Deadline", "Status"):
        table.add_column(_(lang, header))
    for indicator_id in HEADLINE_INDICATORS:
        if indicator_id not in REGISTRY:
            continue
        entry = REGISTRY.get(indicator_id)
        try:
            rows = store.query([indicator_id], period="quarter")
        except (UnsupportedQueryError, MissingTableError):  # its tables are absent: not shown
            continue
        rows = sorted((r for r in rows if "bin" not in r), key=lambda r: r["period"])
        if not rows:
            continue
        latest = rows[-1]
        target, evaluation = indicator_status(indicator_id, [(r["period"], r["value"]) for r in rows], settings)
        colour = STATUS_COLOUR[evaluation.status]
        status = f"[{colour}]{_(lang, STATUS_MSGIDS[evaluation.status])}[/{colour}]"
        table.add_row(
            entry.name(lang),
            format_period_label(latest["period"]),
            format_cell(latest["value"], bool(latest.get("suppressed")), lang, unit=entry.unit),
            format_cell(target.value, False, lang, profile="none", unit=entry.unit) if target else "",
            format_period_label(target.deadline) if target else "",
            status,
        )
    return table


def register(app: typer.Typer) -> None:
    @app.command(help="Generate the demo county, ingest it, compute the indicators and serve the dashboard.")
    def demo(
        population: int = typer.Option(97_400, help="Residents of the synthetic county."),
        years: int = typer.Option(2, help="Years of records."),
        start: str = typer.Option("2024-01-01", help="First day of records (YYYY-MM-DD)."),
        seed: int = typer.Option(20240101, help="Random seed of the generator."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard when done."),
        fresh: bool = typer.Option(False, help="Regenerate and reload even if the demo is already loaded."),
        host: str = typer.Option(None, "--host", help="Address to bind (default: settings.host, 127.0.0.1)."),
        port: int = typer.Option(None, "--port", min=1, max=65535, help="Port (default: settings.port, 8000)."),
    ) -> None:
        """Generate the demo county, ingest it, compute the indicators and serve the dashboard."""
        from valvomo.config import get_settings
        from valvomo.ingest import ingest_folder
        from valvomo.services.results import ResultStore
        from valvomo.synth import generate

        settings = get_settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        try:
            first_day = dt.date.fromisoformat(start)
        except ValueError:
            raise typer.BadParameter(f"--start must be a date YYYY-MM-DD, got {start!r}") from None
        source = settings.home / "demo-county"
        marker = source / ".complete"
        wanted = f"{population}:{years}:{start}:{seed}"
        if fresh or not marker.exists() or marker.read_text() != wanted:
            console.rule("1/4 synthetic county")
            generate(Path(source), population=population, years=years, start=first_day, seed=seed, fmt="parquet")
            marker.write_text(wanted)
            console.rule("2/4 ingest")
            ingest_folder(settings, source, append=False, progress=True)
        else:
            console.print(f"[dim]demo county already loaded from {source} (use --fresh to rebuild)[/dim]")
        console.rule("3/4 indicators")
        ResultStore(settings).materialise(progress=True)
        console.rule("4/4 programmes and accounts")
        accounts = _prepare_app_state(settings)
        console.print(headline_table(settings, settings.language))
        if accounts:
            users = Table(title="Demo accounts")
            for header in ("user", "password", "role", "stations"):
                users.add_column(header)
            for username, password, role, stations in accounts:
                users.add_row(username, password, role, ", ".join(stations))
            console.print(users)
        if serve:
            import uvicorn

            from valvomo.web.app import create_app

            bind_host, bind_port = host or settings.host, port or settings.port
            url = f"http://{bind_host}:{bind_port}"
            console.print(f"\n[bold]Dashboard:[/bold] {url}  (Ctrl+C stops)\n")
            uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="warning")


def _prepare_app_state(settings) -> list[tuple[str, str, str, list[str]]]:
    """Migrate the app database, load the example programmes and create the demo accounts."""
    from valvomo.appdb import upgrade_to_head
    from valvomo.programme.examples import load_examples
    from valvomo.web.auth import ensure_demo_users

    upgrade_to_head(settings)
    load_examples(settings)
    return ensure_demo_users(settings)
