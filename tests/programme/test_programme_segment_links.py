"""Programme indicator links to segment outputs (issue 7, item 2): one lookup over both registries.

A small county, hand-computed for 2024 (the data end on 2024-12-31):

- 20 type 2 diabetics (E11.9, born 1960), one physician contact each on 2024-02-05 costing 100 EUR;
  D01-D10 have an HbA1c in 2024, D11-D20 none. The care gap ``t2d_no_hba1c_12m`` at 2024-12-31:
  10 / 20 = 0.5.
- Patient Z: one contact on 2024-12-31 costing 2100 EUR. Placed patients in 2024: 21; the top decile
  is ceil(2.1) = 3 patients: Z and two diabetics, (2100 + 2 x 100) / (2100 + 20 x 100) = 2300 / 4100.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from typer.testing import CliRunner

from plan_yaml import plan_yaml
from valvomo.appdb import session_scope
from valvomo.cli import app
from valvomo.config import get_settings
from valvomo.programme import service
from valvomo.programme.indicator_values import ResultsServiceValues, indicator_catalogue
from valvomo.programme.linkstatus import evaluate_link
from valvomo.programme.yamlio import ProgrammeFileError, parse_document
from valvomo.services.outputs import UnknownOutputError, lookup, output_values
from valvomo.services.results import ResultStore, clear_cache
from valvomo.warehouse.backends import connect_duckdb
from valvomo.warehouse.sources import MemorySources

CARE_GAP = "care_gaps:t2d_no_hba1c_12m"
TOP_DECILE = "top_decile_cost_share_12m"
HIGH_NEED = "utilisation_segment_mix:high_need"

PLAN = plan_yaml(
    "segment-links", "{fi: Segmenttilinkit, sv: Segmentlänkar, en: Segment links}",
    start="2023-01-01", end="2025-12-31", cadence="year", periods=["2024"],
    indicators=textwrap.dedent(
        f"""\
        - indicator: {CARE_GAP}
          goal: 1
          baseline: {{value: 0.9, at: 2023}}
          target: {{value: 0.2, deadline: 2025}}
        - indicator: {TOP_DECILE}
          goal: 1
        - indicator: {HIGH_NEED}
          key: high_need_share
          direction: lower
          target: {{value: 0.1, deadline: 2025}}
        """
    ),
)


def _contact(cid, pid, day, cost):
    started = dt.datetime.fromisoformat(day).replace(hour=10)
    return {"contact_id": cid, "patient_id": pid, "station_id": "S1", "professional_id": "X1",
            "profession": "physician", "contact_type": "R10", "service_type": "T11", "nature": "SH",
            "urgency": "non_urgent", "started_at": started, "cancelled_at": None, "cost_eur": float(cost)}  # fmt: skip


def _patient(pid, birth_year):
    return {"patient_id": pid, "birth_year": birth_year, "sex": "F", "municipality": "638", "language": "fi",
            "home_station_id": "S1"}  # fmt: skip


class SmallCounty(MemorySources):
    snapshot_id = "programme-segments-1"

    def is_empty(self) -> bool:
        return not self.has("contacts")


@pytest.fixture
def county():
    diabetics = [f"D{i:02d}" for i in range(1, 21)]
    contacts = [_contact(f"c-{p}", p, "2024-02-05", 100) for p in diabetics] + [_contact("c-Z", "Z", "2024-12-31", 2100)]
    tables = {
        "contacts": contacts,
        "diagnoses": [{"contact_id": f"c-{p}", "position": 1, "system": "icd10", "code": "E11.9"} for p in diabetics],
        "patients": [_patient(p, 1960) for p in diabetics] + [_patient("Z", 1990)],
        "lab_results": [
            {"patient_id": p, "test": "HbA1c", "value": 50.0, "unit": None,
             "taken_at": dt.datetime(2024, 6, 3, 8)}  # fmt: skip
            for p in diabetics[:10]
        ],
    }
    return SmallCounty(tables, backend=connect_duckdb())


@pytest.fixture
def home(settings, monkeypatch, county):
    monkeypatch.setenv("VALVOMO_HOME", str(settings.home))
    monkeypatch.setenv("VALVOMO_LANGUAGE", "en")
    monkeypatch.delenv("VALVOMO_DISCLOSURE_PROFILE", raising=False)
    monkeypatch.setattr(ResultStore, "_open_warehouse", lambda self: county)
    get_settings.cache_clear()
    clear_cache()
    yield get_settings()
    get_settings.cache_clear()
    clear_cache()


def test_one_lookup_reads_unit_direction_and_names_from_the_segment_registry():
    gap = lookup(CARE_GAP)
    assert (gap.id, gap.bin, gap.unit, gap.direction, gap.is_segment) == ("care_gaps", "t2d_no_hba1c_12m", "share",
                                                                          "lower", True)  # fmt: skip
    assert gap.names["en"].startswith("Care gaps: ") and gap.names["fi"].startswith("Hoitopudokkaiden osuus: ")
    coci = lookup("segment_coci:high_need")
    assert (coci.unit, coci.direction, coci.names["en"]) == ("index", "higher",
                                                             "Continuity of care (COCI) by segment: high-need")  # fmt: skip
    assert not lookup("coci").is_segment and lookup("coci").bin is None
    catalogue = indicator_catalogue()
    assert {CARE_GAP, TOP_DECILE, "segment_coci:high_need", "coci", "access_7d"} <= set(catalogue)
    assert catalogue[CARE_GAP].direction == "lower" and catalogue[TOP_DECILE].unit == "share"
    assert "segment_coci" not in catalogue  # a distribution is linked by one of its bins
    for wrong in ("segment_coci", "segment_coci:nobody", "coci:high_need", "no_such_output"):
        with pytest.raises(UnknownOutputError):
            lookup(wrong)


def test_segment_values_are_hand_computed_and_disclosure_controlled(home):
    assert output_values(home, CARE_GAP, "year", profile="none") == {"2024": 0.5}
    assert output_values(home, TOP_DECILE, "year", profile="none") == {"2024": pytest.approx(2300 / 4100)}
    # Standard control: 10 / 20 is unchanged by rounding to 5, so the value is shown ...
    assert output_values(home, CARE_GAP, "year") == {"2024": 0.5}
    # ... while the high-need share (top ceil(21 / 10) = 3 by cost: Z, D01, D02) has 3 < 5 patients: suppressed.
    assert output_values(home, HIGH_NEED, "year", profile="none") == {"2024": pytest.approx(3 / 21)}
    assert output_values(home, HIGH_NEED, "year") == {"2024": None}


def test_a_plan_linking_segment_outputs_gets_value_and_status(home):
    document = parse_document(PLAN, "plan.yaml")
    with session_scope(home) as db:
        programme = service.save_document(db, document)
        links = {link.key: link for link in programme.indicator_links}
        assert set(links) == {"care_gaps-t2d_no_hba1c_12m", TOP_DECILE, "high_need_share"}  # default key: key-safe
        values = ResultsServiceValues(home)
        gap = evaluate_link(links["care_gaps-t2d_no_hba1c_12m"], programme, "2024", values)
        top = evaluate_link(links[TOP_DECILE], programme, "2024", values)
        high = evaluate_link(links["high_need_share"], programme, "2024", values)
    assert gap.error is None and gap.current is not None and gap.current.value == 0.5
    assert (gap.kind, gap.direction) == ("share", "lower")  # from the registry entry, not the plan
    # Linear path 0.9 (end 2023) -> 0.2 (end 2025): 0.9 - 0.7 x 366/731 = 0.5495 at 2024-12-31; 0.5 is lower.
    assert gap.evaluation.expected == pytest.approx(0.9 - 0.7 * 366 / 731)
    assert gap.evaluation.status == "on_track"
    assert gap.name("en") == "Care gaps: Type 2 diabetes without HbA1c in 12 months"
    assert top.current is not None and top.current.value == pytest.approx(2300 / 4100)
    assert top.evaluation.status == "no_target" and top.kind == "share"
    # Disclosure-controlled: the suppressed high-need share is a suppressed point, and no status is made up.
    assert high.current is not None and high.current.suppressed and high.current.value is None
    assert high.evaluation.status == "no_data"


def test_the_report_shows_the_linked_segment_values(home, tmp_path):
    with session_scope(home) as db:
        service.save_document(db, parse_document(PLAN, "plan.yaml"))
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--programme", "segment-links", "--period", "2024", "--format", "html",
                                      "--lang", "en", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "unavailable" not in result.output
    html = out.read_text(encoding="utf-8")
    assert "Care gaps: Type 2 diabetes without HbA1c in 12 months" in html and "Top-decile share of cost" in html
    assert "50.0%" in html and "56.1%" in html  # 0.5 and 2300 / 4100
    assert "Utilisation segment mix: high-need" in html and "&lt;8" in html  # 3 / 21 suppressed, as on screen
    assert "Source: Valvomo segment registry (care_gaps:t2d_no_hba1c_12m)" in html  # not "indicator registry"


UNKNOWN = [
    ("no_such_output", "unknown indicator 'no_such_output'"),
    ("segment_coci", "'segment_coci' is a distribution; name one bin as segment_coci:BIN"),
    ("care_gaps:no_such_rule", "name one bin as care_gaps:BIN, BIN one of hba1c_high_no_contact_6m"),
    ("coci:high_need", "unknown indicator 'coci:high_need'"),
]


@pytest.mark.parametrize(("ref", "fragment"), UNKNOWN, ids=[u[0] for u in UNKNOWN])
def test_unknown_ids_are_refused_with_path_and_line(ref, fragment):
    text = PLAN.replace(f"indicator: {CARE_GAP}", f"indicator: {ref}")
    with pytest.raises(ProgrammeFileError) as caught:
        parse_document(text, "plan.yaml")
    issues = [i for i in caught.value.issues if i.path == "indicators[0].indicator"]
    assert issues and fragment in issues[0].message, caught.value.report()
    line = next(n for n, row in enumerate(text.splitlines(), 1) if f"indicator: {ref}" in row)
    assert issues[0].line == line and f"plan.yaml:{line}:" in caught.value.report()
