"""`valvomo simulate run|compare|search|calibrate`: capacity and channel scenarios from the terminal.

Every command reads the warehouse's current snapshot through its stored
calibration (fitted on first use, docs/simulation.md) and shows a progress bar
while replications run. A bad scenario file is reported with its YAML path and
line, exit code 2, no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from valvomo.cli._help import LocalisedTyper

simulate_app = LocalisedTyper(help="Capacity and channel scenarios: will a station meet the 7-day care guarantee?",
                              no_args_is_help=True)  # fmt: skip
err = Console(stderr=True)
MEASURES = ("access_7d", "mean_wait", "t3_days", "utilisation", "remote_resolution", "coci")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True, markup=True)
    return typer.Exit(code=2)


def _settings():
    from valvomo.config import get_settings

    return get_settings()


def _progress(label: str) -> Progress:
    return Progress(TextColumn(f"{label:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err)


def _scenario(path: Path | None):
    from valvomo.simulation.scenario import BASELINE, load_scenario

    return BASELINE if path is None else load_scenario(path)


def _spec(seed: int, replications: int, workers: int):
    from valvomo.simulation.runner import RunSpec

    try:
        return RunSpec(seed=seed, replications=replications, workers=workers)
    except ValueError as error:
        raise _fail(str(error)) from None


def _run(request, label: str) -> dict:
    from valvomo.simulation.calibrate import CalibrationError
    from valvomo.simulation.scenario import ScenarioError
    from valvomo.simulation.service import simulate_request
    from valvomo.warehouse.sources import MissingTableError

    settings = _settings()
    try:
        with _progress(label) as bar:
            task = bar.add_task(label, total=None)
            return simulate_request(settings, request, lambda done, total: bar.update(task, completed=done, total=total))
    except ScenarioError as error:
        raise _fail(str(error)) from None
    except (CalibrationError, MissingTableError) as error:
        raise _fail(str(error)) from None


def _lang() -> str:
    return _settings().language


def _results_table(result: dict, lang: str) -> Table:
    from valvomo.web.i18n import gettext
    from valvomo.web.simulation_text import LABELS, MEASURE_LABELS, difference_text, interval_text

    scenario = result.get("scenario_results")
    table = Table(title=result["scenario"]["name"], caption=gettext(lang, LABELS["simulated_note"]), caption_justify="left")
    table.add_column(gettext(lang, LABELS["station"]))
    table.add_column("")
    table.add_column(gettext(lang, LABELS["baseline"]), justify="right")
    if scenario:
        table.add_column(gettext(lang, LABELS["scenario"]), justify="right")
        table.add_column(gettext(lang, LABELS["difference"]), justify="right")
    names = result["station_names"]
    groups = [(gettext(lang, LABELS["county"]), "county", None)] + [(names.get(s, s), "stations", s) for s in result["stations"]]
    for name, level, sid in groups:
        for number, measure in enumerate(MEASURES):
            base = result["baseline"][level] if sid is None else result["baseline"][level][sid]
            if base[measure]["mean"] is None:
                continue
            cells = [name if number == 0 else "", gettext(lang, MEASURE_LABELS[measure]), interval_text(measure, base[measure], lang)]
            if scenario:
                sc = scenario[level] if sid is None else scenario[level][sid]
                diff = result["difference"][level] if sid is None else result["difference"][level][sid]
                cells += [interval_text(measure, sc[measure], lang), difference_text(measure, diff[measure], lang)]
            table.add_row(*cells)
        table.add_section()
    return table


@simulate_app.command("run")
def run(
    scenario: Path = typer.Argument(None, help="Scenario YAML file (omit for the calibrated baseline)."),
    replications: int = typer.Option(20, "--replications", "-r", help="Independent replications (at least 2)."),
    seed: int = typer.Option(20240101, "--seed", help="Random seed; the same seed gives identical results."),
    workers: int = typer.Option(2, "--workers", help="Worker processes."),
    as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
) -> None:
    """Simulate a year of the calibrated county, with a scenario's levers applied if given."""
    from valvomo.simulation.service import Request

    try:
        request = Request("run", _scenario(scenario), _spec(seed, replications, workers))
    except ValueError as error:
        raise _fail(str(error)) from None
    result = _run(request, "replications")
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    Console(width=160).print(_results_table(result, _lang()))


@simulate_app.command("compare")
def compare(
    scenarios: list[Path] = typer.Argument(..., help="One or more scenario YAML files, each compared with the baseline."),
    replications: int = typer.Option(20, "--replications", "-r"),
    seed: int = typer.Option(20240101, "--seed"),
    workers: int = typer.Option(2, "--workers"),
) -> None:
    """Each scenario versus the baseline (same seeds: common random numbers), with 95 % intervals."""
    from valvomo.simulation.service import Request

    try:
        parsed = [_scenario(path) for path in scenarios]
    except ValueError as error:
        raise _fail(str(error)) from None
    for item in parsed:
        result = _run(Request("run", item, _spec(seed, replications, workers)), item.name[:28])
        Console(width=160).print(_results_table(result, _lang()))


@simulate_app.command("search")
def search(
    scenario: Path = typer.Argument(None, help="Scenario to start from (omit for the baseline)."),
    lever: str = typer.Option("fte_change.nurse", "--lever", help="fte_change.<profession>, direct_access or digital_resolution."),
    station: list[str] = typer.Option(None, "--station", help="Station id(s) whose 7-day share must reach the target (default: county)."),
    target: float = typer.Option(0.80, "--target", help="Target share of non-urgent visits within 7 days."),
    confidence: float = typer.Option(0.95, "--confidence", help="0.95 or 0.99: the interval's lower end must reach the target."),
    step: float = typer.Option(0.5, "--step", help="Step of the lever."),
    maximum: float = typer.Option(10.0, "--max", help="Largest change tried."),
    resolution: float = typer.Option(0.1, "--resolution", help="Bisection stops at this width."),
    replications: int = typer.Option(20, "--replications", "-r"),
    seed: int = typer.Option(20240101, "--seed"),
    workers: int = typer.Option(2, "--workers"),
) -> None:
    """The smallest change of a lever that reaches the target at the given confidence, step by step."""
    from valvomo.simulation.search import SearchRequest
    from valvomo.simulation.service import Request
    from valvomo.web.i18n import format_number, gettext
    from valvomo.web.simulation_text import LABELS, interval_text, search_sentence

    if confidence not in (0.95, 0.99):
        raise _fail(f"--confidence must be 0.95 or 0.99, got {confidence}")
    try:
        ask = SearchRequest(lever=lever, stations=tuple(station or ()), target=target, confidence=confidence,
                            step=step, maximum=maximum, resolution=resolution)  # fmt: skip
        request = Request("search", _scenario(scenario), _spec(seed, replications, workers), ask)
    except ValueError as error:
        raise _fail(str(error)) from None
    result = _run(request, "search steps")
    lang = _lang()
    table = Table(title=lever)
    for key in ("step", "estimate", "interval", "reached"):
        table.add_column(gettext(lang, LABELS[key]), justify="right")
    for item in result["steps"]:
        table.add_row(("+" if item["value"] > 0 else "") + format_number(item["value"], lang, 2), interval_text("access_7d", item, lang).split(" (")[0],
                      interval_text("access_7d", item, lang).split(" (")[1].rstrip(")"),
                      gettext(lang, LABELS["yes" if item["reached"] else "no"]))  # fmt: skip
    console = Console(width=160)
    console.print(table)
    console.print(search_sentence(result, lang))


@simulate_app.command("calibrate")
def calibrate_command(as_json: bool = typer.Option(False, "--json", help="Print the parameters as JSON.")) -> None:
    """Fit the model to the warehouse and show the parameters and the goodness of fit."""
    from valvomo.simulation.calibrate import CalibrationError
    from valvomo.simulation.service import current_calibration
    from valvomo.warehouse.sources import MissingTableError
    from valvomo.web.i18n import format_number, format_percent, gettext
    from valvomo.web.simulation_text import LABELS, PROFESSION_LABELS
    from valvomo.web.simulation_views import protected_fits

    settings = _settings()
    lang = settings.language
    try:
        with err.status("calibrating"):
            calibration = current_calibration(settings)
    except (CalibrationError, MissingTableError) as error:
        raise _fail(str(error)) from None
    params = calibration.params
    if as_json:
        typer.echo(json.dumps({"params": params.to_dict(), "fits": [f.__dict__ for f in calibration.fits]}, indent=2, ensure_ascii=False))
        return
    console = Console(width=160)
    console.print(f"{calibration.window.start.isoformat()} – {calibration.window.end.isoformat()}, snapshot {params.snapshot_id}")
    table = Table(title=gettext(lang, "Calibrated parameters"))
    for key in ("station", "profession", "fte", "slots_per_fte_day", "guarantee_share", "demand", "urgent",
                "later_share", "later_delay", "own_profile"):  # fmt: skip
        table.add_column(gettext(lang, LABELS[key]), justify="left" if key in ("station", "profession") else "right")
    for s in params.stations:
        for p, c in s.capacity.items():
            demand = sum(d.daily_rate for d in s.demand if d.profession == p and d.urgency == "non_urgent")
            urgent = sum(d.daily_rate for d in s.demand if d.profession == p and d.urgency == "urgent")
            later = s.later.get(p)
            delay = sum(d * w for d, w in zip(later.delays, later.weights, strict=True)) / sum(later.weights) if later else None
            table.add_row(s.name, gettext(lang, PROFESSION_LABELS.get(p, p)), format_number(c.fte, lang, 2),
                          format_number(c.slots_per_fte_day, lang, 1), format_percent(c.guarantee_share, lang),
                          format_number(demand, lang, 2), format_number(urgent, lang, 2),
                          format_percent(later.share if later else 0.0, lang),
                          format_number(delay, lang, 1) if delay is not None else "–",
                          gettext(lang, LABELS["yes" if s.profile is not None else "no"]))  # fmt: skip
    console.print(table)
    fit = Table(title=gettext(lang, "Goodness of fit"))
    for key in ("station", "historical_7d", "simulated_7d", "historical_wait", "simulated_wait", "fits"):
        fit.add_column(gettext(lang, LABELS[key]), justify="left" if key == "station" else "right")
    names = {s.station_id: s.name for s in params.stations}
    # Historical figures describe real people: disclosure-controlled like `valvomo indicators`.
    for f, shown in zip(calibration.fits, protected_fits(calibration.fits, settings.disclosure_profile), strict=True):
        fit.add_row(names.get(f.station_id, f.station_id), format_percent(shown["historical_7d"], lang),
                    format_percent(f.simulated_7d, lang),
                    format_number(shown["historical_mean_wait"], lang, 1), format_number(f.simulated_mean_wait, lang, 1),
                    gettext(lang, LABELS["yes" if f.within_tolerance else "no"]))  # fmt: skip
    console.print(fit)
    profiles = params.profiles
    console.print(
        "weekday " + " ".join(f"{v:.2f}" for v in profiles.weekday)
        + " | month " + " ".join(f"{v:.2f}" for v in profiles.month)
        + f" | holiday {profiles.holiday:.2f} | capacity by month " + " ".join(f"{v:.2f}" for v in profiles.capacity_month)
    )  # fmt: skip
    for s in params.stations:
        if s.profile is not None:
            console.print(
                f"{s.name}: weekday " + " ".join(f"{v:.2f}" for v in s.profile.weekday)
                + " | month " + " ".join(f"{v:.2f}" for v in s.profile.month) + f" | holiday {s.profile.holiday:.2f}"
            )  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(simulate_app, name="simulate")
