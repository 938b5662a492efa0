"""The shared output step of `valvomo segments` and `valvomo caregaps`: the contract of `valvomo indicators`.

Rows go to stdout as JSON, CSV or a rich table (the functions of ``cli.indicators``),
with the disclosure profile named on stderr; input mistakes are one line on
stderr with exit code 2 (``cli.indicators._fail``).
"""

from __future__ import annotations

import json
import sys

from rich.console import Console

from valvomo.cli.indicators import FORMATS, _date, _fail, err, rows_to_csv, rows_to_table

__all__ = ["FORMATS", "check_common", "err", "fail", "print_rows"]

fail = _fail


def check_common(output: str, period: str, start: str | None, end: str | None):
    """Validate the shared options; returns the parsed (start, end) dates."""
    if output not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, got {output!r}")
    if period not in ("month", "quarter", "year"):
        raise fail(f"--period must be month, quarter or year, got {period!r}")
    return _date(start, "--from"), _date(end, "--to")


def print_rows(rows: list[dict], output: str, lang: str, profile: str) -> None:
    from valvomo.segments.registry import SEGMENT_REGISTRY
    from valvomo.services.catalogue import profile_label

    if output == "json":
        err.print(profile_label(profile, lang), highlight=False)
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif output == "csv":
        err.print(profile_label(profile, lang), highlight=False)
        sys.stdout.write(rows_to_csv(rows))
    else:
        if not rows:
            err.print("No rows: the data hold no events for this query.")
        Console(width=200).print(rows_to_table(rows, lang, profile, registry=SEGMENT_REGISTRY))
