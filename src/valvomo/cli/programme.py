"""`valvomo programme import|export|list|load-examples` and `valvomo report`.

Programme files are validated completely before anything is stored; every
problem is printed with its file, line and YAML path, and the command exits
with code 2. The report command writes the self-assessment in HTML, PDF or
DOCX with indicator values from the indicator engine and the configured
disclosure profile. Mistakes in the input never end in a traceback.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from valvomo.cli._console import data_console, fail, styled
from valvomo.cli._help import LocalisedTyper

console = data_console()
err = data_console(stderr=True)

programme_app = LocalisedTyper(
    name="programme",
    help="Programme plans: import and export YAML, list, load the examples.",
    no_args_is_help=True,
)


def _fail(message: str, code: int = 2) -> typer.Exit:
    return fail(err, message, code)


def _settings():
    from valvomo.config import get_settings

    return get_settings()


def _migrated_settings():
    from valvomo.appdb import upgrade_to_head

    settings = _settings()
    upgrade_to_head(settings)
    return settings


@programme_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Programme file (YAML, see docs/programme.md)."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a stored programme with the same id."),
) -> None:
    """Validate a programme file and store it."""
    from valvomo.appdb import session_scope
    from valvomo.programme.service import ProgrammeError, save_document
    from valvomo.programme.yamlio import ProgrammeFileError, read_document

    try:
        document = read_document(file)
    except ProgrammeFileError as exc:
        err.print(exc.report(), highlight=False, soft_wrap=True, markup=False)
        raise typer.Exit(code=2) from None
    settings = _migrated_settings()
    try:
        with session_scope(settings) as session:
            programme = save_document(session, document, replace=replace)
            summary = (programme.id, len(programme.goals), len(programme.spearheads), len(programme.measures()))
    except ProgrammeError as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"Imported {summary[0]}: {summary[1]} goals, {summary[2]} spearheads, {summary[3]} measures.",
        highlight=False,
    )


@programme_app.command("export")
def export_command(
    programme_id: str = typer.Argument(..., metavar="ID", help="Programme id."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
) -> None:
    """Write a stored programme as a YAML file (imports back to the same programme)."""
    from valvomo.appdb import session_scope
    from valvomo.programme.service import ProgrammeError, export_yaml

    settings = _migrated_settings()
    try:
        with session_scope(settings) as session:
            text = export_yaml(session, programme_id)
    except ProgrammeError as exc:
        raise _fail(str(exc)) from None
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot write {out}: {exc.strerror or exc}") from None
    console.print(f"Wrote {out}", highlight=False)


@programme_app.command("list")
def list_command() -> None:
    """List the stored programmes."""
    from valvomo.appdb import session_scope
    from valvomo.programme.service import list_programmes

    settings = _migrated_settings()
    with session_scope(settings) as session:
        rows = list_programmes(session)
    if not rows:
        console.print("No programmes stored. Import one with `valvomo programme import FILE` "
                      "or load the examples with `valvomo programme load-examples`.")
        return
    table = Table(title="Programmes")
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("meter", no_wrap=True)
    table.add_column("periods", no_wrap=True)
    table.add_column("measures", justify="right")
    table.add_column("latest assessed", no_wrap=True)
    for row in rows:
        table.add_row(
            row.id,
            row.display_name(settings.language),
            row.meter_scale,
            f"{row.periods[0]}–{row.periods[-1]} ({len(row.periods)})",
            str(row.measures),
            row.latest_assessed_period or "–",
        )
    console.print(table)


@programme_app.command("load-examples")
def load_examples_command() -> None:
    """Store the example programmes shipped with Valvomo (replacing earlier copies)."""
    from valvomo.programme.examples import load_examples

    loaded = load_examples(_settings())
    console.print("Loaded example programmes: " + ", ".join(loaded), highlight=False)


def report_command(
    programme_id: str = typer.Option(..., "--programme", help="Programme id."),
    period: str | None = typer.Option(None, "--period", help="Reporting period, e.g. 11/2021, 2024Q4 or Q4/2024 (default: the latest period with data)."),
    fmt: str = typer.Option("html", "--format", help="html, pdf or docx."),
    lang: str | None = typer.Option(None, "--lang", help="fi, sv or en (default: the configured language)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default: <id>-<period>-<lang>.<format>)."),
) -> None:
    """Write the self-assessment report (oma-arviointi) of a programme."""
    from valvomo.appdb import session_scope
    from valvomo.programme.indicator_values import ResultsServiceValues
    from valvomo.programme.service import ProgrammeError
    from valvomo.reports import FORMATS, build_report, cited_segment_figures, render

    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    settings = _migrated_settings()
    language = lang or settings.language
    if language not in ("fi", "sv", "en"):
        raise _fail(f"--lang must be fi, sv or en, got {language!r}")
    try:
        with session_scope(settings) as session:
            content = build_report(
                session, programme_id, period, language, ResultsServiceValues(settings),
                profile=settings.disclosure_profile, segments=cited_segment_figures(settings, language),
            )
            data = render(content, fmt)
    except (ProgrammeError, ValueError) as exc:
        raise _fail(str(exc)) from None
    target = out or Path(content.filename(fmt))
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise _fail(f"cannot write {target}: {exc.strerror or exc}") from None
    for warning in content.warnings:
        err.print(styled("warning:", "yellow", f"indicator values unavailable for {warning}"), soft_wrap=True)
    console.print(
        f"Wrote {target} ({content.title}, {language}, {fmt}; disclosure profile {content.disclosure_profile}).",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(programme_app, name="programme")
    app.command("report", help="Write the self-assessment report (oma-arviointi) of a programme.")(report_command)
