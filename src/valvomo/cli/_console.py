"""Consoles for the command line that print data as it is.

Rich reads ``[...]`` as markup and ``:name:`` as an emoji code by default, so a station called
``[bold]Näsi`` or a value ``:x:`` would be printed as something else than what the file holds
(issue 12, item 7). Every console that prints data or messages quoting input is made here, with
markup and emoji off; styling is added with ``rich.text.Text`` styles, never by markup in a string.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.text import Text


def data_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console that prints strings literally (no markup, no emoji codes, no highlighting)."""
    return Console(stderr=stderr, width=width, markup=False, emoji=False, highlight=False)


def styled(label: str, style: str, message: str) -> Text:
    """``label`` in ``style``, then ``message`` exactly as given."""
    return Text.assemble((label, style), " ", message)


def fail(console: Console, message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` (the message literally, it may quote input) and return the exit."""
    console.print(styled("error:", "red", message), soft_wrap=True)
    return typer.Exit(code=code)
