"""The process meter: percent steps and levels 1–5 describe the same five steps."""

from __future__ import annotations

import pytest

from valvomo.programme import meter


@pytest.mark.parametrize(("level", "percent"), [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)])
def test_level_maps_to_percent_and_back(level, percent):
    assert meter.level_to_percent(level) == percent
    assert meter.percent_to_level(percent) == level
    assert meter.to_percent(level, "levels") == percent
    assert meter.from_percent(percent, "levels") == level
    assert meter.to_percent(percent, "percent") == percent


@pytest.mark.parametrize("value", [0, 6, -1, True, 2.0, "3"])
def test_invalid_levels_are_rejected(value):
    with pytest.raises(meter.MeterValueError):
        meter.level_to_percent(value)


@pytest.mark.parametrize("value", [10, 30, 101, -25, False, 50.0])
def test_invalid_percent_steps_are_rejected(value):
    with pytest.raises(meter.MeterValueError):
        meter.check_percent(value)


def test_labels_exist_in_three_languages_for_both_scales():
    assert meter.label(25, "percent", "fi") == "käynnistetty"
    assert meter.label(50, "percent", "fi") == "hyvässä vauhdissa"
    assert meter.label(0, "levels", "fi") == "ei ole aloitettu"
    assert meter.label(100, "levels", "en") == "in use"
    assert meter.label(75, "levels", "sv") == "pilottestas"
    for scale in meter.SCALES:
        for lang in ("fi", "sv", "en"):
            labels = [meter.label(step, scale, lang) for step in meter.PERCENT_STEPS]
            assert len(set(labels)) == 5


def test_values_are_formatted_per_scale_and_language():
    assert meter.format_value(25, "percent", "fi") == "25\u00a0%"
    assert meter.format_value(25, "percent", "en") == "25%"
    assert meter.format_value(25, "levels", "fi") == "2"
    assert meter.legend("levels", "en")[2] == ("3", "described (operating model)")
