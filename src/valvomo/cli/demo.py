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

HEADLINE = (
    "access_7d",
    "access_14d",
    "urgent_next_working_day",
    "t3_days",
    "remote_share_20plus",
    "coci",
    "guidance_same_day",
    "physician_share",
    "assessment_recording",
    "top_decile_cost_share",
    "nps",
)

console = Console()

# The CLI's few words, in the three languages of the product.
HEADERS = {
    "fi": ("tunnusluku", "jakso", "arvo", "tavoite", "määräaika", "tila"),
    "sv": ("nyckeltal", "period", "värde", "mål", "tidsfrist", "status"),
    "en": ("indicator", "period", "value", "target", "deadline", "status"),
}
STATUS_TEXT = {
    "fi": {"met": "saavutettu", "on_track": "oikealla uralla", "off_track": "jäljessä", "no_data": "ei tietoa"},
    "sv": {"met": "uppnått", "on_track": "på rätt väg", "off_track": "efter", "no_data": "inga uppgifter"},
    "en": {"met": "met", "on_track": "on track", "off_track": "off track", "no_data": "no data"},
}
STATUS_COLOUR = {"met": "green", "on_track": "yellow", "off_track": "red", "no_data": "dim"}


def _format(value, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "index":
        return f"{value:.2f}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def headline_table(settings, lang: str) -> Table:
    """The county's headline indicators for the latest complete quarter, against their targets."""
    from valvomo.indicators import REGISTRY
    from valvomo.services.results import ResultStore
    from valvomo.services.targets import target_status, targets_for, upcoming_target

    store = ResultStore(settings)
    titles = {"fi": "Valvomo — maakunnan tunnusluvut", "sv": "Valvomo — välfärdsområdets nyckeltal", "en": "Valvomo — county headline indicators"}
    table = Table(title=titles.get(lang, titles["en"]))
    for header in HEADERS.get(lang, HEADERS["en"]):
        table.add_column(header)
    for indicator_id in HEADLINE:
        if indicator_id not in REGISTRY:
            continue
        entry = REGISTRY.get(indicator_id)
        try:
            rows = store.query([indicator_id], period="quarter")
        except Exception:  # an indicator whose tables are absent is simply not shown
            continue
        rows = [r for r in rows if "bin" not in r]
        if not rows:
            continue
        latest = rows[-1]
        target = upcoming_target(targets_for(indicator_id, settings), latest["period"])
        status = ""
        if target is not None:
            series = [(row["period"], row["value"]) for row in rows]
            state = target_status(series, target, entry.direction)
            words = STATUS_TEXT.get(lang, STATUS_TEXT["en"])[state]
            status = f"[{STATUS_COLOUR[state]}]{words}[/{STATUS_COLOUR[state]}]"
        table.add_row(
            entry.name(lang),
            latest["period"],
            _format(latest["value"], entry.unit),
            _format(target.value, entry.unit) if target else "",
            target.deadline if target else "",
            status,
        )
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        population: int = typer.Option(97_400, help="Residents of the synthetic county."),
        years: int = typer.Option(2, help="Years of records."),
        start: str = typer.Option("2024-01-01", help="First day of records (YYYY-MM-DD)."),
        seed: int = typer.Option(20240101, help="Random seed of the generator."),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard when done."),
        fresh: bool = typer.Option(False, help="Regenerate and reload even if the demo is already loaded."),
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

            url = f"http://{settings.host}:{settings.port}"
            console.print(f"\n[bold]Dashboard:[/bold] {url}  (Ctrl+C stops)\n")
            uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def _prepare_app_state(settings) -> list[tuple[str, str, str, list[str]]]:
    """Migrate the app database, load the example programmes and create the demo accounts."""
    from valvomo.appdb import upgrade_to_head
    from valvomo.programme.examples import load_examples
    from valvomo.web.auth import ensure_demo_users

    upgrade_to_head(settings)
    load_examples(settings)
    return ensure_demo_users(settings)
