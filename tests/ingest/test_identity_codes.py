"""Refusal of Finnish personal identity codes (henkilötunnus) at ingest."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from ingest_helpers import (
    PATIENT_ROWS,
    contact,
    ingest,
    ingest_errors,
    make_settings,
    only_error,
    write_folder,
)

from valvomo.ingest import read_ingest_log
from valvomo.ingest.identity_codes import identity_code_mask, is_identity_code, mask_identity_code

# 131052-308T is DVV's published example; the others are built with the same rule:
# check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[DDMMYYNNN mod 31].
VALID = ["131052-308T", "010594Y9032", "010594Y9021", "020502E902X", "020502A902X", "131052+308T"]
NOT_CODES = [
    "P0000123",  # a pseudonym
    "010124",  # a bare date
    "131052-308U",  # wrong check character
    "290223-123X",  # 29 February 2023 does not exist
    "310490-123A",  # 31 April
    "131052G308T",  # G is not a century sign
    "131052-308",  # too short
    "x131052-308T",
]


@pytest.mark.parametrize("value", VALID)
def test_valid_codes_are_recognised(value):
    assert is_identity_code(value)


@pytest.mark.parametrize("value", NOT_CODES)
def test_other_values_are_not(value):
    assert not is_identity_code(value)


def test_vectorised_check_agrees_with_the_scalar_one():
    values = VALID + NOT_CODES + [None, "", "131052-308t"]
    expected = [bool(v) and is_identity_code(v) for v in values]
    assert identity_code_mask(pa.array(values, pa.string())).to_pylist() == expected
    assert expected.count(True) == len(VALID) + 1  # the lower-case variant counts too


def test_mask_keeps_only_the_shape():
    assert mask_identity_code("131052-308T") == "******-****"


def test_column_of_identity_codes_is_refused_without_echoing_them(tmp_path):
    settings = make_settings(tmp_path)
    rows = [contact("C1"), contact("C2", patient_id="131052-308T"), contact("C3", patient_id="010594Y9032")]
    exc = ingest_errors(settings, write_folder(tmp_path / "in", {"contacts": rows}))
    error = only_error(exc, "patient_id")
    assert (error.file, error.row, error.column, error.value) == (
        "contacts.csv",
        2,
        "patient_id",
        "******-****",
    )
    assert "henkilötunnus" in error.message and "2 value(s)" in error.message
    log = json.dumps(read_ingest_log(settings))
    for code in ("131052-308T", "010594Y9032"):
        assert code not in str(exc) and code not in log


def test_identity_codes_in_an_unknown_column_are_named(tmp_path):
    rows = [dict(contact("C1"), hetu="131052-308T")]
    exc = ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": rows}))
    assert {e.column for e in exc.errors} == {"hetu"}
    assert any("henkilötunnus" in e.message for e in exc.errors)
    assert "131052-308T" not in str(exc)


def test_pseudonyms_and_dates_pass(tmp_path):
    patients = [dict(PATIENT_ROWS[0], patient_id="P0000123"), dict(PATIENT_ROWS[1], patient_id="010124")]
    rows = [contact("C1", patient_id="P0000123"), contact("C2", patient_id="010124", specialty="131052-308U")]
    result = ingest(
        make_settings(tmp_path), write_folder(tmp_path / "in", {"patients": patients, "contacts": rows})
    )
    assert result.row_counts == {"patients": 2, "contacts": 2}
