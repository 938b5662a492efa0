"""`valvomo caregaps`: care-gap counts per rule (and station, ...) in the output contract of `valvomo indicators`.

Counts come from ``valvomo.services.caregaps`` and are disclosure-controlled unless
`--unsuppressed` (an analyst's token, audit-logged, as for `valvomo indicators`; the
patient list is a patient-level output, served only by the authorised,
audit-logged dashboard and API paths). ``--check FILE`` validates a county's rule
file and lists every problem with its YAML path and line (exit code 2 when there
is one).
"""

from __future__ import annotations

from pathlib import Path

import typer

from valvomo.cli._unsuppressed import audit_unsuppressed, resolve_profile, token_option, unsuppressed_option
from valvomo.cli.segment_output import check_common, err, fail, print_rows


def caregaps(
    by: str = typer.Option("station", "--by", metavar="DIM,...", help="Comma-separated: station, municipality, age_band, language; '' for the county."),
    period: str = typer.Option("quarter", "--period", metavar="PERIOD", help="month, quarter or year (index date: the period's last day)."),
    start: str = typer.Option(None, "--from", metavar="DATE", help="Keep periods entirely on or after this date."),
    end: str = typer.Option(None, "--to", metavar="DATE", help="Keep periods entirely on or before this date."),
    output: str = typer.Option("table", "--format", metavar="FORMAT", help="table, csv or json."),
    check: Path = typer.Option(None, "--check", metavar="FILE", help="Only validate a care-gap rule file and exit."),
    unsuppressed: bool = unsuppressed_option(),
    token: str = token_option(),
) -> None:
    """Print care-gap counts per rule (docs/care-gaps.md), disclosure-controlled by default."""
    from valvomo.config import get_settings
    from valvomo.segments.caregaps import load_rules
    from valvomo.segments.config_files import ConfigFileError
    from valvomo.services.caregaps import care_gap_counts
    from valvomo.services.results import EmptyWarehouseError, MissingTableError, UnsupportedQueryError

    if check is not None:
        try:
            rules = load_rules(check)
        except ConfigFileError as error:
            raise fail(str(error)) from None
        err.print(f"{check}: {len(rules.rules)} rules, all valid.", highlight=False)
        return
    first, last = check_common(output, period, start, end)
    settings = get_settings()
    profile, analyst = resolve_profile(settings, unsuppressed, token)
    try:
        rows = care_gap_counts(settings, period=period, by=by, start=first, end=last, profile=profile)
    except (UnsupportedQueryError, EmptyWarehouseError, MissingTableError, ConfigFileError) as error:
        raise fail(str(error).replace("indicator 'care_gaps'", "care gaps")) from None
    if analyst is not None:
        audit_unsuppressed(settings, analyst, ["care_gaps"], by, period, first, last, len(rows), command="caregaps")
    print_rows(rows, output, settings.language, profile)


def register(app: typer.Typer) -> None:
    app.command("caregaps")(caregaps)
