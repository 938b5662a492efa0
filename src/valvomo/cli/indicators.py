"""`valvomo indicators`, `valvomo materialise` and `valvomo docs-indicators`.

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
from rich.text import Text

from valvomo.cli._console import data_console, fail, styled
from valvomo.cli._help import h

FORMATS = ("table", "csv", "json")
DIMENSION_COLUMN_ORDER = ("station_id", "profession", "municipality", "age_band", "language", "contact_class")
PAYLOAD_ORDER = ("value", "numerator", "denominator", "n")
UNSUPPRESSED_NOTE = "Note: --unsuppressed output is not disclosure-controlled; do not share it."
DEFAULT_DOCS = Path("docs/indicators.md")

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


def _authorised_analyst(settings, token: str | None) -> str:
    """The username behind ``token`` when it is a live token of an active analyst; else exit 2.

    The CLI reads the warehouse directly, so the app database is the only place that knows who
    may see unsuppressed figures: the same token and role rule as the API's ``unsuppressed``."""
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.web.auth.tokens import user_for_token

    if not token:
        raise _fail(
            "--unsuppressed needs an analyst's API token: pass --token TOKEN or set VALVOMO_API_TOKEN "
            "(an administrator issues one with `valvomo user token USERNAME`)"
        )
    upgrade_to_head(settings)
    with session_scope(settings) as db:
        user = user_for_token(db, token)
        if user is None:
            raise _fail("--unsuppressed: the token is unknown, revoked or its user is deactivated")
        if user.role != "analyst":
            raise _fail(f"--unsuppressed: user {user.username!r} has the role {user.role!r}; only analysts may")
        return user.username


def _audit_unsuppressed(settings, username: str, indicators: list[str], by: str, period: str,
                        first: dt.date | None, last: dt.date | None, rows: int) -> None:
    """Write the use of ``--unsuppressed`` to the audit log (who, what query, how many rows)."""
    from valvomo.appdb import session_scope
    from valvomo.web.auth import audit

    detail = {"indicators": ",".join(indicators) or "all", "by": by, "period": period,
              "from": str(first or ""), "to": str(last or ""), "rows": rows}
    with session_scope(settings) as db:
        audit.record(db, audit.CLI_UNSUPPRESSED, username=username, detail=detail, client_ip="cli")


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
    "quarters_below_target": "Quarters in a row",
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
    from valvomo.disclosure import format_cell, profile_label
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.catalogue import COLUMN_LABELS, label, station_label
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
                cells.append("" if value is None else gettext(lang, "complete" if value else "incomplete"))
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
        help=h("Indicator id (repeatable). Default: every indicator the data allow."),
    ),
    by: str = typer.Option(
        "",
        "--by",
        metavar="DIM,...",
        help=h("Comma-separated dimensions: station, profession, municipality, age_band, language, contact_class."),
    ),
    period: str = typer.Option("quarter", "--period", metavar="PERIOD", help=h("month, quarter or year.")),
    start: str = typer.Option(
        None,
        "--from",
        metavar="DATE",
        help=h("Keep periods that lie entirely on or after this date (YYYY-MM-DD)."),
    ),
    end: str = typer.Option(
        None,
        "--to",
        metavar="DATE",
        help=h("Keep periods that lie entirely on or before this date (YYYY-MM-DD)."),
    ),
    output: str = typer.Option("table", "--format", metavar="FORMAT", help=h("table, csv or json.")),
    unsuppressed: bool = typer.Option(
        False, "--unsuppressed",
        help=h("No disclosure control: needs an analyst's API token (--token or VALVOMO_API_TOKEN); audit-logged."),
    ),
    token: str = typer.Option(
        None, "--token", metavar="TOKEN", help=h("API token of an analyst (default: VALVOMO_API_TOKEN).")
    ),
    status: bool = typer.Option(
        False, "--status",
        help=h("Add each row's target status, below-target streak and, for care-guarantee indicators, "
               "the assessment-recording verdict (the fields of the API's /status)."),
    ),
) -> None:
    """Print indicator results (indicators.md, output contract), disclosure-controlled by default."""
    from valvomo.config import get_settings
    from valvomo.disclosure import profile_label
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
    profile = "none" if unsuppressed else settings.disclosure_profile
    analyst = _authorised_analyst(settings, token or settings.api_token) if unsuppressed else None
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
        _audit_unsuppressed(settings, analyst, indicator or [], by, period, first, last, len(rows))
        err.print(Text(UNSUPPRESSED_NOTE, style="yellow"))
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


def docs_indicators(
    output: Path = typer.Option(DEFAULT_DOCS, "--output", "-o", help="Where to write the page."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when the file differs from the registry."),
) -> None:
    """Generate docs/indicators.md from the indicator registry."""
    from valvomo.services.catalogue import render_indicator_docs, write_indicator_docs

    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != render_indicator_docs():
            err.print(
                f"{output} is out of date; run `valvomo docs-indicators --output {output}`", highlight=False
            )
            raise typer.Exit(code=1)
        err.print(f"{output} matches the registry.", highlight=False)
        return
    changed = write_indicator_docs(output)
    err.print(f"{'Wrote' if changed else 'Unchanged:'} {output}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("indicators", help=h(
        "Print indicator results (indicators.md, output contract), disclosure-controlled by default."))(indicators)
    app.command("materialise")(materialise)
    app.command("docs-indicators")(docs_indicators)
