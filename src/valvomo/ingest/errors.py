"""Validation errors written for the person who must fix the input file.

Every problem found while ingesting becomes one ``ValidationError`` naming the
file, the row, the column, the offending value and what was expected. The
``ErrorCollector`` keeps the first ``ingest_max_errors`` of them and counts the
rest, so that a badly broken extract of 50 million rows produces a readable
report instead of 50 million lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from valvomo.ingest.identity_codes import mask_identity_codes_in

_VALUE_DISPLAY_LIMIT = 60


@dataclass(frozen=True)
class ValidationError:
    """One problem in the input.

    ``row`` is the 1-based data row of the file: the first row after the CSV
    header (or the first row of a Parquet file) is row 1; blank CSV lines are not
    counted. For a CSV file without line breaks inside values the row is on line
    ``row + 1``. ``row`` is ``None`` for problems of a whole file or column.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def location(self) -> str:
        return self.file if self.row is None else f"{self.file}:{self.row}"

    def __str__(self) -> str:
        parts = [self.location()]
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f"value {display_value(self.value)}")
        return f"{', '.join(parts)}: {self.message}"


def excerpt(value: str) -> str:
    """The most of a value an error may hold: its first characters, identity codes masked.

    Errors end up in the terminal, the ingest log and the dashboard; a 20 MB cell or the
    content of a file that should not have been read must not travel with them.
    """
    if len(value) > _VALUE_DISPLAY_LIMIT:
        value = value[: _VALUE_DISPLAY_LIMIT - 1] + "…"
    return mask_identity_codes_in(value)


def display_value(value: str) -> str:
    """Quote a value for an error message (``repr``: control characters and NUL bytes shown escaped),
    shortened so one bad cell cannot flood the report."""
    return repr(excerpt(value))


class IngestError(Exception):
    """An ingest failed; nothing in the warehouse changed.

    ``errors`` holds the collected validation errors (at most
    ``settings.ingest_max_errors``), ``total`` how many were found in all.
    Failures that are not about the data (a busy warehouse, a missing folder)
    have a message and no errors.
    """

    def __init__(self, message: str, errors: Iterable[ValidationError] = (), total: int | None = None):
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total
        self.summary = message
        super().__init__(self._render())

    @property
    def more(self) -> int:
        """How many errors were found beyond the ones kept in ``errors``."""
        return self.total - len(self.errors)

    def lines(self) -> list[str]:
        lines = [str(error) for error in self.errors]
        if self.more > 0:
            lines.append(f"... and {self.more} more")
        return lines

    def _render(self) -> str:
        return "\n".join([self.summary, *self.lines()])


class ErrorCollector:
    """Keeps the first ``limit`` errors and counts all of them."""

    def __init__(self, limit: int):
        self.limit = limit
        self.errors: list[ValidationError] = []
        self.total = 0

    @property
    def room(self) -> int:
        return max(0, self.limit - len(self.errors))

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, error: ValidationError) -> None:
        self.total += 1
        if self.room:
            value = None if error.value is None else excerpt(error.value)
            column = None if error.column is None else excerpt(error.column)
            self.errors.append(replace(error, value=value, column=column))

    def add_rows(
        self,
        file: str,
        column: str | None,
        rows: Sequence[int],
        values: Sequence[str | None],
        message: str | Sequence[str],
        total: int,
    ) -> None:
        """Add errors for failing rows already cut to ``room``; ``total`` counts every failing row."""
        messages = [message] * len(rows) if isinstance(message, str) else message
        for row, value, text in zip(rows, values, messages, strict=True):
            self.add(ValidationError(file, row, column, value, text))
        self.total += max(0, total - len(rows))

    def renumber(self, file: str, to_data_row: Callable[[int], int]) -> None:
        """Translate the row numbers of ``file``'s errors (see ``RowNumbering``)."""
        self.errors = [
            replace(e, row=to_data_row(e.row)) if e.file == file and e.row is not None else e
            for e in self.errors
        ]

    def raise_if_any(self, summary: str) -> None:
        """Raise ``IngestError`` with the kept errors ordered by file (first seen) and row."""
        if self.total:
            files = {error.file: index for index, error in reversed(list(enumerate(self.errors)))}
            ordered = sorted(self.errors, key=lambda e: (files[e.file], e.row or 0))
            raise IngestError(summary, ordered, self.total)
