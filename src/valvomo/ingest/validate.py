"""Validate record batches of one input file against its canonical table.

Each check is one vectorised pass over a column chunk producing a mask of
failing rows; only the rows that fail are turned into Python objects, to build
their error messages. The validator returns every batch in canonical types
(failing values as null) so that the set-wide checks — duplicate keys and
references — can run on the staged Parquet file afterwards.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from valvomo.ingest.errors import ErrorCollector, ValidationError
from valvomo.ingest.identity_codes import identity_code_mask
from valvomo.ingest.parse import EXPECTED, clean_text, helsinki_wall_clock, parse_text
from valvomo.schema.rules import order_rules
from valvomo.schema.tables import Column, DType, Table
from valvomo.warehouse.canonical import ARROW_TYPES, canonicalise

_PANDAS_INDEX = re.compile(r"^__index_level_\d+__$")
# C0 control characters and DEL: a NUL byte in a key makes every reference to it fail, a line feed in a
# name breaks every report; no canonical text column holds them.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f]"
# The same rule as a whole-value pattern, for interfaces that take a key (a station id in a query string):
# a value that ingest could never have stored is refused before it reaches a query.
PRINTABLE_KEY = r"^[^\x00-\x1f\x7f]+$"
_CONTROL = re.compile(CONTROL_CHARACTERS)


@dataclass(frozen=True)
class DateBounds:
    """The plausible span of dates and timestamps in an extract (docs/ingest.md, "Dates").

    ``latest`` is the extraction time plus ``VALVOMO_INGEST_FUTURE_DAYS``: an extract cannot describe
    events long after it was taken (a 2099 contact is a typo that would change the indicators).
    ``earliest`` is ``VALVOMO_INGEST_EARLIEST_DATE``.
    """

    earliest: dt.datetime
    latest: dt.datetime
    latest_reason: str

    @classmethod
    def around(cls, extracted_at: dt.datetime, future_days: int, earliest: dt.date) -> DateBounds:
        reason = (
            f"the extraction time {extracted_at:%Y-%m-%d %H:%M} plus VALVOMO_INGEST_FUTURE_DAYS={future_days} days"
        )
        start = dt.datetime.combine(earliest, dt.time())
        return cls(start, extracted_at + dt.timedelta(days=future_days), reason)


@dataclass
class _IdentityHits:
    """Where a column first showed a personal identity code, and how many it holds."""

    first_row: int
    first_value: str
    count: int = 0


class ColumnTypeMismatch(TypeError):
    """A Parquet column's type cannot hold the canonical type."""


def _is_text(dtype: pa.DataType) -> bool:
    return pa.types.is_string(dtype) or pa.types.is_large_string(dtype)


def coerce_parquet(values: pa.Array, dtype: DType) -> pa.Array:
    """Convert a typed (non-text) Parquet column to the canonical type; impossible values become null."""
    source = values.type
    target = ARROW_TYPES[dtype]
    if source == target:
        return values
    if pa.types.is_null(source):
        return pa.nulls(len(values), target)
    integer, floating = pa.types.is_integer(source), pa.types.is_floating(source)
    if dtype == "str" and integer:
        return pc.cast(values, target)
    if dtype == "int" and integer:
        in_range = pc.less_equal(pc.cast(values, pa.float64()), 2**63 - 1)
        return pc.cast(pc.if_else(in_range, values, pa.scalar(None, source)), target)
    if dtype == "int" and floating:
        # pandas stores integer columns with gaps as floats; accept whole numbers only.
        whole = pc.and_(pc.is_finite(values), pc.equal(pc.floor(values), values))
        return pc.cast(pc.if_else(whole, values, pa.scalar(None, source)), target, safe=False)
    if dtype == "float" and (integer or floating or pa.types.is_decimal(source)):
        cast = pc.cast(values, target)
        return pc.if_else(pc.is_finite(cast), cast, pa.scalar(None, target))
    if dtype == "bool" and integer:
        return pc.if_else(
            pc.equal(values, 1), True, pc.if_else(pc.equal(values, 0), False, pa.scalar(None, target))
        )
    if dtype == "timestamp" and pa.types.is_timestamp(source):
        if source.tz is not None:
            return helsinki_wall_clock(pc.cast(values, pa.timestamp("us", tz=source.tz), safe=False))
        return pc.cast(values, target, safe=False)
    if dtype == "date" and pa.types.is_date(source):
        return pc.cast(values, target)
    if dtype == "date" and pa.types.is_timestamp(source) and source.tz is None:
        midnight = pc.equal(pc.cast(pc.cast(values, pa.date32()), source), values)
        return pc.cast(pc.if_else(midnight, values, pa.scalar(None, source)), target)
    raise ColumnTypeMismatch(f"Parquet column of type {source} cannot hold {EXPECTED[dtype]}")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def range_text(column: Column) -> str:
    if column.minimum is not None and column.maximum is not None:
        return f"a value between {_number(column.minimum)} and {_number(column.maximum)}"
    if column.minimum is not None:
        return f"a value ≥ {_number(column.minimum)}"
    return f"a value ≤ {_number(column.maximum)}"


def length_text(column: Column) -> str:
    text = f"exactly {column.length} characters"
    if column.name == "municipality":
        text += " (a municipality code keeps its leading zeros, e.g. 018 Askola)"
    return text


class TableValidator:
    """Checks the header once and every batch of one input file; see the module docstring."""

    def __init__(
        self,
        file: str,
        table: Table,
        header: list[str],
        collector: ErrorCollector,
        date_bounds: DateBounds | None = None,
    ):
        self.file = file
        self.date_bounds = date_bounds
        self.table = table
        self.collector = collector
        self.rows = 0
        counts = Counter(header)
        # Pandas may store its index as a column; it is not data.
        usable = [name for name in header if counts[name] == 1 and not _PANDAS_INDEX.match(name)]
        self.columns = [column for column in table.columns if column.name in usable]
        self._unknown = [name for name in usable if name not in table.column_names]
        self._unusable: set[str] = set()
        self._identity_hits: dict[str, _IdentityHits] = {}
        self._check_header(header)

    def _error(self, row: int | None, column: str | None, value: str | None, message: str) -> None:
        self.collector.add(ValidationError(self.file, row, column, value, message))

    def _check_header(self, header: list[str]) -> None:
        for name, count in Counter(header).items():  # a duplicated column is not read at all
            if count > 1:
                self._error(None, name, None, f"the column appears {count} times in the header")
        for name in self._unknown:
            close = difflib.get_close_matches(name, self.table.column_names, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            self._error(
                None,
                name,
                None,
                f"unknown column in table {self.table.name}{hint}; known columns: {', '.join(self.table.column_names)}",
            )
        for name in self.table.required_columns:
            if name not in header:
                self._error(
                    None, name, None, f"required column missing from the header of table {self.table.name}"
                )

    # -- per batch -----------------------------------------------------------------

    def validate(self, batch: pa.RecordBatch) -> pa.Table:
        """Check one batch; return it in canonical types (failing values null)."""
        first_row = self.rows + 1
        self.rows += batch.num_rows
        typed: dict[str, pa.Array] = {}
        for column in self.columns:
            typed[column.name] = self._column(batch.column(column.name), column, first_row)
        for name in self._unknown:
            values = batch.column(name)
            if _is_text(values.type):
                self._find_identity_codes(clean_text(values.cast(pa.string())), name, first_row)
        for rule in order_rules(self.table.name):
            if rule.earlier in typed and rule.later in typed:
                self._check_order(typed, rule.earlier, rule.later, batch, first_row)
        if not typed:
            typed["__rows"] = pa.nulls(batch.num_rows)
        return canonicalise(self.table.name, pa.table(typed))

    def _column(self, values: pa.Array, column: Column, first_row: int) -> pa.Array:
        target = ARROW_TYPES[column.dtype]
        if column.name in self._unusable:
            return pa.nulls(len(values), target)
        if _is_text(values.type) or pa.types.is_dictionary(values.type):
            display = clean_text(values.cast(pa.string()))
            if column.dtype == "str":  # an identity code in a typed column fails to parse, and is masked
                self._find_identity_codes(display, column.name, first_row)
            missing = pc.is_null(display)
            parsed = parse_text(display, column.dtype)
        else:
            display = values
            missing = pc.is_null(values)
            try:
                parsed = coerce_parquet(values, column.dtype)
            except ColumnTypeMismatch as exc:
                self._unusable.add(column.name)
                self._error(None, column.name, None, str(exc))
                return pa.nulls(len(values), target)

        if column.required:
            self._report(missing, column.name, display, first_row, "required value missing")
        present = pc.invert(missing)
        unparsed = pc.and_(present, pc.is_null(parsed))
        self._report(unparsed, column.name, display, first_row, f"expected {EXPECTED[column.dtype]}")
        if column.dtype == "str":
            parsed = self._check_text(parsed, column, first_row)
        if column.dtype in ("timestamp", "date") and self.date_bounds is not None:
            self._check_dates(parsed, column, display, first_row)
        if column.codes is not None:
            unknown = pc.invert(pc.is_in(parsed, value_set=pa.array(column.codes, target)))
            self._report(
                pc.and_(pc.is_valid(parsed), unknown),
                column.name,
                display,
                first_row,
                f"unknown code; allowed values: {', '.join(column.codes)}",
            )
        if column.length is not None:
            wrong = pc.not_equal(pc.utf8_length(parsed), column.length)
            self._report(wrong, column.name, display, first_row, f"expected {length_text(column)}")
        if column.minimum is not None or column.maximum is not None:
            bounds = []
            if column.minimum is not None:
                bounds.append(pc.less(parsed, pa.scalar(column.minimum).cast(target)))
            if column.maximum is not None:
                bounds.append(pc.greater(parsed, pa.scalar(column.maximum).cast(target)))
            outside = bounds[0] if len(bounds) == 1 else pc.or_(*bounds)
            self._report(outside, column.name, display, first_row, f"expected {range_text(column)}")
        return parsed

    def _check_text(self, parsed: pa.Array, column: Column, first_row: int) -> pa.Array:
        """Length limit and control characters; a failing value is reported once and stored as null."""
        limit = column.text_limit
        bad = pa.nulls(len(parsed), pa.bool_())
        if limit is not None and column.length is None:  # an exact length has its own check below
            lengths = pc.utf8_length(parsed)
            too_long = pc.greater(lengths, limit)

            def long_message(index: int) -> str:
                return f"too long: {lengths[index].as_py():,} characters; at most {limit} allowed in this column"

            self._report(too_long, column.name, parsed, first_row, long_message)
            bad = too_long
        control = pc.match_substring_regex(parsed, CONTROL_CHARACTERS)
        control = pc.and_(control, pc.invert(pc.fill_null(bad, False)))

        def control_message(index: int) -> str:
            text = parsed[index].as_py()
            found = _CONTROL.search(text)
            position = found.start() + 1 if found else 0
            code = ord(found.group()) if found else 0
            name = "a NUL byte" if code == 0 else f"control character U+{code:04X}"
            return f"contains {name} at character {position}; expected printable text"

        self._report(control, column.name, parsed, first_row, control_message)
        refused = pc.fill_null(pc.or_(pc.fill_null(bad, False), pc.fill_null(control, False)), False)
        if not pc.any(refused).as_py():
            return parsed
        return pc.if_else(refused, pa.scalar(None, parsed.type), parsed)

    def _check_dates(self, parsed: pa.Array, column: Column, display: pa.Array, first_row: int) -> None:
        bounds = self.date_bounds
        if column.dtype == "date":
            earliest = pa.scalar(bounds.earliest.date(), pa.date32())
            latest = pa.scalar(bounds.latest.date(), pa.date32())
        else:
            earliest = pa.scalar(bounds.earliest, parsed.type)
            latest = pa.scalar(bounds.latest, parsed.type)
        self._report(
            pc.less(parsed, earliest), column.name, display, first_row,
            f"before {bounds.earliest:%Y-%m-%d}, the earliest plausible date (VALVOMO_INGEST_EARLIEST_DATE)",
        )  # fmt: skip
        self._report(
            pc.greater(parsed, latest), column.name, display, first_row,
            f"later than {bounds.latest:%Y-%m-%d %H:%M}, {bounds.latest_reason}; check the year",
        )  # fmt: skip

    def _check_order(
        self, typed: dict[str, pa.Array], earlier: str, later: str, batch, first_row: int
    ) -> None:
        late = pc.greater(typed[earlier], typed[later])

        def message(index: int) -> str:
            limit = typed[later][index].as_py().isoformat()
            return f"is after {later} {limit}; expected {earlier} ≤ {later}"

        self._report(late, earlier, batch.column(earlier), first_row, message)

    def _find_identity_codes(self, text: pa.Array, column: str, first_row: int) -> None:
        hits = identity_code_mask(text)
        count = pc.sum(hits).as_py() or 0
        if not count:
            return
        if column not in self._identity_hits:
            index = pc.indices_nonzero(hits)[0].as_py()
            self._identity_hits[column] = _IdentityHits(first_row + index, text[index].as_py())
        self._identity_hits[column].count += count

    def _report(
        self,
        mask: pa.Array,
        column: str,
        display: pa.Array,
        first_row: int,
        message: str | Callable[[int], str],
    ) -> None:
        hits = pc.fill_null(mask, False)
        total = pc.sum(hits).as_py() or 0
        if not total:
            return
        indices = pc.indices_nonzero(hits)[: self.collector.room]
        positions = indices.to_pylist()
        values = pc.cast(pc.take(display, indices), pa.string()).to_pylist()
        messages = [message(i) for i in positions] if callable(message) else message
        self.collector.add_rows(
            self.file, column, [first_row + i for i in positions], values, messages, total
        )

    # -- after the last batch --------------------------------------------------------

    def finish(self) -> None:
        """Report columns that hold personal identity codes (one error per column, value masked)."""
        for column, hits in self._identity_hits.items():
            self._error(
                hits.first_row,
                column,
                hits.first_value,
                f"looks like a Finnish personal identity code (henkilötunnus); {hits.count} value(s) in this "
                "column do. Valvomo accepts only pseudonymised identifiers: pseudonymise the column before loading",
            )
