"""One test per validation rule of data-model.md: each error names file, row, column and value.

Row numbers are data rows: the first row after the CSV header is row 1.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from ingest_helpers import (
    PATIENT_ROWS,
    STATION_ROWS,
    assert_names,
    contact,
    csv_text,
    ingest,
    ingest_errors,
    make_settings,
    only_error,
    write_folder,
)

from valvomo.schema import codes
from valvomo.warehouse.store import Warehouse


def test_required_column_missing(tmp_path):
    rows = [{k: v for k, v in contact().items() if k != "started_at"}]
    folder = write_folder(tmp_path / "in", {"contacts": rows})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", None, "started_at", None)
    assert "required column missing" in error.message


def test_required_value_missing(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1"), contact("C2", started_at="")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 2, "started_at", None)
    assert "required value missing" in error.message


def test_blank_cell_of_required_column_is_missing(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", station_id="   ")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 1, "station_id", None)
    assert "required value missing" in error.message


def test_integer_parse_error(tmp_path):
    folder = write_folder(
        tmp_path / "in",
        {"contacts": [contact("C1", assessed_max_days="7"), contact("C2", assessed_max_days="seven")]},
    )
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 2, "assessed_max_days", "seven")
    assert "whole number" in error.message


def test_float_parse_error_names_decimal_point(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", cost_eur="12,5")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 1, "cost_eur", "12,5")
    assert "decimal point" in error.message


def test_boolean_parse_error_lists_accepted_words(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", first_visit="maybe")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 1, "first_visit", "maybe")
    assert "kyllä" in error.message and "nej" in error.message


def test_timestamp_parse_errors(tmp_path):
    rows = [
        contact("C1", booked_at="2024-02-30T10:00"),  # no 30 February
        contact("C2", booked_at="4.3.2024 10:00"),  # Finnish notation is not ISO 8601
        contact("C3", booked_at="2024-03-04T24:00"),
        contact("C4", booked_at="2024-03-04T10:00:00.5Z"),  # valid: the only good one
    ]
    exc = ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": rows}))
    assert [(e.row, e.column, e.value) for e in exc.errors] == [
        (1, "booked_at", "2024-02-30T10:00"),
        (2, "booked_at", "4.3.2024 10:00"),
        (3, "booked_at", "2024-03-04T24:00"),
    ]
    assert_names(exc.errors[0], "contacts.csv", 1, "booked_at", "2024-02-30T10:00")
    assert "ISO 8601" in exc.errors[0].message


def test_date_parse_error(tmp_path):
    interventions = [
        {
            "intervention_id": "I1",
            "patient_id": "P1",
            "station_id": "S1",
            "method": "IPC",
            "recommended_on": "2024-03-01",
        },
        {
            "intervention_id": "I2",
            "patient_id": "P1",
            "station_id": "S1",
            "method": "IPC",
            "recommended_on": "2023-02-29",
        },
    ]
    folder = write_folder(tmp_path / "in", {"contacts": [contact()], "interventions": interventions})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "interventions.csv", 2, "recommended_on", "2023-02-29")
    assert "ISO 8601 date" in error.message


def test_unknown_code_lists_allowed_values(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1"), contact("C2", profession="doctor")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 2, "profession", "doctor")
    assert all(code in error.message for code in codes.PROFESSIONS)


def test_code_sets_are_case_sensitive(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", contact_type="r10")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 1, "contact_type", "r10")


def test_minimum(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1", cost_eur="-0.5")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 1, "cost_eur", "-0.5")
    assert "≥ 0" in error.message


def test_maximum(tmp_path):
    feedback = [
        {"response_id": "F1", "station_id": "S1", "answered_at": "2024-03-04T10:00", "score": "10"},
        {"response_id": "F2", "station_id": "S1", "answered_at": "2024-03-04T10:00", "score": "11"},
    ]
    folder = write_folder(tmp_path / "in", {"contacts": [contact()], "feedback": feedback})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "feedback.csv", 2, "score", "11")
    assert "between 0 and 10" in error.message


def test_municipality_has_three_characters(tmp_path):
    stations = [dict(STATION_ROWS[0]), dict(STATION_ROWS[1], municipality="18")]
    folder = write_folder(tmp_path / "in", {"stations": stations, "contacts": [contact()]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "stations.csv", 2, "municipality", "18")
    assert "3 characters" in error.message and "leading zeros" in error.message


def test_duplicate_primary_key_within_file(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact("C1"), contact("C2"), contact("C1")]})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 3, "contact_id", "C1")
    assert "duplicate primary key" in error.message and "row 1" in error.message


def test_duplicate_composite_primary_key(tmp_path):
    row = {
        "year": "2024",
        "municipality": "638",
        "age_band": "0-4",
        "sex": "F",
        "language": "fi",
        "residents": "10",
    }
    population = [row, dict(row, sex="M"), dict(row, residents="12")]
    folder = write_folder(tmp_path / "in", {"contacts": [contact()], "population": population})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(
        error, "population.csv", 3, "year, municipality, age_band, sex, language", "2024, 638, 0-4, F, fi"
    )


def test_station_reference_within_the_same_load(tmp_path):
    folder = write_folder(
        tmp_path / "in",
        {"stations": STATION_ROWS, "contacts": [contact("C1"), contact("C2", station_id="S9")]},
    )
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 2, "station_id", "S9")
    assert "stations" in error.message


def test_station_reference_against_stored_stations(tmp_path):
    settings = make_settings(tmp_path)
    ingest(
        settings, write_folder(tmp_path / "first", {"stations": STATION_ROWS, "contacts": [contact("C1")]})
    )
    folder = write_folder(tmp_path / "second", {"contacts": [contact("C1"), contact("C2", station_id="S3")]})
    error = only_error(ingest_errors(settings, folder))
    assert_names(error, "contacts.csv", 2, "station_id", "S3")
    assert "stored" in error.message


def test_no_station_check_without_stations(tmp_path):
    settings = make_settings(tmp_path)
    result = ingest(settings, write_folder(tmp_path / "in", {"contacts": [contact("C1", station_id="ANY")]}))
    assert result.row_counts == {"contacts": 1}


def test_replacing_stations_checks_stored_contacts(tmp_path):
    settings = make_settings(tmp_path)
    ingest(
        settings,
        write_folder(
            tmp_path / "first",
            {"stations": STATION_ROWS, "contacts": [contact("C1"), contact("C2", station_id="S2")]},
        ),
    )
    folder = write_folder(tmp_path / "second", {"stations": STATION_ROWS[:1]})
    error = only_error(ingest_errors(settings, folder))
    assert_names(error, "contacts (stored in the warehouse)", 2, "station_id", "S2")


def test_patient_reference(tmp_path):
    folder = write_folder(
        tmp_path / "in",
        {
            "patients": PATIENT_ROWS,
            "contacts": [contact("C1", patient_id="P2"), contact("C2", patient_id="P7")],
        },
    )
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.csv", 2, "patient_id", "P7")
    assert "patients" in error.message


def test_assessment_after_start_is_an_error(tmp_path):
    rows = [
        contact("C1"),
        contact("C2", contacted_at="", assessed_at="2024-03-06T10:01", started_at="2024-03-06T10:00"),
    ]
    error = only_error(
        ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": rows}))
    )
    assert_names(error, "contacts.csv", 2, "assessed_at", "2024-03-06T10:01")
    assert "assessed_at ≤ started_at" in error.message


def test_contact_after_assessment_is_an_error(tmp_path):
    rows = [contact("C1", contacted_at="2024-03-04T09:30", assessed_at="2024-03-04T09:00")]
    error = only_error(
        ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": rows}))
    )
    assert_names(error, "contacts.csv", 1, "contacted_at", "2024-03-04T09:30")
    assert "contacted_at ≤ assessed_at" in error.message


def test_order_rules_compare_instants_after_offset_conversion(tmp_path):
    # 08:30Z is 10:30 Helsinki (UTC+2 in March), after the 10:00 start.
    rows = [contact("C1", contacted_at="", assessed_at="2024-03-06T08:30:00Z", started_at="2024-03-06T10:00")]
    error = only_error(
        ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": rows}))
    )
    assert_names(error, "contacts.csv", 1, "assessed_at", "2024-03-06T08:30:00Z")


def test_unknown_column_is_an_error_with_a_suggestion(tmp_path):
    rows = [dict(contact(), stared_at="x")]
    error = only_error(
        ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": rows}))
    )
    assert_names(error, "contacts.csv", None, "stared_at", None)
    assert "did you mean started_at" in error.message


def test_contacts_are_required(tmp_path):
    error = only_error(
        ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"stations": STATION_ROWS}))
    )
    assert error.file == "contacts.csv" and "required table missing" in error.message


def test_unknown_files_are_warnings(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact()]})
    (folder / "notes.txt").write_text("hello")
    (folder / "visits.csv").write_text("a\n1\n")
    result = ingest(make_settings(tmp_path), folder)
    assert result.row_counts == {"contacts": 1}
    assert [w.split(":")[0] for w in result.warnings] == ["notes.txt", "visits.csv"]


def test_manifest_values_must_be_booleans(tmp_path):
    folder = write_folder(
        tmp_path / "in", {"contacts": [contact()]}, manifest={"patients_are_all_residents": "yes"}
    )
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "manifest.json", None, "patients_are_all_residents", '"yes"')


def test_table_given_twice_is_an_error(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": [contact()]})
    pq.write_table(pa.table({"contact_id": ["C1"]}), folder / "contacts.parquet")
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert "contacts.csv and contacts.parquet" in error.message


def test_broken_csv_row_keeps_later_row_numbers_right(tmp_path):
    text = (
        csv_text([contact("C1"), contact("C2")])
        + "C3,P1\n"
        + csv_text([contact("C4", profession="doctor")]).split("\n", 1)[1]
    )
    exc = ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": text}))
    # Data rows: C1 = 1, C2 = 2, the broken C3 = 3, C4 = 4.
    assert [(e.row, e.column, e.value) for e in exc.errors] == [(3, None, None), (4, "profession", "doctor")]
    assert "expected 11 comma-separated fields, found 2" in exc.errors[0].message
    assert "C3" not in str(exc)  # the broken row's text is never echoed


def test_semicolon_separated_file_gets_a_hint(tmp_path):
    folder = write_folder(tmp_path / "in", {"contacts": "contact_id;patient_id\nC1;P1\n"})
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert error.file == "contacts.csv" and "semicolon" in error.message


def test_latin1_file_is_refused_as_not_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "contacts.csv").write_bytes(csv_text([contact(specialty="yleislääketiede")]).encode("latin-1"))
    exc = ingest_errors(make_settings(tmp_path), folder)
    assert any(e.file == "contacts.csv" and "UTF-8" in e.message for e in exc.errors)


def test_error_list_is_capped_with_a_count_of_the_rest(tmp_path):
    rows = [contact(f"C{i}", urgency="soon") for i in range(10)]
    exc = ingest_errors(
        make_settings(tmp_path, ingest_max_errors=3), write_folder(tmp_path / "in", {"contacts": rows})
    )
    assert len(exc.errors) == 3 and exc.total == 10
    assert str(exc).endswith("... and 7 more")


def test_failing_ingest_leaves_an_empty_warehouse_empty(tmp_path):
    settings = make_settings(tmp_path)
    ingest_errors(settings, write_folder(tmp_path / "in", {"contacts": [contact(profession="doctor")]}))
    assert Warehouse(settings).is_empty() and Warehouse(settings).snapshot_id is None


def test_parquet_input_with_native_types(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    started = pa.array(
        [1709712000_000000], pa.timestamp("us", tz="UTC")
    )  # 2024-03-06T08:00Z = 10:00 Helsinki
    table = pa.table(
        {
            "contact_id": ["C1"],
            "patient_id": ["P1"],
            "station_id": pa.array([7], pa.int32()),  # integer ids are read as text
            "profession": ["nurse"],
            "contact_type": ["R50"],
            "service_type": ["T11"],
            "nature": ["SH"],
            "urgency": ["urgent"],
            "assessed_max_days": pa.array([3.0]),  # pandas writes integer columns with gaps as floats
            "started_at": started,
            "first_visit": pa.array([1], pa.int8()),
        }
    )
    pq.write_table(table, folder / "contacts.parquet")
    settings = make_settings(tmp_path)
    ingest(settings, folder)
    row = Warehouse(settings).table("contacts").to_pyarrow().to_pylist()[0]
    assert (row["station_id"], row["assessed_max_days"], row["first_visit"]) == ("7", 3, True)
    assert row["started_at"].isoformat() == "2024-03-06T10:00:00"


def test_parquet_column_of_the_wrong_type(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = contact()
    table = pa.table({**{k: [v] for k, v in rows.items()}, "first_visit": pa.array([2.5])})
    pq.write_table(table, folder / "contacts.parquet")
    error = only_error(ingest_errors(make_settings(tmp_path), folder))
    assert_names(error, "contacts.parquet", None, "first_visit", None)
    assert "double" in error.message


def test_duplicated_header_column_is_an_error(tmp_path):
    text = "contact_id,contact_id\nC1,C2\n"
    exc = ingest_errors(make_settings(tmp_path), write_folder(tmp_path / "in", {"contacts": text}))
    duplicated = [e for e in exc.errors if e.column == "contact_id"]
    assert len(duplicated) == 1 and "appears 2 times" in duplicated[0].message


def test_header_only_files_load_as_empty_tables(tmp_path):
    header = ",".join(contact())
    settings = make_settings(tmp_path)
    for text in (header, header + "\n"):  # with and without a final line end
        result = ingest(settings, write_folder(tmp_path / "in", {"contacts": text}))
        assert result.row_counts == {"contacts": 0}


def test_pandas_index_column_is_ignored(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    table = pa.table({**{k: [v] for k, v in contact().items()}, "__index_level_0__": [7]})
    pq.write_table(table, folder / "contacts.parquet")
    assert ingest(make_settings(tmp_path), folder).row_counts == {"contacts": 1}
