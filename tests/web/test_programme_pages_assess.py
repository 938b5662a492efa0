"""Recording an assessment through the form: who may, CSRF, validation next to the fields,
and what is stored (the programme's own scale; levels convert to percent) and audit-logged."""

from __future__ import annotations

import programme_pages_support as support
import pytest
from programme_pages_support import measure_named, programme, text_of

ADULT_WORK = "Aikuissosiaalityö Tulevaisuuden Sote-keskuksessa (THK)"  # Helsinki: 25 % in 5/2021, 50 % in 11/2021

# the programme database fixtures (``settings`` overrides the web conftest's)
examples_database = support.examples_database
settings = support.settings


def form_token(client, csrf_from, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


def stored(settings, programme_id: str, measure_id: int, period: str):
    plan = programme(settings, programme_id)
    measure = next(m for m in plan.measures() if m.id == measure_id)
    return measure.assessment_for(period)


@pytest.mark.parametrize(("lang", "legend", "save"), [
    ("fi", "Eteneminen prosessimittarilla (prosentit, 0–100 %)", "Tallenna arvio"),
    ("sv", "Framsteg i processmätaren (procent, 0–100 %)", "Spara bedömningen"),
    ("en", "Progress on the process meter (percent, 0–100 %)", "Save the assessment"),
])  # fmt: skip
def test_form_is_labelled_and_translated(logged_in, settings, lang, legend, save):
    client = logged_in("analyst")
    measure = measure_named(programme(settings, "helsinki-tsk"), ADULT_WORK)
    page = client.get(f"/programmes/helsinki-tsk/assess?measure={measure.id}&period=11/2021&lang={lang}")
    assert page.status_code == 200
    html = page.text
    assert f'<html lang="{lang}">' in html and legend in html and save in html
    for control in ("measure", "period", "narrative"):
        assert f'<label for="{control}">' in html and f'id="{control}"' in html
    # the percent meter's five steps, each a labelled radio button; the stored 50 % is preselected
    for index, step in enumerate((0, 25, 50, 75, 100)):
        assert f'id="value-{index}" name="value" value="{step}"' in html
        assert f'<label for="value-{index}">' in html
    assert 'value="50" checked' in html
    assert f'<option value="{measure.id}" selected>' in html
    assert 'name="csrf_token"' in html


def test_levels_programme_offers_levels(logged_in):
    client = logged_in("admin")
    html = client.get("/programmes/keski-suomi-tsk/assess?lang=en").text
    assert [f'name="value" value="{level}"' in html for level in (1, 2, 3, 4, 5)] == [True] * 5
    assert 'name="value" value="0"' not in html and "3 (described (operating model))" in html


@pytest.mark.parametrize("role", ["viewer", "station_manager"])
def test_only_analysts_and_admins_may_record(logged_in, settings, csrf_from, role):
    client = logged_in(role, stations=("ST-LOVIISA",) if role == "station_manager" else ())
    assert client.get("/programmes/helsinki-tsk/assess").status_code == 403
    token = csrf_from(client.get("/programmes/helsinki-tsk").text)
    measure = measure_named(programme(settings, "helsinki-tsk"), ADULT_WORK)
    response = client.post(
        "/programmes/helsinki-tsk/assess",
        data={"measure": measure.id, "period": "5/2022", "value": "75", "csrf_token": token},
    )
    assert response.status_code == 403
    assert stored(settings, "helsinki-tsk", measure.id, "5/2022") is None
    # and the programme page offers them no recording link
    assert "/assess" not in client.get("/programmes/helsinki-tsk").text


def test_post_without_csrf_token_is_rejected(logged_in, settings):
    client = logged_in("analyst")
    measure = measure_named(programme(settings, "helsinki-tsk"), ADULT_WORK)
    response = client.post(
        "/programmes/helsinki-tsk/assess", data={"measure": measure.id, "period": "5/2022", "value": "75"}
    )
    assert response.status_code == 403
    wrong = client.post(
        "/programmes/helsinki-tsk/assess",
        data={"measure": measure.id, "period": "5/2022", "value": "75", "csrf_token": "forged"},
    )
    assert wrong.status_code == 403
    assert stored(settings, "helsinki-tsk", measure.id, "5/2022") is None


def test_out_of_scale_value_is_shown_next_to_the_field(logged_in, settings, csrf_from):
    client = logged_in("analyst")
    measure = measure_named(programme(settings, "helsinki-tsk"), ADULT_WORK)
    token = form_token(client, csrf_from, "/programmes/helsinki-tsk/assess")
    response = client.post(
        "/programmes/helsinki-tsk/assess",
        data={"measure": measure.id, "period": "5/2022", "value": "30", "narrative": "Kesken.", "csrf_token": token},
    )
    assert response.status_code == 422
    html = response.text
    message = "30 ei ole tämän ohjelman prosessimittarin porras; valitse jokin seuraavista: 0, 25, 50, 75, 100."
    assert f'<p class="field-error" id="value-error">{message}</p>' in html
    assert '<fieldset class="invalid" aria-describedby="value-error">' in html
    assert 'role="alert"' in html and "Arviota ei tallennettu" in html
    assert ">Kesken.</textarea>" in html  # what was typed is kept
    assert f'<option value="{measure.id}" selected>' in html
    assert stored(settings, "helsinki-tsk", measure.id, "5/2022") is None


def test_missing_measure_and_unknown_period(logged_in, csrf_from):
    client = logged_in("analyst")
    token = form_token(client, csrf_from, "/programmes/helsinki-tsk/assess?lang=en")
    response = client.post(
        "/programmes/helsinki-tsk/assess", data={"measure": "", "period": "6/2021", "value": "", "csrf_token": token}
    )
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Choose a measure of this programme." in text
    assert "Choose one of the programme's reporting periods." in text
    assert "Choose a value on the process meter." in text
    assert 'aria-describedby="measure-error"' in response.text and 'aria-describedby="period-error"' in response.text


def test_success_is_stored_audited_and_shown(logged_in, settings, csrf_from, audit_actions):
    client = logged_in("analyst", username="anna")
    measure = measure_named(programme(settings, "helsinki-tsk"), ADULT_WORK)
    token = form_token(client, csrf_from, f"/programmes/helsinki-tsk/assess?measure={measure.id}&period=5/2022")
    response = client.post(
        "/programmes/helsinki-tsk/assess",
        data={"measure": str(measure.id), "period": "5/2022", "value": "75",
              "narrative": "  Malli pilotoitu kahdella asemalla.  ", "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/programmes/helsinki-tsk?period=5%2F2022&recorded={measure.id}#measure-{measure.id}"
    )
    assessment = stored(settings, "helsinki-tsk", measure.id, "5/2022")
    assert (assessment.percent, assessment.narrative, assessment.author) == (75, "Malli pilotoitu kahdella asemalla.", "anna")
    entry = [a for a in audit_actions(settings) if a[0] == "programme_assessment"]
    assert entry == [("programme_assessment", "anna", {
        "programme": "helsinki-tsk", "measure_id": measure.id, "period": "5/2022", "value": 75,
        "scale": "percent", "percent": 75, "narrative": True,
    })]  # fmt: skip

    page = client.get(response.headers["location"].split("#")[0])
    assert 'role="status"' in page.text and "Arvio kirjattu jaksolle 5/2022" in page.text
    assert f'id="measure-{measure.id}" class="just-recorded"' in page.text
    assert "Malli pilotoitu kahdella asemalla." in page.text
    # the form now shows what is stored, and recording again replaces it
    again = client.get(f"/programmes/helsinki-tsk/assess?measure={measure.id}&period=5/2022")
    assert 'value="75" checked' in again.text and "75\u00a0% (pitkällä)" in again.text


def test_levels_are_stored_as_percent(logged_in, settings, csrf_from):
    # Keski-Suomi writes levels 1–5; level 4 is stored as (4 − 1) × 25 = 75 %, and 0 is no level
    client = logged_in("admin")
    plan = programme(settings, "keski-suomi-tsk")
    measure = plan.measures()[0]
    token = form_token(client, csrf_from, "/programmes/keski-suomi-tsk/assess")
    bad = client.post("/programmes/keski-suomi-tsk/assess",
                      data={"measure": measure.id, "period": "4/2021", "value": "0", "csrf_token": token})  # fmt: skip
    assert bad.status_code == 422 and "1, 2, 3, 4, 5" in bad.text
    good = client.post("/programmes/keski-suomi-tsk/assess",
                       data={"measure": measure.id, "period": "4/2021", "value": "4", "csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert good.status_code == 303
    assert stored(settings, "keski-suomi-tsk", measure.id, "4/2021").percent == 75
