"""Issue 11 on the programme pages: the page opens on the latest period with data (item 6), a
period reads the same written either way (item 6), and the programme page, the overview and the
report give the 7-day share one verdict in one wording (items 1 and 2)."""

from __future__ import annotations

import programme_pages_support as support
from programme_pages_support import programme

from valvomo.programme import overview
from valvomo.programme.indicator_values import ResultsServiceValues
from valvomo.services.i18n import gettext
from valvomo.services.results import ResultStore
from valvomo.services.targets import STATUS_MSGIDS, indicator_status

examples_database = support.examples_database
settings = support.settings


def test_rrp_opens_on_the_latest_period_with_data(settings):
    plan = programme(settings, "rrp-lansi-uusimaa")  # no assessments; periods 2023Q4 ... 2025Q4
    values = ResultsServiceValues(settings)
    assert overview.default_period(plan) == "2023Q4"  # without the engine: the first period
    opened = overview.build_overview(plan, None, values).period
    have = overview.periods_with_data(plan, values)
    assert opened in have
    assert opened == max(have, key=plan.period_labels.index)
    # the small county starts in 2024: the page no longer opens on 2023Q4, before the data
    assert opened != "2023Q4"
    county = {label for label, value in values.series("access_7d", "quarter").items() if value is not None}
    assert opened in county


def test_period_written_either_way_opens_the_same_page(logged_in):
    client = logged_in("viewer")
    canonical = client.get("/programmes/rrp-lansi-uusimaa?period=2024Q4&lang=fi")
    shown = client.get("/programmes/rrp-lansi-uusimaa?period=Q4/2024&lang=fi")
    assert canonical.status_code == shown.status_code == 200
    assert canonical.text.count("Q4/2024") == shown.text.count("Q4/2024") > 0
    assert client.get("/programmes/rrp-lansi-uusimaa?period=Q5/2024").status_code == 400


def test_one_verdict_for_the_7_day_share(settings):
    """The programme's access_7d link and the overview's headline judge the same latest quarter
    the same way, and the report words it as the dashboard does."""
    plan = programme(settings, "rrp-lansi-uusimaa")
    values = ResultsServiceValues(settings)
    ov = overview.build_overview(plan, None, values)
    link = next(r for r in ov.indicators if r.indicator_id == "access_7d")
    assert link.current is not None and link.current.value is not None
    rows = [r for r in ResultStore(settings).query(["access_7d"], period="quarter") if "bin" not in r]
    series = [(r["period"], r["value"]) for r in rows if r["period"] <= link.current.label]
    _target, headline = indicator_status("access_7d", series, settings)
    assert headline.status == link.evaluation.status
    assert headline.status != "no_data"
    for lang in ("fi", "sv"):
        assert gettext(lang, STATUS_MSGIDS[headline.status]) != STATUS_MSGIDS[headline.status]


def test_programme_names_its_warehouse_and_computes_coverage(settings, logged_in):
    """Issue 11 item 10: the RRP plan states 478 919 residents and 100 % coverage; its values come
    from the small county (4 000 residents), and the page and the report say so."""
    from valvomo.reports.content import build_content
    from valvomo.services.provenance import data_provenance

    source = data_provenance(settings)
    assert source.snapshot_id and source.residents == 4000
    plan = programme(settings, "rrp-lansi-uusimaa")
    assert plan.population == 478919
    expected = 4000 / 478919  # 0.84 %
    assert source.coverage(plan.population) == expected
    page = logged_in("viewer").get("/programmes/rrp-lansi-uusimaa?lang=fi").text
    assert source.snapshot_id in page and "Aineiston väestökattavuus (laskettu)" in page
    assert "0,8\u00a0%" in page and "100\u00a0%" not in page.split("Aineiston väestökattavuus")[1][:80]
    content = build_content(plan, None, "sv", ResultsServiceValues(settings))
    facts = dict(content.facts)
    assert facts["Datas befolkningstäckning (beräknad)"] == "0,8\u00a0%"
    assert source.snapshot_id in facts["Indikatorvärden från"]
    # item 12: the data's date and the clock, each labelled
    assert "Uppgifterna inlästa i datalagret" in facts and "Rapporten upprättad" in facts
