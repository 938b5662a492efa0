"""One meaning, one place (issue 10, the parts issue 11 needs): one number formatter, one period
parser and printer, one status wording, one headline list."""

from __future__ import annotations

import pytest

from valvomo.disclosure import format_cell, format_number, format_percent
from valvomo.services.catalogue import HEADLINE_INDICATORS
from valvomo.services.i18n import gettext
from valvomo.services.periods import PeriodLabelError, format_period, normalise_period, period_bounds
from valvomo.services.targets import STATUS_MSGIDS, TARGET_STATUSES


def test_table_and_chart_round_a_half_the_same_way():
    # 0.1225 -> 12.25 %: half up in the table cell and in the chart's label alike.
    assert format_cell(0.1225, False, "fi", unit="share") == "12,3\u00a0%"
    assert format_percent(0.1225, "fi", 1) == "12,3\u00a0%"
    from valvomo.web import i18n

    assert i18n.format_percent(0.1225, "fi", 1) == format_cell(0.1225, False, "fi", unit="share")
    assert i18n.format_number(2.5, "en", 0) == format_number(2.5, "en", 0) == "3"
    assert format_number(1234.5, "sv") == "1\u00a0234,5"
    assert format_number(None, "fi") == "\u2013"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("2024Q4", "2024Q4"), ("Q4/2024", "2024Q4"), ("Q4 2024", "2024Q4"), ("q4/2024", "2024Q4"),
     ("2024-Q4", "2024Q4"), ("2024-12", "2024-12"), ("12/2024", "2024-12"), ("3/2024", "2024-03"), ("2024", "2024")],
)
def test_period_written_either_way_reads_the_same(written, canonical):
    assert normalise_period(written) == canonical
    assert period_bounds(written) == period_bounds(canonical)


def test_period_printed_one_way():
    assert format_period("2024Q4", "fi") == format_period("2024Q4", "sv") == "Q4/2024"
    assert format_period("2024Q4", "en") == "Q4 2024"
    assert format_period("2024-03", "fi") == "3/2024"
    assert normalise_period(format_period("2024Q4", "fi")) == "2024Q4"  # round trip


@pytest.mark.parametrize("bad", ["Q5/2024", "2024Q0", "13/2024", "last quarter", ""])
def test_bad_period_says_what_is_expected(bad):
    with pytest.raises(PeriodLabelError, match="expected a year"):
        normalise_period(bad)


def test_every_status_has_one_wording_in_three_languages():
    assert set(STATUS_MSGIDS) == set(TARGET_STATUSES)
    for lang in ("fi", "sv"):
        words = {gettext(lang, msgid) for msgid in STATUS_MSGIDS.values()}
        assert len(words) == len(STATUS_MSGIDS)
        assert not words & set(STATUS_MSGIDS.values()), f"untranslated status in {lang}"
    assert gettext("fi", STATUS_MSGIDS["not_met"]) != gettext("fi", STATUS_MSGIDS["off_track"])


def test_interfaces_share_the_status_wording_and_headline_list():
    from valvomo.reports import content
    from valvomo.web import programme_views
    from valvomo.web.views import overview as overview_views

    assert content.STATUS_MSGIDS is STATUS_MSGIDS

    assert overview_views.STATUS_LABELS is STATUS_MSGIDS
    assert programme_views.STATUS_LABELS is STATUS_MSGIDS
    assert overview_views.HEADLINE_INDICATORS is HEADLINE_INDICATORS
    assert len(set(HEADLINE_INDICATORS)) == len(HEADLINE_INDICATORS)


def test_every_indicator_has_a_plain_definition_in_three_languages():
    """Issue 11 item 3: a plain-language definition beside the technical one, in fi/sv/en."""
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.catalogue import FIELD_LABELS, plain_definition

    for indicator in REGISTRY:
        msgid = plain_definition(indicator)
        for lang in ("fi", "sv"):
            text = gettext(lang, msgid)
            assert text != msgid and "_" not in text, (indicator.id, lang)  # no field names
    for field in REGISTRY.get("field_completeness").parameters["bins_labels"]:
        assert field in FIELD_LABELS and gettext("fi", FIELD_LABELS[field]) != FIELD_LABELS[field]
    for source in {t.source for i in REGISTRY for t in i.targets}:
        assert gettext("sv", source) != source, source


def test_unit_labels_hold_no_parentheses_of_their_own():
    """Issue 11 item 12: the list shows a unit in parentheses; '(osuus (%))' must not happen."""
    from valvomo.services.catalogue import UNIT_LABELS, label

    texts = [label(UNIT_LABELS, unit, lang) for unit in UNIT_LABELS for lang in ("fi", "sv", "en")]
    assert texts and not any("(" in text for text in texts)



def test_the_headline_list_and_value_labels_are_defined_once():
    """Issue 10: ``HEADLINE_INDICATORS`` and the value-label tables are assigned in the services layer
    only; every other module imports them."""
    import ast
    from pathlib import Path

    import valvomo

    root = Path(valvomo.__file__).parent
    owners = {
        "HEADLINE_INDICATORS": "services/catalogue.py",
        "CARE_GUARANTEE_INDICATORS": "services/care_guarantee.py",
        "RECORDING_THRESHOLD": "services/care_guarantee.py",
        "FUNNEL_LABELS": "services/value_labels.py",
        "CHANNEL_LABELS": "services/value_labels.py",
        "LANGUAGE_VALUE_LABELS": "services/value_labels.py",
        "PERIOD_KIND_LABELS": "services/value_labels.py",
    }
    found: dict[str, list[str]] = {name: [] for name in owners}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id in owners:
                    found[target.id].append(path.relative_to(root).as_posix())
    assert found == {name: [where] for name, where in owners.items()}
