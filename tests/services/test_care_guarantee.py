"""The recording threshold and the below-target streak on hand-made series (issue 10: moved from
the web layer to services so the API, CLI and report share them)."""

from __future__ import annotations

from valvomo.indicators.registry import Target
from valvomo.services.care_guarantee import RECORDING_THRESHOLD, below_target_streak, recording_complete

RRP = (Target(0.66, "2024Q2", "national", "RRP"), Target(0.80, "2025Q4", "national", "RRP"))


def test_recording_threshold():
    assert RECORDING_THRESHOLD == 0.9
    assert recording_complete(0.9) is True and recording_complete(0.899) is False
    assert recording_complete(None) is None


def test_streak_counts_back_while_below_the_target_in_force():
    # target in force: 66 % until 2024Q2 (the first, before any deadline) and 66 % after it
    values = {"2024Q1": 0.70, "2024Q2": 0.60, "2024Q3": 0.62, "2024Q4": 0.65}
    streak = below_target_streak(values, RRP, "higher", "2024Q4")
    assert streak is not None and (streak.since, streak.periods) == ("2024Q2", 3)
    assert streak.target.value == 0.66


def test_no_streak_when_the_latest_meets_it_or_is_hidden():
    assert below_target_streak({"2024Q3": 0.5, "2024Q4": 0.7}, RRP, "higher", "2024Q4") is None
    assert below_target_streak({"2024Q3": 0.5, "2024Q4": None}, RRP, "higher", "2024Q4") is None
    assert below_target_streak({"2024Q4": 0.5}, (), "higher", "2024Q4") is None


def test_hidden_or_missing_quarter_ends_the_streak():
    hidden = below_target_streak({"2024Q2": 0.5, "2024Q3": None, "2024Q4": 0.5}, RRP, "higher", "2024Q4")
    assert hidden is not None and (hidden.since, hidden.periods) == ("2024Q4", 1)
    gap = below_target_streak({"2024Q1": 0.5, "2024Q4": 0.5}, RRP, "higher", "2024Q4")
    assert gap is not None and gap.periods == 1


def test_lower_is_better():
    t3 = (Target(14.0, "2022", "regional", "x"),)
    streak = below_target_streak({"2021": 20.0, "2022": 16.0}, t3, "lower", "2022")
    assert streak is not None and streak.periods == 2
