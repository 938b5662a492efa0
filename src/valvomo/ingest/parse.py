"""Vectorised parsing of text cells into the canonical Arrow types.

CSV cells arrive as strings. Each parser turns a whole column chunk into its
canonical type with pyarrow.compute, returning null where a value cannot be
parsed; the caller compares against the input's nulls to find the failing rows.
Fast paths cast whole chunks at C++ speed; the slower, per-value-tolerant path
runs only for chunks that contain a bad value.

Timestamps follow data-model.md: ISO 8601 without an offset is Europe/Helsinki
wall-clock time and is stored as is (a local time in the spring-forward gap is
kept as written); with an offset (``Z``, ``+02:00``, ``+0200``, ``+02``) the
instant is converted to Helsinki wall-clock time, DST-correct.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from valvomo.schema import codes
from valvomo.schema.tables import DType
from valvomo.warehouse.canonical import ARROW_TYPES

HELSINKI = "Europe/Helsinki"

_DATE = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
_OFFSET = r"(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)"
DATE_PATTERN = rf"^{_DATE}$"
TIMESTAMP_PATTERN = rf"^{_DATE}[T ]{_TIME}{_OFFSET}?$"
OFFSET_PATTERN = rf"{_OFFSET}$"
INT_PATTERN = r"^[+-]?[0-9]{1,18}$"
FLOAT_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"

EXPECTED: dict[DType, str] = {
    "str": "text",
    "int": "a whole number such as 42",
    "float": "a number such as 12.5 (decimal point, not comma)",
    "bool": "a boolean: " + "/".join(codes.TRUE_WORDS) + " or " + "/".join(codes.FALSE_WORDS),
    "timestamp": (
        "an ISO 8601 timestamp such as 2024-03-11T08:30 (Helsinki local time) "
        "or 2024-03-11T06:30:00Z / 2024-03-11T08:30:00+02:00"
    ),
    "date": "an ISO 8601 date such as 2024-03-11",
}

_NULL_STR = pa.scalar(None, pa.string())


def clean_text(values: pa.Array) -> pa.Array:
    """Trim surrounding whitespace; an empty or blank cell is null (data-model.md)."""
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), _NULL_STR, trimmed)


def parse_text(values: pa.Array, dtype: DType) -> pa.Array:
    """Parse cleaned strings into ``dtype``; unparseable values become null."""
    return _PARSERS[dtype](values)


def _keep_matching(values: pa.Array, pattern: str) -> pa.Array:
    matches = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    return pc.if_else(matches, values, _NULL_STR)


def _parse_str(values: pa.Array) -> pa.Array:
    return values


def _strip_plus(values: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(values, pattern=r"^\+", replacement="")


def _parse_int(values: pa.Array) -> pa.Array:
    try:  # fast path: a whole chunk of well-formed integers
        return pc.cast(values, pa.int64())
    except pa.ArrowInvalid:
        return pc.cast(_strip_plus(_keep_matching(values, INT_PATTERN)), pa.int64())


def _parse_float(values: pa.Array) -> pa.Array:
    try:
        parsed = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        parsed = pc.cast(_strip_plus(_keep_matching(values, FLOAT_PATTERN)), pa.float64())
    return pc.if_else(pc.is_finite(parsed), parsed, pa.scalar(None, pa.float64()))


_TRUE = pa.array(codes.TRUE_WORDS)
_FALSE = pa.array(codes.FALSE_WORDS)


def _parse_bool(values: pa.Array) -> pa.Array:
    lower = pc.utf8_lower(values)
    is_true = pc.is_in(lower, value_set=_TRUE)
    is_false = pc.is_in(lower, value_set=_FALSE)
    return pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))


def _existing_dates(values: pa.Array) -> pa.Array:
    """Null out values whose first ten characters are not a real calendar date (2024-02-30)."""
    day = pc.utf8_slice_codeunits(values, 0, 10)
    parsed = pc.strptime(day, format="%Y-%m-%d", unit="s", error_is_null=True)
    exists = pc.fill_null(pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), day), False)
    return pc.if_else(exists, values, _NULL_STR)


def _cast_checked(values: pa.Array, target: pa.DataType) -> pa.Array:
    """Cast well-shaped strings; the shape regexes leave only impossible dates to fail."""
    try:
        return pc.cast(values, target)
    except pa.ArrowInvalid:
        return pc.cast(_existing_dates(values), target)


def _parse_date(values: pa.Array) -> pa.Array:
    return _cast_checked(_keep_matching(values, DATE_PATTERN), pa.date32())


# Arrow's own ISO 8601 cast also takes "2024-03-11" and "2024-03-11T08"; every form
# TIMESTAMP_PATTERN accepts without an offset is at least "YYYY-MM-DDTHH:MM" long.
_SHORTEST_TIMESTAMP = len("2024-03-11T08:30")


def _parse_timestamp(values: pa.Array) -> pa.Array:
    try:  # fast path: a whole chunk of local times without offsets
        parsed = pc.cast(values, ARROW_TYPES["timestamp"])
    except pa.ArrowInvalid:
        pass
    else:
        long_enough = pc.greater_equal(pc.utf8_length(values), _SHORTEST_TIMESTAMP)
        return pc.if_else(long_enough, parsed, pa.scalar(None, ARROW_TYPES["timestamp"]))
    shaped = _keep_matching(values, TIMESTAMP_PATTERN)
    has_offset = pc.fill_null(pc.match_substring_regex(shaped, OFFSET_PATTERN), False)
    if not pc.any(has_offset).as_py():
        return _cast_checked(shaped, ARROW_TYPES["timestamp"])
    local_text = pc.if_else(has_offset, _NULL_STR, shaped)
    offset_text = pc.if_else(has_offset, shaped, _NULL_STR)
    local = _cast_checked(local_text, ARROW_TYPES["timestamp"])
    instant = _cast_checked(offset_text, pa.timestamp("us", tz="UTC"))
    return pc.coalesce(local, helsinki_wall_clock(instant))


def helsinki_wall_clock(instants: pa.Array) -> pa.Array:
    """Time-zone-aware instants as naive Europe/Helsinki wall-clock timestamp[us]."""
    in_helsinki = pc.cast(instants, pa.timestamp("us", tz=HELSINKI))
    return pc.cast(pc.local_timestamp(in_helsinki), ARROW_TYPES["timestamp"])


_PARSERS = {
    "str": _parse_str,
    "int": _parse_int,
    "float": _parse_float,
    "bool": _parse_bool,
    "timestamp": _parse_timestamp,
    "date": _parse_date,
}
