"""`valvomo indicators`, `valvomo materialise`, `valvomo docs-indicators` and `valvomo docs-populations`.

`indicators` prints rows in the output contract of indicators.md (JSON, CSV or
a rich table), read through the result store, disclosure-controlled with the
configured profile unless `--unsuppressed`. Input mistakes (unknown indicator,
a dimension the indicator's grain does not allow, an empty warehouse) are
reported in one line with exit code 2, never as a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import typer
from rich.table import Table

from valvomo.cli._console import data_console, fail, styled
from valvomo.cli._unsuppressed import audit_unsuppressed, resolve_profile, token_option, unsuppressed_option

FORMATS = ("table", "csv", "json")
DIMENSION_COLUMN_ORDER = ("station_id", "profession", "municipality", "age_band", "language", "contact_class")
PAYLOAD_ORDER = ("value", "numerator", "denominator", "n")
DEFAULT_DOCS = Path("docs/indicators.md")
DEFAULT_POPULATION_DOCS = Path("docs/populations.md")

err = data_console(stderr=True)


def _fail(message: str) -> typer.Exit:
    return fail(err, message)


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} must be a date YYYY-MM-DD, got {text!r}") from None


def output_columns(rows: list[dict]) -> list[str]:
    """Columns of the CSV and table: indicator, period, dimensions, bin, value, counts, unit, suppressed,
    then the status columns of ``--status`` when the rows carry them."""
    from valvomo.services.care_guarantee import STATUS_FIELDS

    present = {key for row in rows for key in row}
    columns = ["indicator", "period"]
    columns += [c for c in DIMENSION_COLUMN_ORDER if c in present]
    columns += ["bin"] if "bin" in present else []
    columns += [c for c in PAYLOAD_ORDER if c in present or c == "value"]
    return [*columns, "unit", "suppressed", *(c for c in STATUS_FIELDS if c in present)]


STATUS_HEADERS = {
    "target": "Target in force",
    "target_status": "Status",
    "below_target_since": "Below target since",
    "quarters_below_target": "Periods in a row",  # months, quarters or years, as --period says
    "recording_complete": "Assessment recording",
    "recording_threshold": "Recording completeness",
}


def rows_to_csv(rows: list[dict]) -> str:
    """CSV with the contract's columns; redacted and missing cells empty, ``suppressed`` true/false."""
    from valvomo.services.spreadsheet import neutralise_row

    columns = output_columns(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if column in ("suppressed", "recording_complete") and (value is not None or column == "suppressed"):
                cells.append("true" if value else "false")
            else:
                cells.append("" if value is None else value)
        writer.writerow(neutralise_row(cells))
    return buffer.getvalue()


def rows_to_table(rows: list[dict], lang: str, profile: str,
                  station_names: dict[str, dict[str, str]] | None = None, registry=None) -> Table:
    """A rich table of the rows for people: indicator names, the station's name beside its code,
    periods as the dashboard prints them, values formatted and redacted as on screen."""
    from valvomo.disclosure import format_cell
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.catalogue import COLUMN_LABELS, label, profile_label, station_label
    from valvomo.services.i18n import gettext
    from valvomo.services.periods import format_period

    registry = REGISTRY if registry is None else registry

    from valvomo.services.care_guarantee import TARGET_STATUS_MSGIDS

    columns = [c for c in output_columns(rows) if c not in ("unit", "suppressed")]
    if "station_id" in columns:
        columns.insert(columns.index("station_id") + 1, "station_name")
    table = Table(caption=profile_label(profile, lang), caption_justify="left")
    for column in columns:
        numeric = column in PAYLOAD_ORDER or column in ("target", "quarters_below_target", "recording_threshold")
        if column == "station_name":
            header = gettext(lang, "Station name")
        elif column in STATUS_HEADERS:
            header = gettext(lang, STATUS_HEADERS[column])
        else:
            header = label(COLUMN_LABELS, column, lang)
        table.add_column(header, justify="right" if numeric else "left")
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if column == "indicator":
                cells.append(registry.get(value).name(lang) if value in registry else str(value))
            elif column == "station_name":
                station = str(row.get("station_id"))
                cells.append(station_label(station_names or {}, station, lang) if row.get("station_id") else "")
            elif column == "period":
                cells.append(format_period(value, lang))
            elif column == "value":
                cells.append(
                    format_cell(value, bool(row.get("suppressed")), lang, profile=profile, unit=row["unit"])
                )
            elif column in ("target", "recording_threshold"):
                unit = "share" if column == "recording_threshold" else row["unit"]
                cells.append("" if value is None else format_cell(value, False, lang, profile="none", unit=unit))
            elif column == "target_status":
                cells.append(gettext(lang, TARGET_STATUS_MSGIDS[value]) if value else "")
            elif column == "below_target_since":
                cells.append(format_period(value, lang) if value else "")
            elif column == "recording_complete":
                cells.append("" if value is None else gettext(lang, "complete") if value else gettext(lang, "incomplete"))
            elif column in PAYLOAD_ORDER:
                hidden = bool(row.get("suppressed")) and value is None and column in row
                cells.append(
                    format_cell(value, hidden, lang, profile=profile, unit="count") if column in row else ""
                )
            else:
                cells.append("" if value is None else str(value))
        table.add_row(*cells)
    return table


def indicators(
    indicator: list[str] = typer.Option(
        None,
        "--indicator",
        "-i",
        metavar="ID",
        help="Indicator id (repeatable). Default: every indicator the data allow.",
    ),
    by: str = typer.Option(
        "",
        "--by",
        metavar="DIM,...",
        help="Comma-separated dimensions: station, profession, municipality, age_band, language, contact_class.",
    ),
    period: str = typer.Option("quarter", "--period", metavar="PERIOD", help="month, quarter or year."),
    start: str = typer.Option(
        None,
        "--from",
        metavar="DATE",
        help="Keep periods that lie entirely on or after this date (YYYY-MM-DD).",
    ),
    end: str = typer.Option(
        None,
        "--to",
        metavar="DATE",
        help="Keep periods that lie entirely on or before this date (YYYY-MM-DD).",
    ),
    output: str = typer.Option("table", "--format", metavar="FORMAT", help="table, csv or json."),
    unsuppressed: bool = unsuppressed_option(),
    token: str = token_option(),
    status: bool = typer.Option(
        False, "--status",
        help=("Add each row's target status, below-target streak and, for care-guarantee indicators, "
               "the assessment-recording verdict (the fields of the API's /status)."),
    ),
) -> None:
    """Print indicator results (indicators.md, output contract), disclosure-controlled by default."""
    from valvomo.config import get_settings
    from valvomo.services.catalogue import profile_label
    from valvomo.services.results import (
        EmptyWarehouseError,
        MissingTableError,
        ResultStore,
        UnknownIndicatorError,
        UnsupportedQueryError,
    )
    from valvomo.services.targets import TargetsFileError, validate_targets

    if output not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, got {output!r}")
    if period not in ("month", "quarter", "year"):
        raise _fail(f"--period must be month, quarter or year, got {period!r}")
    first, last = _date(start, "--from"), _date(end, "--to")
    settings = get_settings()
    profile, analyst = resolve_profile(settings, unsuppressed, token)
    try:
        validate_targets(settings)
        store = ResultStore(settings)
        if status:
            from valvomo.services.care_guarantee import status_rows

            rows = status_rows(store, indicator or None, period=period, by=by, start=first, end=last,
                               profile=profile)
        else:
            rows = store.query(indicator or None, period=period, by=by, start=first, end=last, profile=profile)
    except (UnknownIndicatorError, UnsupportedQueryError, EmptyWarehouseError, MissingTableError) as error:
        raise _fail(str(error)) from None
    except TargetsFileError as error:
        raise _fail(str(error)) from None

    if analyst is not None:
        audit_unsuppressed(settings, analyst, indicator or [], by, period, first, last, len(rows))
    if output == "json":
        err.print(profile_label(profile, settings.language), highlight=False)
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif output == "csv":
        err.print(profile_label(profile, settings.language), highlight=False)
        sys.stdout.write(rows_to_csv(rows))
    else:
        if not rows:
            err.print("No rows: the data hold no events for this query.")
        from valvomo.services.catalogue import station_directory

        names = station_directory(store.warehouse) if any("station_id" in r for r in rows) else {}
        data_console(width=200).print(rows_to_table(rows, settings.language, profile, names))


def materialise(
    indicator: list[str] = typer.Option(
        None,
        "--indicator",
        "-i",
        help="Only these indicators (repeatable); the rest are computed on request.",
    ),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Compute and store every indicator result of the current warehouse snapshot."""
    from valvomo.config import get_settings
    from valvomo.services.results import EmptyWarehouseError, ResultStore, UnknownIndicatorError

    settings = get_settings()
    try:
        report = ResultStore(settings).materialise(progress=not quiet, indicators=indicator or None)
    except (EmptyWarehouseError, UnknownIndicatorError) as error:
        raise _fail(str(error)) from None
    err.print(
        f"Stored {report.rows} rows of {report.combinations} indicator combinations for snapshot "
        f"{report.snapshot_id} in {report.seconds:.1f} s ({report.path}).",
        highlight=False,
    )
    for failure in report.failed:
        err.print(
            styled(
                "failed:",
                "yellow",
                f"{failure['indicator']} {failure['period']} by {','.join(failure['by']) or '-'}: {failure['error']}",
            )
        )


def _generate_page(output: Path, check: bool, render, write, command: str, source: str) -> None:
    """Write the generated page ``output`` (``write``), or with ``check`` exit 1 when it differs from
    ``render()``; ``command`` and ``source`` name the command and what the page is generated from."""
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != render():
            err.print(f"{output} is out of date; run `valvomo {command} --output {output}`", highlight=False)
            raise typer.Exit(code=1)
        err.print(f"{output} matches the {source}.", highlight=False)
        return
    changed = write(output)
    err.print(f"{'Wrote' if changed else 'Unchanged:'} {output}", highlight=False)


def docs_indicators(
    output: Path = typer.Option(DEFAULT_DOCS, "--output", "-o", help="Where to write the page."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when the file differs from the registry."),
) -> None:
    """Generate docs/indicators.md from the indicator registry."""
    from valvomo.services.catalogue import render_indicator_docs, write_indicator_docs

    _generate_page(output, check, render_indicator_docs, write_indicator_docs, "docs-indicators", "registry")


def docs_populations(
    output: Path = typer.Option(DEFAULT_POPULATION_DOCS, "--output", "-o", help="Where to write the page."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when the file differs from the populations."),
) -> None:
    """Generate docs/populations.md from the shared populations of the indicator engine."""
    from valvomo.indicators.populations.docs import render_population_docs, write_population_docs

    _generate_page(output, check, render_population_docs, write_population_docs, "docs-populations", "populations")


def register(app: typer.Typer) -> None:
    app.command("indicators", help="Print indicator results (indicators.md, output contract), disclosure-controlled by default.")(indicators)
    app.command("materialise")(materialise)
    app.command("docs-indicators")(docs_indicators)
    app.command("docs-populations")(docs_populations)
