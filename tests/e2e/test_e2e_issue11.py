"""Issue 11 in a real browser: what a county analyst trips over, walked in Finnish and Swedish.

The walk covers the overview, the station comparison, an indicator page, /quality, a patient
list and a programme page, and asserts items 1-7 of the issue there: one verdict and one
wording for a figure (1), past deadlines read "not met" (2), no message id or English UI word
on a fi/sv page (3), layout measured by bounding boxes (4), units that are not health
stations not ranked (5), periods (6), and one order with names, never ids (7).
"""

from __future__ import annotations

import re

import pytest

from valvomo.services.i18n import catalog, gettext
from valvomo.services.targets import STATUS_MSGIDS

LANGS = ("fi", "sv")
RRP = "rrp-lansi-uusimaa"
GUIDANCE_UNIT = "ST-OHJAUS"

# Visible text of the page without the parts that are in another language on purpose: elements
# whose ``lang`` differs from the page's (indicator names in three languages, the technical
# definition, plan texts written in Finnish), code, and the language switcher's own names.
VISIBLE_TEXT = """() => {
  const page = document.documentElement.lang;
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[lang], code, script, style, svg, [aria-hidden=true]').forEach(e => {
    if (e.tagName !== 'BODY' && (e.getAttribute('lang') || '') !== page) e.remove();
  });
  copy.querySelectorAll('nav[aria-label] a[hreflang], .lang-switch').forEach(e => e.remove());
  return copy.innerText;
}"""

BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map(e => {
  const r = e.getBoundingClientRect();
  return {text: (e.textContent || '').trim(), x: r.x, y: r.y, w: r.width, h: r.height};
})"""


def english_words(lang: str) -> set[str]:
    """UI texts of the catalogs whose translation in ``lang`` differs from the English msgid: if
    one shows on a fi/sv page, English leaked. Short or single ambiguous words are left out."""
    translated = catalog(lang)
    words = set()
    for msgid, text in translated.items():
        if not isinstance(text, str) or text == msgid or "%(" in msgid:
            continue
        if len(msgid) >= 6 and (" " in msgid or msgid[0].isupper()):
            words.add(msgid)
    return words


def visible_text(page) -> str:
    return page.evaluate(VISIBLE_TEXT)


def assert_no_english(page, lang: str, where: str) -> None:
    text = visible_text(page)
    leaked = sorted(w for w in english_words(lang) if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text))
    assert not leaked, f"{where} ({lang}) shows English UI text: {leaked[:10]}"


@pytest.fixture(scope="module")
def pages(browser, live_server):
    """One logged-in analyst context per language (the walk reuses it page after page), with the
    example programmes stored (unless another module of the session stored them already)."""
    from valvomo.appdb import session_scope
    from valvomo.programme.examples import load_examples
    from valvomo.programme.service import list_programmes

    with session_scope(live_server["settings"]) as db:
        stored = {p.id for p in list_programmes(db)}
    if RRP not in stored:
        load_examples(live_server["settings"])
    opened = {}
    for lang in LANGS:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server['url']}/login")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", "demo-analyst")
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        assert "/login" not in page.url
        opened[lang] = page
    yield opened
    for page in opened.values():
        page.context.close()


def go(page, live_server, path: str, lang: str):
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{live_server['url']}{path}{separator}lang={lang}")
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    assert page.get_attribute("html", "lang") == lang
    return page


WALK = ("/", "/stations", "/stations?indicator=waiting_days_median", "/indicators/access_7d",
        "/indicators/access_7d?by=station", "/quality", f"/stations/{GUIDANCE_UNIT.replace('OHJAUS', 'LOVIISA')}",
        "/stations/ST-LOVIISA/patients", f"/programmes/{RRP}")


@pytest.mark.parametrize("lang", LANGS)
def test_item3_no_message_id_or_english_word_on_the_walk(pages, live_server, lang):
    words = english_words(lang)
    assert len(words) > 200  # the check has teeth: hundreds of translated UI texts
    for path in WALK:
        page = go(pages[lang], live_server, path, lang)
        assert_no_english(page, lang, path)
        text = visible_text(page)
        assert "(complete)" not in text and "suppressed" not in text
        assert "((" not in text and "%))" not in text  # item 12: no doubled parentheses
    page = go(pages[lang], live_server, "/indicators/access_7d", lang)
    # the plain-language definition comes first, the technical one is labelled and kept
    assert page.locator("dt", has_text=gettext(lang, "In plain words")).count() == 1
    technical = page.locator("dd.technical")
    assert technical.get_attribute("lang") == "en" and "service_type" in technical.inner_text()


@pytest.mark.parametrize("lang", LANGS)
def test_item1_and_2_one_verdict_and_not_met_for_past_deadlines(pages, live_server, lang):
    page = go(pages[lang], live_server, "/", lang)
    card = page.locator("li.card", has=page.locator("a[href='/indicators/access_7d']"))
    overview_status = card.locator(".status").inner_text().strip()
    wordings = {gettext(lang, msgid) for msgid in STATUS_MSGIDS.values()}
    assert overview_status in wordings
    page = go(pages[lang], live_server, f"/programmes/{RRP}", lang)
    row = page.locator("tr", has=page.locator("a[href='/indicators/access_7d']")).first
    programme_status = row.locator(".status").inner_text().strip()
    assert programme_status == overview_status, "the same figure got two verdicts"
    # a deadline in the past (NPS '> 60 by 2021', physician share '40 % by 2021') is never "off track"
    page = go(pages[lang], live_server, "/", lang)
    off_track = gettext(lang, STATUS_MSGIDS["off_track"])
    for indicator_id in ("nps", "physician_share"):
        cards = page.locator("li.card", has=page.locator(f"a[href='/indicators/{indicator_id}']"))
        if cards.count() == 0:
            continue
        status = cards.first.locator(".status").inner_text().strip()
        assert status != off_track
        assert status in (gettext(lang, STATUS_MSGIDS["not_met"]), gettext(lang, STATUS_MSGIDS["met"]))


@pytest.mark.parametrize("lang", LANGS)
def test_item4_quality_table_fits_and_funnel_labels_do_not_overlap(pages, live_server, lang):
    page = go(pages[lang], live_server, "/quality", lang)
    table = page.locator("#recording-heading ~ section table.data, section[aria-labelledby=recording-heading] "
                         "table.data").first
    wrap = table.locator("xpath=ancestor::div[contains(@class, 'table-wrap')]")
    table_width = table.evaluate("t => t.getBoundingClientRect().width")
    box_width = wrap.evaluate("w => w.clientWidth")
    assert table_width <= box_width + 1, f"/quality table {table_width:.0f} px in a {box_width:.0f} px box"
    page = go(pages[lang], live_server, "/stations?indicator=access_7d", lang)
    names = {a.inner_text().strip() for a in page.locator("table.data tbody th a").all()}
    assert len(names) >= 8
    labels = [b for b in page.evaluate(BOXES, "figure.chart svg text") if b["text"] in names]
    # outliers are always labelled; a crowded station within the limits may stay unlabelled (the table names it)
    from valvomo.services.i18n import gettext
    from valvomo.services.value_labels import FUNNEL_LABELS

    within = {gettext(lang, FUNNEL_LABELS["within"]), gettext(lang, FUNNEL_LABELS["unknown"])}
    outliers = {row.locator("th a").inner_text().strip() for row in page.locator("table.data tbody tr").all()
                if not any(cell.strip() in within for cell in row.locator("td").all_inner_texts())}
    shown = {b["text"] for b in labels}
    assert labels and outliers <= shown, f"outliers without a label: {outliers - shown}"
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            assert overlap_x <= 0.5 or overlap_y <= 0.5, f"labels overlap: {a['text']} / {b['text']}"
    svg = page.locator("figure.chart svg").first.evaluate("s => s.getBoundingClientRect().toJSON()")
    for label in labels:  # nothing is cut off at the chart's edge
        assert svg["x"] <= label["x"] and label["x"] + label["w"] <= svg["x"] + svg["width"] + 1
        assert svg["y"] <= label["y"] and label["y"] + label["h"] <= svg["y"] + svg["height"] + 1


@pytest.mark.parametrize("lang", LANGS)
def test_item5_guidance_unit_is_not_ranked_among_health_stations(pages, live_server, lang):
    for indicator_id in ("access_7d", "waiting_days_median"):
        page = go(pages[lang], live_server, f"/stations?indicator={indicator_id}", lang)
        ranked = [a.get_attribute("href") for a in page.locator("table.data tbody th a").all()]
        assert len(ranked) >= 8 and f"/stations/{GUIDANCE_UNIT}" not in ranked
        # the guidance unit's contacts are outside the indicator's population (engine level): it has no row
        # anywhere on the page, and the county figure is computed without it
        assert page.locator(f"table.data a[href='/stations/{GUIDANCE_UNIT}']").count() == 0


@pytest.mark.parametrize("lang", LANGS)
def test_item6_periods(pages, live_server, lang):
    page = go(pages[lang], live_server, "/stations?indicator=access_7d&period=2030Q1", lang)
    notice = page.locator("#no-data-for-period")
    assert notice.count() == 1 and "Q1/2030" in notice.inner_text()
    assert page.locator("figure.chart").count() == 0  # no empty chart pointing at a missing table
    nearest = notice.locator("a")
    nearest_text = nearest.inner_text()
    nearest.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#period-select option[selected]").inner_text().strip() == nearest_text
    assert page.locator("table.data tbody tr").count() >= 8
    # written as the dashboard shows it, a period opens the same page
    shown = go(page, live_server, "/stations?indicator=access_7d&period=Q4/2024", lang)
    assert shown.locator("#period-select option[selected]").inner_text().strip() == "Q4/2024"
    # the programme page opens on the latest period that has data, not before the data begin
    page = go(pages[lang], live_server, f"/programmes/{RRP}", lang)
    row = page.locator("tr", has=page.locator("a[href='/indicators/access_7d']")).first
    assert row.locator("td.num").inner_text().strip()[0].isdigit()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("order", ["name", "value"])
def test_item7_table_and_chart_in_one_order_with_names(pages, live_server, lang, order):
    page = go(pages[lang], live_server, f"/indicators/access_7d?by=station&period=quarter&sort={order}", lang)
    rows = page.locator("table.data tbody tr").all()
    periods = [r.locator("td").nth(0).inner_text().strip() for r in rows]
    latest = periods[-1]
    table_names = [r.locator("td").nth(1).inner_text().strip() for r, p in zip(rows, periods, strict=True)
                   if p == latest]
    assert len(table_names) >= 8
    if order == "name":
        assert table_names == sorted(table_names, key=str.lower) or table_names == sorted(table_names)
    boxes = [b for b in page.evaluate(BOXES, "figure.chart svg text") if b["text"] in set(table_names)]
    chart_names = [b["text"] for b in sorted(boxes, key=lambda b: b["y"])]
    assert chart_names == table_names, "the chart and the table list the stations in different orders"
    ids = {f"ST-{n}" for n in ("NASI", "NIKKILA", "LOVIISA", GUIDANCE_UNIT[3:])}
    assert not any(b["text"] in ids for b in page.evaluate(BOXES, "svg text"))
    # the programme comparison labels its bars with organisations, never an internal id
    page = go(pages[lang], live_server, "/programmes/compare", lang)
    texts = {b["text"] for b in page.evaluate(BOXES, "figure svg text")}
    assert RRP not in texts and "helsinki-tsk" not in texts
