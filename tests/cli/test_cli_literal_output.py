"""The CLI prints what the input holds: no rich markup or emoji codes read from data (issue 12, item 7)."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from valvomo.cli import app
from valvomo.cli._console import data_console, fail, styled

TRICKY = "[bold]ST-:x:[/bold] [link=http://example.invalid]click[/link]"


def _printed(renderable) -> str:
    console = data_console(width=200)
    buffer = io.StringIO()
    console.file = buffer
    console.print(renderable)
    return buffer.getvalue()


def test_data_console_prints_markup_and_emoji_codes_as_written():
    assert _printed(TRICKY).strip() == TRICKY
    assert _printed(styled("error:", "red", TRICKY)).strip() == f"error: {TRICKY}"


def test_fail_prints_the_message_literally_and_exits_2():
    console = data_console()
    console.file = buffer = io.StringIO()
    exit_ = fail(console, f"unknown station {TRICKY!r}")
    assert exit_.exit_code == 2
    assert buffer.getvalue().strip() == f"error: unknown station {TRICKY!r}"


@pytest.mark.parametrize(
    "args",
    [
        ["indicators", "--indicator", TRICKY],  # unknown indicator id, quoted back
        ["user", "token", TRICKY],  # unknown user, quoted back
    ],
)
def test_commands_quote_bad_input_literally(args, tmp_path, monkeypatch):
    monkeypatch.setenv("VALVOMO_HOME", str(tmp_path))
    from valvomo.config import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, args)
    finally:
        get_settings.cache_clear()
    output = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "ST-:x:" in output and "[bold]" in output and "❌" not in output
    assert "Traceback" not in result.output
