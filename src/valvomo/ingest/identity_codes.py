"""Detect Finnish personal identity codes (henkilötunnus) so that ingest can refuse them.

Valvomo holds pseudonyms only (data-model.md). A value counts as an identity
code when it has the shape ``DDMMYY C NNN Q`` — birth date, century sign
(``+`` 1800s; ``-``, ``U``–``Y`` 1900s; ``A``–``F`` 2000s), individual number
and check character — *and* the date exists *and* the check character is right
(``DDMMYYNNN`` mod 31 over ``0123456789ABCDEFHJKLMNPRSTUVWXY``). Requiring a
valid check character keeps pseudonyms that merely look similar from being
flagged; plain dates (``010124``) or ids (``P0000123``) never have the shape.
"""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pyarrow.compute as pc

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS: dict[str, int] = {
    "+": 1800,
    "-": 1900,
    **dict.fromkeys("UVWXY", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}

_SIGNS = "".join(re.escape(sign) for sign in CENTURY_SIGNS)
SHAPE_PATTERN = (
    rf"^(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{{2}}[{_SIGNS}][0-9]{{3}}[{CHECK_CHARACTERS}]$"
)
_SHAPE = re.compile(SHAPE_PATTERN)


def is_identity_code(value: str) -> bool:
    """True when ``value`` is a valid Finnish personal identity code (one value; see ``identity_code_mask``)."""
    value = value.strip().upper()
    if not _SHAPE.match(value):
        return False
    day, month, year = int(value[0:2]), int(value[2:4]), int(value[4:6]) + CENTURY_SIGNS[value[6]]
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return CHECK_CHARACTERS[int(value[0:6] + value[7:10]) % 31] == value[10]


def identity_code_mask(values: pa.Array) -> pa.Array:
    """Boolean array: which values are valid identity codes (vectorised ``is_identity_code``).

    ``values`` are trimmed strings (ingest's ``clean_text``); trimming here again would
    double the cost of the check on every text column.
    """
    eleven = pc.fill_null(pc.equal(pc.utf8_length(values), 11), False)
    if not pc.any(eleven).as_py():  # the common case, decided without a regex
        return eleven
    upper = pc.utf8_upper(pc.if_else(eleven, values, pa.scalar(None, pa.string())))
    shaped = pc.fill_null(pc.match_substring_regex(upper, SHAPE_PATTERN), False)
    if not pc.any(shaped).as_py():
        return shaped
    candidates = pc.if_else(shaped, upper, pa.scalar(None, pa.string()))
    number = pc.cast(
        pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(candidates, 0, 6), pc.utf8_slice_codeunits(candidates, 7, 10), ""
        ),
        pa.int64(),
    )
    remainder = pc.subtract(number, pc.multiply(pc.divide(number, 31), 31))
    expected = pc.take(pa.array(list(CHECK_CHARACTERS)), remainder)
    check_ok = pc.equal(expected, pc.utf8_slice_codeunits(candidates, 10, 11))

    signs = pa.array(list(CENTURY_SIGNS))
    centuries = pa.array([str(century // 100) for century in CENTURY_SIGNS.values()])
    century = pc.take(centuries, pc.index_in(pc.utf8_slice_codeunits(candidates, 6, 7), value_set=signs))
    iso_date = pc.binary_join_element_wise(
        century,
        pc.utf8_slice_codeunits(candidates, 4, 6),
        "-",
        pc.utf8_slice_codeunits(candidates, 2, 4),
        "-",
        pc.utf8_slice_codeunits(candidates, 0, 2),
        "",
    )
    parsed = pc.strptime(iso_date, format="%Y-%m-%d", unit="s", error_is_null=True)
    date_ok = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), iso_date)
    return pc.fill_null(pc.and_(check_ok, date_ok), False)


def looks_like_identity_code(value: str) -> bool:
    """Shape only (no date or check-character test): used to decide what to mask in messages."""
    return bool(_SHAPE.match(value.strip().upper()))


def mask_identity_code(value: str) -> str:
    """Hide every digit and letter, keep the century sign: ``******-****``."""
    return "".join("*" if ch.isalnum() else ch for ch in value.strip())


_INSIDE = re.compile(SHAPE_PATTERN[1:-1], re.IGNORECASE)


def mask_identity_codes_in(text: str) -> str:
    """Mask every identity-code-shaped part of a longer text (a whole row, a header), and a whole value."""
    return _INSIDE.sub(lambda found: mask_identity_code(found.group()), mask_if_identity_code(text))


def mask_if_identity_code(value: str) -> str:
    """Never echo something shaped like an identity code in an error message or log."""
    return mask_identity_code(value) if looks_like_identity_code(value) else value
