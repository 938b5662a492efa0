"""The synthetic county's files: reproducible, in the canonical schema, valid under data-model.md."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from valvomo.schema import LOAD_ORDER, MANIFEST_FILE, TABLES
from valvomo.synth import generate
from valvomo.synth.writer import arrow_schema
from valvomo.workdays import is_working_day

POPULATION = 1_500
START = dt.date(2024, 1, 1)
END = dt.date(2025, 1, 1)
PERSONAL_IDENTITY_CODE = re.compile(r"(?<![0-9])[0-9]{6}[-+A-Y][0-9]{3}[0-9A-Y](?![0-9A-Za-z])")
ISO_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")


def _read(folder: Path, name: str, fmt: str) -> pa.Table:
    if fmt == "parquet":
        return pq.read_table(folder / f"{name}.parquet")
    schema = arrow_schema(name)
    return pa_csv.read_csv(
        folder / f"{name}.csv",
        convert_options=pa_csv.ConvertOptions(
            column_types={f.name: f.type for f in schema},
            strings_can_be_null=True,
            true_values=["true"],
            false_values=["false"],
        ),
    )


@pytest.fixture(scope="module", params=["csv", "parquet"])
def county(request, tmp_path_factory) -> tuple[Path, str, dict[str, pa.Table]]:
    fmt = request.param
    folder = tmp_path_factory.mktemp(f"county_{fmt}")
    generate(folder, population=POPULATION, years=1, start=START, seed=7, fmt=fmt, progress=False)
    return folder, fmt, {name: _read(folder, name, fmt) for name in LOAD_ORDER}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(first, population=800, years=1, seed=11, fmt=fmt, progress=False)
    generate(second, population=800, years=1, seed=11, fmt=fmt, progress=False)
    generate(other, population=800, years=1, seed=12, fmt=fmt, progress=False)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert len(names) == len(LOAD_ORDER) + 1
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / f"contacts.{fmt}").read_bytes() != (other / f"contacts.{fmt}").read_bytes()


def test_csv_and_parquet_hold_the_same_data(tmp_path: Path) -> None:
    generate(tmp_path / "csv", population=600, years=1, seed=3, fmt="csv", progress=False)
    generate(tmp_path / "pq", population=600, years=1, seed=3, fmt="parquet", progress=False)
    for name in LOAD_ORDER:
        assert _read(tmp_path / "csv", name, "csv").equals(_read(tmp_path / "pq", name, "parquet")), name


def test_every_table_has_the_schema_columns_in_order(county) -> None:
    folder, fmt, tables = county
    for name in LOAD_ORDER:
        assert tables[name].column_names == list(TABLES[name].column_names), name
        if fmt == "parquet":
            assert pq.read_schema(folder / f"{name}.parquet").remove_metadata() == arrow_schema(name), name
        else:
            header = (folder / f"{name}.csv").open(encoding="utf-8").readline().rstrip("\n")
            assert header == ",".join(TABLES[name].column_names)
        assert tables[name].num_rows > 0, name


def test_csv_text_conventions(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    generate(folder, population=400, years=1, seed=5, fmt="csv", progress=False)
    for name in LOAD_ORDER:
        raw = pa_csv.read_csv(
            folder / f"{name}.csv",
            convert_options=pa_csv.ConvertOptions(
                column_types={c: pa.string() for c in TABLES[name].column_names}, strings_can_be_null=False
            ),
        )
        for column in TABLES[name].columns:
            values = {v for v in raw.column(column.name).unique().to_pylist() if v != ""}
            if column.dtype == "timestamp":
                assert all(ISO_TIMESTAMP.match(v) for v in values), column.name
            elif column.dtype == "bool":
                assert values <= {"true", "false"}, column.name
            elif column.dtype == "date":
                assert all(re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", v) for v in values), column.name
            if column.required:
                assert "" not in raw.column(column.name).to_pylist(), f"{name}.{column.name} has empty cells"


def test_codes_ranges_and_required_values(county) -> None:
    _, _, tables = county
    for name in LOAD_ORDER:
        table = tables[name]
        for column in TABLES[name].columns:
            values = table.column(column.name)
            if column.required:
                assert values.null_count == 0, f"{name}.{column.name}"
            present = pc.drop_null(values)
            if column.codes is not None:
                assert set(present.unique().to_pylist()) <= set(column.codes), f"{name}.{column.name}"
            if column.minimum is not None and len(present):
                assert pc.min(present).as_py() >= column.minimum, f"{name}.{column.name}"
            if column.maximum is not None and len(present):
                assert pc.max(present).as_py() <= column.maximum, f"{name}.{column.name}"
            if column.length is not None:
                assert set(pc.utf8_length(present).unique().to_pylist()) <= {column.length}
    assert set(tables["contacts"].column("service_type").unique().to_pylist()) >= {"T11", "T23", "T31"}
    assert set(tables["diagnoses"].column("code").unique().to_pylist()) & {"E11.9", "T90", "I10", "K86"}


def test_primary_keys_are_unique(county) -> None:
    _, _, tables = county
    for name in LOAD_ORDER:
        key = TABLES[name].primary_key
        if not key:
            continue
        rows = tables[name].group_by(list(key)).aggregate([]).num_rows
        assert rows == tables[name].num_rows, name


def test_references_resolve(county) -> None:
    _, _, tables = county

    def values(table: str, column: str) -> set:
        return set(pc.drop_null(tables[table].column(column)).unique().to_pylist())

    stations, patients, contacts = (
        values("stations", "station_id"),
        values("patients", "patient_id"),
        values("contacts", "contact_id"),
    )
    for name in LOAD_ORDER:
        for column, (target, _) in TABLES[name].references.items():
            known = {"stations": stations, "patients": patients, "contacts": contacts}[target]
            assert values(name, column) <= known, f"{name}.{column}"
    assert values("guidance_requests", "patient_id") <= patients
    assert values("lab_results", "patient_id") <= patients
    assert values("interventions", "patient_id") <= patients
    for column in ("named_nurse_id", "named_physician_id"):
        pairs = tables["patients"].select(["home_station_id", column]).to_pylist()
        assert all(p[column] is None or p[column].startswith(p["home_station_id"] + "-") for p in pairs)


def test_patients_are_all_residents(county) -> None:
    folder, fmt, tables = county
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["patients_are_all_residents"] is True
    assert manifest["seed"] == 7 and manifest["population"] == POPULATION
    assert manifest["start"] == "2024-01-01" and manifest["years"] == 1 and manifest["format"] == fmt
    assert manifest["generator"].startswith("valvomo.synth")
    assert tables["patients"].num_rows == POPULATION
    population = tables["population"]
    assert population.column("year").unique().to_pylist() == [2024]
    assert pc.sum(population.column("residents")).as_py() == POPULATION
    assert tables["patients"].column("home_station_id").null_count == 0


def test_contact_times_follow_the_validation_rules(county) -> None:
    _, _, tables = county
    c = tables["contacts"].to_pydict()
    for contacted, assessed, booked, started, cancelled in zip(
        c["contacted_at"], c["assessed_at"], c["booked_at"], c["started_at"], c["cancelled_at"], strict=True
    ):
        assert dt.datetime(2024, 1, 1) <= started < dt.datetime(2025, 1, 1)
        if assessed is not None:
            assert assessed <= started
            assert contacted is None or contacted <= assessed
        if booked is not None:
            assert booked <= started
        if cancelled is not None:
            assert cancelled <= started and (booked is None or booked <= cancelled)
    realised = [p for p, x in zip(c["cost_eur"], c["cancelled_at"], strict=True) if x is None]
    assert all(v is not None and v >= 0 for v in realised)


def test_other_event_times_are_consistent(county) -> None:
    _, _, tables = county
    for slot in tables["slots"].to_pylist():
        assert is_working_day(slot["starts_at"].date())
        assert slot["published_at"] < slot["starts_at"]
        for moment in (slot["booked_at"], slot["cancelled_at"]):
            assert moment is None or slot["published_at"] <= moment <= dt.datetime(2025, 1, 1)
    for request in tables["guidance_requests"].to_pylist():
        if request["first_response_at"] is None:
            assert request["outcome"] in (None, "unreached")
        else:
            assert request["received_at"] <= request["first_response_at"]
            assert request["outcome"] != "unreached"
    for row in tables["interventions"].to_pylist():
        assert row["first_session_on"] is None or row["recommended_on"] <= row["first_session_on"] < END
        assert row["completed_on"] is None or row["first_session_on"] < row["completed_on"] < END
    assert max(tables["lab_results"].column("taken_at").to_pylist()) < dt.datetime(2025, 1, 1)


def test_no_wall_clock_time_falls_in_the_spring_forward_gap(county) -> None:
    _, _, tables = county
    gap_day = dt.date(2024, 3, 31)  # clocks go from 03:00 to 04:00 in Helsinki
    for name in LOAD_ORDER:
        for column in TABLES[name].columns:
            if column.dtype != "timestamp":
                continue
            for moment in pc.drop_null(tables[name].column(column.name)).to_pylist():
                assert not (moment.date() == gap_day and moment.hour == 3), f"{name}.{column.name} {moment}"


def test_no_value_looks_like_a_personal_identity_code(county) -> None:
    folder, _, tables = county
    for name in LOAD_ORDER:
        for column in tables[name].column_names:
            if pa.types.is_string(tables[name].schema.field(column).type):
                text = "\n".join(pc.drop_null(tables[name].column(column)).unique().to_pylist())
                assert not PERSONAL_IDENTITY_CODE.search(text), f"{name}.{column}"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"population": 10}, "population"),
        ({"years": 0}, "years"),
        ({"years": 21}, "years"),
        ({"seed": -1}, "seed"),
        ({"fmt": "xlsx"}, "fmt"),
        ({"start": "2024-01-01"}, "start"),
    ],
)
def test_bad_arguments_are_refused(tmp_path: Path, arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, progress=False, **arguments)
    assert not any(tmp_path.iterdir())


def test_switching_format_removes_the_other_format(tmp_path: Path) -> None:
    generate(tmp_path, population=300, years=1, fmt="csv", progress=False)
    generate(tmp_path, population=300, years=1, fmt="parquet", progress=False)
    assert not list(tmp_path.glob("*.csv"))
    assert len(list(tmp_path.glob("*.parquet"))) == len(LOAD_ORDER)
    assert not list(tmp_path.glob(".*partial"))
