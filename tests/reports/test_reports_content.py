"""What the report says: computed indicator values, statuses, structure, languages."""

from __future__ import annotations

import pytest

from valvomo.programme.service import get_programme
from valvomo.reports.content import build_content
from valvomo.reports.model import Chart, Table
from valvomo.services.results import EmptyWarehouseError


def _table(content, table_id: str) -> Table:
    return next(t for t in content.tables() if t.id == table_id)


def _rows(table: Table) -> list[list[str]]:
    """Cell texts with non-breaking spaces (between number and unit) as plain spaces."""
    return [[cell.replace("\u00a0", " ") for cell in row] for row in table.text_rows()]


def _row(table: Table, header: str) -> list[str]:
    return next(row for row in _rows(table) if row and row[0] == header)


def test_helsinki_report_follows_the_seed_structure(report_content):
    content = report_content("helsinki-tsk")
    assert content.title == "Oma-arviointi 11/2021"
    assert content.indicator_period == "2021Q3"
    headings = [section.heading for section in content.sections]
    assert headings[0] == "Yhteenveto"
    assert headings[1] == "1 Palveluiden yhdenvertaisen saatavuuden, oikea-aikaisuuden ja jatkuvuuden parantaminen"
    assert headings[5] == "5 Kustannusten nousun hillitseminen"
    assert headings[-1] == "6 Menetelmät ja tietosuoja"
    goal_1 = content.sections[1]
    assert [child.heading for child in goal_1.children] == [
        "1.1 Tulos- ja prosessitavoitteet sekä kehittämisen fokukset",
        "1.2 Lähtötilanteen arvioinnin tulokset",
        "1.3 Kehittämistoimenpiteet ja prosessimittari",
        "1.4 Kehittämistyön eteneminen",
        "1.5 Tulostavoitteiden seurannan ja arvioinnin tulokset",
    ]
    measures = _table(content, "table-measures-1")
    assert measures.columns[2:6] == ["5/2021", "11/2021", "5/2022", "11/2022"]
    assert _row(measures, "Aikuissosiaalityö Tulevaisuuden Sote-keskuksessa (THK)")[1:6] == [
        "PK/Peso ja THK/Tepa yhteistyössä", "25 %", "50 %", "–", "–",
    ]
    goal_5 = _table(content, "table-measures-5")
    assert _row(goal_5, "Omaolo")[2:4] == ["50 %", "75 %"]
    assert _row(goal_5, "1-2 terveysaseman palvelutuotannon lisäpalvelujen hankinta")[2:4] == ["75 %", "100 %"]
    text = " ".join(block.text for section in content.walk() for block in section.blocks if hasattr(block, "text"))
    assert "Kehittämisen kärki 1: Asiakkaaksi tulon ja yhteisen työn kehittäminen asiakkuussegmentoinnin mukaisesti on edennyt 50\u00a0% (hyvässä vauhdissa)." in text


def test_indicator_values_are_computed_not_typed(report_content):
    content = report_content("helsinki-tsk")
    summary = _table(content, "table-indicators")
    access = _row(summary, "Kiireettömän hoidon toteutuminen 7 vuorokauden sisällä")
    # Hand-made engine values: 55 % at 2022Q3 minus 2 points per quarter back: 2020Q4 = 41 %, 2021Q3 = 47 %.
    assert access[2] == "41,0 %, laskettu (2020Q4)"
    assert access[5] == "47,0 % (2021Q3)"
    t3 = _row(summary, "Terveysasemien kiireettömän lääkäriajan odotusaika T3 (kolmas vapaa aika)")
    assert t3[2] == "29,0 vrk (2021-01-04)"
    coci_series = next(t for t in content.tables() if t.id.endswith("ind-coci"))
    assert ["2021Q2", "<8"] in _rows(coci_series)


def test_rrp_targets_and_statuses(report_content):
    content = report_content("rrp-lansi-uusimaa")
    summary = _table(content, "table-indicators")
    access = _row(summary, "Niiden toteutuneiden kiireettömien hoitokäyntien osuus, joissa saavutetaan hoidon saamiselle asetettu seitsemän päivän määräaika")
    assert access[1] == "kansallinen"
    assert access[3] == "66,0 % (2024Q2 mennessä)"
    assert access[4] == "80,0 % (2025Q4 mennessä)"
    assert access[5] == "73,0 % (2024Q4)"
    assert access[6] == "Oikealla polulla"  # the dashboard's wording (one wording, issue 11 item 1)
    remote = _row(summary, "Osuus sosiaali- ja terveydenhuollon (vähintään 20-vuotiaiden) kontakteista, jotka hoidetaan etänä sähköisin välinein")
    assert remote[2] == "29,9 % (2022)"
    assert remote[6] in ("Oikealla polulla", "Jäljessä tavoitteesta")
    yes_no = _row(summary, "Onko monialainen palvelukonsepti määritelty?")
    assert yes_no[4] == "kyllä (2023Q2 mennessä)" and yes_no[6] == "Ei tietoa"
    risks = _table(content, "table-risks")
    assert [row[4] for row in _rows(risks)] == ["20", "16"]
    budget = _table(content, "table-budget")
    assert _rows(budget)[-1][1] == "14 252 000 €"


def test_keski_suomi_levels(report_content):
    content = report_content("keski-suomi-tsk")
    table = _table(content, "table-measures-1")
    assert table.columns[2:9] == ["10/2020", "11/2020", "12/2020", "1/2021", "2/2021", "3/2021", "4/2021"]
    assert _row(table, "Sisote-ammattilaisia koulutetaan IPC-menetelmän käyttöön")[2:9] == ["2", "3", "3", "3", "5", "5", "5"]
    stalled = _table(content, "table-stalled")
    assert len(stalled.rows) > 50
    assert "ei edennyt kahteen kauteen" in _row(table, "Hoidon- ja palvelutarpeen arvioinnin kehittäminen")


@pytest.mark.parametrize(("lang", "title", "summary"), [("sv", "Självvärdering 11/2021", "Sammanfattning"), ("en", "Self-assessment 11/2021", "Summary")])
def test_swedish_and_english_versions(report_content, lang, title, summary):
    content = report_content("helsinki-tsk", lang)
    assert content.title == title
    assert content.sections[0].title == summary
    assert content.programme_name in ("Helsingfors program Framtidens social- och hälsocentral", "Helsinki Future Health and Social Services Centre programme")
    first_goal = content.sections[1].heading
    assert first_goal.startswith("1 ") and "saatavuuden" not in first_goal
    narratives = content.sections[1].children[3].blocks
    assert narratives[0].text.startswith(("Beskrivningarna", "Narratives"))


def test_every_chart_has_a_text_alternative_and_a_data_table(report_content):
    for programme_id in ("helsinki-tsk", "rrp-lansi-uusimaa"):
        charts = report_content(programme_id).charts()
        assert charts
        for chart in charts:
            assert isinstance(chart, Chart) and len(chart.alt) > 40
            assert isinstance(chart.data, Table) and chart.data.rows and chart.data.caption


def test_unavailable_values_are_reported_in_the_content(report_session):
    class Broken:
        def series(self, indicator_id, period_kind, start=None, end=None):
            raise EmptyWarehouseError("the warehouse is empty")

    content = build_content(get_programme(report_session, "keski-suomi-tsk"), "4/2021", "fi", Broken())
    assert any("the warehouse is empty" in warning for warning in content.warnings)


def test_unknown_period_or_language(report_session):
    programme = get_programme(report_session, "helsinki-tsk")
    with pytest.raises(ValueError, match="not a reporting period"):
        build_content(programme, "6/2021", "fi", None)
    with pytest.raises(ValueError, match="unknown language"):
        build_content(programme, "11/2021", "de", None)


def test_meter_values_keep_the_percent_sign_with_the_number(report_content):
    """Issue 11 item 4: a narrow PDF column must not wrap '%' onto a line of its own."""
    measures = _table(report_content("helsinki-tsk"), "table-measures-1")
    cells = [cell for row in measures.text_rows() for cell in row if cell.endswith("%")]
    assert cells and all("\u00a0%" in cell and " %" not in cell for cell in cells)
