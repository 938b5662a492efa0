"""`valvomo segments`: questionnaire and utilisation segment outputs in the output contract of `valvomo indicators`.

Rows come from ``valvomo.services.segments`` (the segment registry through the
result store) and are disclosure-controlled with the configured profile unless `--unsuppressed`
(an analyst's token, audit-logged: ``cli._unsuppressed``, as for `valvomo indicators`).
A mistake in the options or in a configured segment file (questionnaire, chronic
conditions) is reported in one line with exit code 2.
"""

from __future__ import annotations

from pathlib import Path

import typer

from valvomo.cli._unsuppressed import audit_unsuppressed, resolve_profile, token_option, unsuppressed_option
from valvomo.cli.segment_output import check_common, err, fail, print_rows


def segments(
    output_id: list[str] = typer.Option(
        None, "--output", "-o", metavar="ID",
        help="Segment output id (repeatable), e.g. utilisation_segment_mix, gini_cost. Default: all the data allow.",
    ),
    by: str = typer.Option("", "--by", metavar="DIM,...", help="Comma-separated: station, municipality, age_band, language."),
    period: str = typer.Option("quarter", "--period", metavar="PERIOD", help="month, quarter or year."),
    start: str = typer.Option(None, "--from", metavar="DATE", help="Keep periods entirely on or after this date."),
    end: str = typer.Option(None, "--to", metavar="DATE", help="Keep periods entirely on or before this date."),
    output: str = typer.Option("table", "--format", metavar="FORMAT", help="table, csv or json."),
    unsuppressed: bool = unsuppressed_option(),
    token: str = token_option(),
) -> None:
    """Print segment outputs (docs/utilisation-segments.md, docs/questionnaire.md), disclosure-controlled by default."""
    from valvomo.config import get_settings
    from valvomo.segments.config_files import ConfigFileError
    from valvomo.services.results import (
        EmptyWarehouseError,
        MissingTableError,
        UnknownIndicatorError,
        UnsupportedQueryError,
    )
    from valvomo.services.segments import CARE_GAP_OUTPUT, segment_rows

    first, last = check_common(output, period, start, end)
    if output_id and CARE_GAP_OUTPUT in output_id:
        raise fail("care gaps have their own command: valvomo caregaps")
    settings = get_settings()
    profile, analyst = resolve_profile(settings, unsuppressed, token)
    try:
        rows = segment_rows(settings, output_id or None, period=period, by=by, start=first, end=last, profile=profile)
    except (UnknownIndicatorError, UnsupportedQueryError) as error:
        raise fail(str(error).replace("indicator", "segment output")) from None
    except (EmptyWarehouseError, MissingTableError, ConfigFileError) as error:
        raise fail(str(error)) from None
    if analyst is not None:
        audit_unsuppressed(settings, analyst, output_id or [], by, period, first, last, len(rows), command="segments")
    print_rows(rows, output, settings.language, profile)


def docs_segments(
    output: Path = typer.Option(Path("docs"), "--output", "-o", help="Folder of the three pages."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when a page differs from the definitions."),
) -> None:
    """Generate docs/questionnaire.md, docs/utilisation-segments.md and docs/care-gaps.md from the definitions."""
    from valvomo.segments.docs import stale_segment_docs, write_segment_docs

    if check:
        stale = stale_segment_docs(output)
        for path in stale:
            err.print(f"{path} is out of date; run `valvomo docs-segments --output {output}`", highlight=False)
        if stale:
            raise typer.Exit(code=1)
        return
    for path in write_segment_docs(output):
        err.print(f"Wrote {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("segments")(segments)
    app.command("docs-segments")(docs_segments)
