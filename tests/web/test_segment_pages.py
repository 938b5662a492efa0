"""Segment and care-gap pages on the small county: they render in fi/sv/en with the services' figures,
and the care-gap list and the questionnaire stay with the people allowed to see them (audit-logged)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from valvomo.services.caregaps import care_gap_counts

MANAGED_STATION = "ST-LOVIISA"
OTHER_STATION = "ST-NASI"


@pytest.fixture
def app(county_settings):
    from valvomo.web.app import create_app

    return create_app(county_settings)


@pytest.mark.parametrize(("lang", "heading"), [("fi", "Asiakassegmentit"), ("sv", "Kundsegment"), ("en", "Customer segments")])
def test_segments_page_in_each_language(logged_in, lang, heading):
    viewer = logged_in("viewer", language=lang)
    page = viewer.get(f"/segments?lang={lang}")
    assert page.status_code == 200, page.text
    assert f"<h1>{heading}</h1>" in page.text
    assert page.text.count("<svg") >= 2  # segment mix and Lorenz curves
    assert 'href="/segments"' in page.text and 'aria-current="page"' in page.text  # the navigation entry
    assert viewer.get("/segments?kind=quarter").status_code == 200
    assert viewer.get("/segments?kind=week").status_code == 404


def test_care_gap_counts_page_shows_the_protected_counts(logged_in, county_settings):
    viewer = logged_in("viewer", language="en")
    page = viewer.get("/caregaps?kind=year&lang=en")
    assert page.status_code == 200
    rows = care_gap_counts(county_settings, period="year", by=("station",))
    latest = max(r["period"] for r in rows)
    shown = [r for r in rows if r["period"] == latest and not r["suppressed"] and r["numerator"]]
    assert shown
    for row in shown[:3]:
        assert f">{row['numerator']}<" in page.text.replace("\u00a0", "")
    assert "<8" in page.text or "&lt;8" in page.text  # small counts redacted
    assert 'href="/caregaps/' not in page.text  # a viewer has no patient-level access


def test_care_gap_list_access_pagination_and_audit(logged_in, app, audit_actions):
    manager = logged_in("station_manager", username="manager7", stations=[MANAGED_STATION], language="en")
    overview = manager.get("/caregaps?lang=en")
    assert f'href="/caregaps/{MANAGED_STATION}"' in overview.text
    assert f'href="/caregaps/{OTHER_STATION}"' not in overview.text
    assert manager.get(f"/caregaps/{OTHER_STATION}").status_code == 403
    assert manager.get(f"/caregaps/{OTHER_STATION}.csv").status_code == 403
    own = manager.get(f"/caregaps/{MANAGED_STATION}?lang=en")
    assert own.status_code == 200 and "Patient-level data" in own.text
    listed = len(re.findall(r"<tr><td", own.text))
    total = int(re.search(r"of (\d+)\.", own.text).group(1))
    assert 0 < listed <= 50 and total >= listed
    if total > 50:
        second = manager.get(f"/caregaps/{MANAGED_STATION}?page=2")
        assert second.status_code == 200 and 'rel="prev"' in second.text
    assert manager.get(f"/caregaps/{MANAGED_STATION}?page=999").status_code == 404
    export = manager.get(f"/caregaps/{MANAGED_STATION}.csv")
    assert export.status_code == 200
    exported = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert exported[1][:3] == ["rule", "patient_id", "age"] and len(exported) - 2 == total
    xlsx = manager.get(f"/caregaps/{MANAGED_STATION}.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    viewer = logged_in("viewer", username="viewer7")
    assert viewer.get(f"/caregaps/{MANAGED_STATION}").status_code == 403
    entries = [(a, u, d) for a, u, d in audit_actions(app.state.settings) if a.startswith("patient_")]
    assert [(a, u, d["page"], d.get("format")) for a, u, d in entries][:4] == [
        ("patient_view", "manager7", "care_gaps", None),
        *([("patient_view", "manager7", "care_gaps", None)] if total > 50 else []),
        ("patient_export", "manager7", "care_gaps", "csv"),
        ("patient_export", "manager7", "care_gaps", "xlsx"),
    ][:4]
    assert entries[0][2]["rows"] == listed


def _csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_questionnaire_saves_and_shows_the_segment(logged_in, app, audit_actions):
    from valvomo.appdb import session_scope
    from valvomo.services.questionnaire_answers import answers_of

    assert logged_in("viewer", username="viewer8").get("/segments/questionnaire").status_code == 403
    manager = logged_in("station_manager", username="manager8", stations=[MANAGED_STATION], language="en")
    form = manager.get("/segments/questionnaire?lang=en")
    assert form.status_code == 200 and form.text.count('type="radio"') == 50
    data = {"csrf_token": _csrf(form.text), "patient_id": "P0000042", "station": MANAGED_STATION,
            "answered_on": "2024-11-05", **{f"item_R{i}": "2" for i in range(1, 6)},
            **{f"item_C{i}": "4" for i in range(1, 6)}}  # fmt: skip
    saved = manager.post("/segments/questionnaire", data=data)
    assert saved.status_code == 200, saved.text
    assert "network customer" in saved.text and "multi-professional team" in saved.text
    with session_scope(app.state.settings) as db:
        (stored,) = answers_of(db, "P0000042")
        assert (stored.professional, stored.station_id, stored.segment) == ("manager8", MANAGED_STATION, "network_customer")
    missing = {k: v for k, v in data.items() if k != "item_C3"}
    refused = manager.post("/segments/questionnaire", data=missing)
    assert refused.status_code == 400 and 'id="item_C3-error"' in refused.text
    other = manager.post("/segments/questionnaire", data={**data, "station": OTHER_STATION})
    assert other.status_code == 403
    assert [a for a, _u, _d in audit_actions(app.state.settings)].count("questionnaire_answer") == 1


def test_page_tables_download_with_the_profile_named(logged_in):
    viewer = logged_in("viewer", username="viewer9", language="en")
    page = viewer.get("/segments?kind=year&lang=en")
    link = re.search(r'href="(/segments/download/segment-mix\.csv\?[^"]+)"', page.text)
    assert link, "the segment-mix table links its CSV download"
    download = viewer.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    text = download.content.decode("utf-8-sig")
    assert text.startswith("# disclosure_profile=standard;")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["station", "episodic", "regular", "high_need", "patients", "suppressed"]
    county = next(r for r in rows[2:] if r[0] == "")
    assert int(county[4]) % 5 == 0 and int(county[4]) > 0
    assert viewer.get("/segments/download/care-gaps.xlsx?kind=quarter").content[:2] == b"PK"
    assert viewer.get("/segments/download/nope.csv").status_code == 404
