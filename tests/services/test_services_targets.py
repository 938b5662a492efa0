"""Targets: the registry's, overridden by a YAML file, and the status arithmetic (linear path)."""

from __future__ import annotations

import datetime as dt

import pytest

from valvomo.config import Settings
from valvomo.indicators.registry import REGISTRY, Target
from valvomo.services.periods import PeriodLabelError, period_bounds, period_within
from valvomo.services.targets import (
    TargetsFileError,
    load_target_overrides,
    target_status,
    targets_for,
    validate_targets,
)

ACCESS_80 = Target(0.80, "2025Q4", "national", "RRP")


def test_period_bounds():
    assert period_bounds("2024") == (period_bounds("2024Q1")[0], period_bounds("2024Q4")[1])
    assert str(period_bounds("2024Q1")[1]) == "2024-03-31"
    assert str(period_bounds("2024-02")[1]) == "2024-02-29"  # leap year
    with pytest.raises(PeriodLabelError, match="expected a year"):
        period_bounds("2024-13")
    assert period_within("2024Q2", dt.date(2024, 4, 1), dt.date(2024, 6, 30))
    assert not period_within("2024Q2", dt.date(2024, 4, 2), None)


def test_no_values_is_no_data():
    assert target_status([("2024Q1", None)], ACCESS_80, "higher") == "no_data"
    assert target_status([], ACCESS_80, "higher") == "no_data"


def test_higher_is_better_on_and_off_the_linear_path():
    # t0 = 2023-12-31 (first value 0.50), deadline end 2025-12-31: 366 + 365 = 731 days.
    # Latest period 2024Q2 ends 2024-06-30: 31+29+31+30+31+30 = 182 days after t0.
    # path = 0.50 + (0.80 - 0.50) x 182 / 731 = 0.57469...
    assert target_status([("2023Q4", 0.50), ("2024Q2", 0.60)], ACCESS_80, "higher") == "on_track"
    assert target_status([("2023Q4", 0.50), ("2024Q2", 0.575)], ACCESS_80, "higher") == "on_track"
    assert target_status([("2023Q4", 0.50), ("2024Q2", 0.574)], ACCESS_80, "higher") == "off_track"


def test_series_order_does_not_matter_and_nulls_are_skipped():
    series = [("2024Q2", 0.60), ("2024Q1", None), ("2023Q4", 0.50)]
    assert target_status(series, ACCESS_80, "higher") == "on_track"


def test_met_when_latest_reaches_target_even_after_deadline():
    assert target_status([("2023Q4", 0.50), ("2024Q2", 0.81)], ACCESS_80, "higher") == "met"
    assert target_status([("2023Q4", 0.50), ("2026Q1", 0.80)], ACCESS_80, "higher") == "met"


def test_deadline_passed_without_reaching_target_is_not_met():
    assert target_status([("2023Q4", 0.50), ("2026Q1", 0.79)], ACCESS_80, "higher") == "not_met"


def test_strict_target_needs_more_than_the_value():
    strict = Target(0.80, "2025Q4", "regional", "test", strict=True)
    # after the deadline 0.80 is not > 0.80
    assert target_status([("2023Q4", 0.50), ("2026Q1", 0.80)], strict, "higher") == "not_met"
    assert target_status([("2023Q4", 0.50), ("2026Q1", 0.8001)], strict, "higher") == "met"
    # 66 / 100 equals a 0.66 target (no floating-point near miss)
    assert target_status([("2024Q2", 66 / 100)], Target(0.66, "2024Q2", "national", "RRP"), "higher") == "met"


def test_lower_is_better():
    target = Target(14.0, "2024Q4", "regional", "test")
    # t0 = 2024-03-31 (first value 30), deadline end 2024-12-31: 275 days; latest 2024Q3 ends 2024-09-30,
    # 183 days after t0. path = 30 + (14 - 30) x 183 / 275 = 30 - 10.647 = 19.353
    assert target_status([("2024Q1", 30.0), ("2024Q3", 24.0)], target, "lower") == "off_track"
    assert target_status([("2024Q1", 30.0), ("2024Q3", 19.0)], target, "lower") == "on_track"
    assert target_status([("2024Q1", 30.0), ("2024Q3", 14.0)], target, "lower") == "met"
    strict = Target(14.0, "2024Q4", "regional", "test", strict=True)
    assert target_status([("2024Q1", 30.0), ("2024Q3", 14.0)], strict, "lower") == "on_track"


def test_explicit_baseline_and_period():
    target = Target(0.35, "2025Q4", "national", "RRP")

    # t0 = 2022-12-31, deadline end 2025-12-31: 365 + 366 + 365 = 1096 days; 2024Q4 ends 2024-12-31,
    # 731 days after t0. path = 0.299 + (0.35 - 0.299) x 731 / 1096 = 0.299 + 0.034015 = 0.333015
    def status(value):
        return target_status([("2024Q4", value)], target, "higher", 0.299, baseline_period="2022")

    assert status(0.33) == "off_track"
    assert status(0.334) == "on_track"


def test_single_value_is_on_track_until_the_deadline():
    assert target_status([("2024Q1", 0.5)], ACCESS_80, "higher") == "on_track"


def test_direction_none_follows_baseline_to_target():
    target = Target(0.40, "2025", "regional", "Keusote")
    # baseline 0.50 above target 0.40: lower is the way; 0.39 meets it
    assert target_status([("2023", 0.50), ("2024", 0.39)], target, "none") == "met"
    # path at end of 2024: 0.50 - 0.10 x 366 / 731 = 0.44993; 0.46 is behind
    assert target_status([("2023", 0.50), ("2024", 0.46)], target, "none") == "off_track"


def test_bare_number_needs_a_deadline():
    with pytest.raises(ValueError, match="deadline"):
        target_status([("2024Q1", 0.5)], 0.8, "higher")
    assert target_status([("2024Q1", 0.9)], 0.8, "higher", deadline="2025Q4") == "met"


def _write(tmp_path, text):
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_targets_file_overrides_registry(tmp_path):
    path = _write(
        tmp_path,
        "access_7d:\n  - value: 0.85\n    deadline: 2026Q4\n    scope: regional\n    source: County board\n"
        "access_14d: []\n",
    )
    settings = Settings(home=tmp_path, targets_file=path)
    assert targets_for("access_7d", settings) == (Target(0.85, "2026Q4", "regional", "County board", False),)
    assert targets_for("access_14d", settings) == ()
    # not in the file: the registry's targets
    assert targets_for("waiting_days_median", settings) == tuple(REGISTRY.get("waiting_days_median").targets)
    assert targets_for("access_7d") == tuple(REGISTRY.get("access_7d").targets)


def test_targets_file_numeric_year_deadline(tmp_path):
    path = _write(
        tmp_path, "waiting_days_median:\n  - {value: 14, deadline: 2025, source: x, strict: true}\n"
    )
    [target] = load_target_overrides(path)["waiting_days_median"]
    assert (target.deadline, target.scope, target.strict) == ("2025", "regional", True)


def test_targets_file_errors_name_indicator_and_entry(tmp_path):
    path = _write(
        tmp_path,
        "access_7d:\n  - value: 80\n    deadline: 2025Q4\n    source: x\n"
        "  - value: 0.8\n    deadline: 2025-12-31\n    source: x\n"
        "  - value: 0.8\n    deadline: 2025Q4\n    source: x\n    scope: local\n"
        "no_such_indicator: []\n",
    )
    with pytest.raises(TargetsFileError) as caught:
        load_target_overrides(path)
    message = str(caught.value)
    assert "access_7d, target 1: value 80.0 is not a fraction" in message
    assert "access_7d, target 2: deadline" in message and "not a period label" in message
    assert "access_7d, target 3: scope" in message
    assert "no_such_indicator: unknown indicator" in message


def test_validate_targets_reports_missing_file(tmp_path):
    settings = Settings(home=tmp_path, targets_file=tmp_path / "missing.yaml")
    with pytest.raises(TargetsFileError, match="does not exist"):
        validate_targets(settings)


def test_targets_file_must_be_a_mapping(tmp_path):
    with pytest.raises(TargetsFileError, match="expected a mapping"):
        load_target_overrides(_write(tmp_path, "- access_7d\n"))


def test_a_past_deadline_rolled_forward_in_the_targets_file(tmp_path):
    """Issue 11 item 2: 'NPS > 60 by 2021' judged on 2024 data is not met; a county that rolls it
    forward to 2026 in its targets file gets a path-based status instead (never for a past date)."""
    from valvomo.services.targets import indicator_status

    series = [("2023", 40.0), ("2024", 50.0)]
    _target, registry = indicator_status("nps", series, Settings(home=tmp_path))
    assert registry.status == "not_met"
    path = tmp_path / "targets.yaml"
    path.write_text("nps:\n  - {value: 60, deadline: Q4/2026, scope: regional, source: Board 2024, strict: true}\n")
    target, rolled = indicator_status("nps", series, Settings(home=tmp_path, targets_file=path))
    assert target is not None and target.deadline == "2026Q4"  # written as shown, stored canonical
    # path from 40 (end of 2023) to 60 (end of 2026): 46.7 at the end of 2024; 50 is above it
    assert rolled.status == "on_track" and abs(rolled.expected - (40 + 20 * 366 / 1096)) < 1e-9
