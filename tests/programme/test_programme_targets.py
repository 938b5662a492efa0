"""Target status arithmetic on hand-made cases: met / on track / off track, both directions."""

from __future__ import annotations

import datetime as dt

from valvomo.programme.targets import Point, evaluate, meets, path_value, status_against

D = dt.date
BASE = Point(0.50, D(2022, 9, 30))  # 7-day share 50 % at 2022Q3
INTERIM = Point(0.66, D(2024, 6, 30))  # RRP: 66 % by 2024Q2
FINAL = Point(0.80, D(2025, 12, 31))  # RRP: 80 % by 2025Q4


def test_path_is_linear_between_points_and_flat_outside():
    start, end = Point(10.0, D(2024, 1, 1)), Point(20.0, D(2024, 1, 11))
    assert path_value([start, end], D(2024, 1, 6)) == 15.0
    assert path_value([start, end], D(2023, 12, 1)) == 10.0
    assert path_value([start, end], D(2024, 2, 1)) == 20.0


def test_higher_is_better_met_on_track_off_track():
    halfway = D(2023, 8, 15)  # about half-way from 2022Q3 to 2024Q2: the path is near 58 %
    expected = path_value([BASE, INTERIM], halfway)
    assert 0.57 < expected < 0.59
    assert status_against(0.70, halfway, INTERIM, "higher", [BASE]) == "met"
    assert status_against(0.60, halfway, INTERIM, "higher", [BASE]) == "on_track"
    assert status_against(0.55, halfway, INTERIM, "higher", [BASE]) == "off_track"


def test_lower_is_better():
    base = Point(29.0, D(2021, 1, 4))  # T3 29 days on 4.1.2021
    target = Point(14.0, D(2022, 12, 31))
    mid = D(2022, 1, 2)  # near the middle: the path is about 21.5 days
    assert status_against(13.0, mid, target, "lower", [base]) == "met"
    assert status_against(20.0, mid, target, "lower", [base]) == "on_track"
    assert status_against(25.0, mid, target, "lower", [base]) == "off_track"
    assert status_against(14.0, D(2023, 3, 1), target, "lower", [base]) == "met"
    assert status_against(15.0, D(2023, 3, 1), target, "lower", [base]) == "off_track"


def test_strict_targets():
    nps = Point(60.0, D(2022, 12, 31), strict=True)  # Keusote: NPS > 60
    assert not meets(60.0, nps, "higher")
    assert meets(60.5, nps, "higher")
    assert meets(59.0, Point(60.0, D(2022, 12, 31), strict=True), "lower")
    assert not meets(60.0, Point(60.0, D(2022, 12, 31), strict=True), "lower")


def test_deadline_passed_unmet_is_off_track_even_when_improving():
    assert status_against(0.65, D(2024, 9, 30), INTERIM, "higher", [BASE]) == "off_track"


def test_evaluate_uses_the_next_target_and_piecewise_path():
    early = evaluate(0.60, D(2023, 8, 15), "higher", baseline=BASE, interim=INTERIM, final=FINAL)
    assert early.status == "on_track"
    assert early.interim == "on_track"
    # Between the interim and the final deadline the path runs from 66 % to 80 %.
    late = D(2025, 3, 31)
    expected = path_value([BASE, INTERIM, FINAL], late)
    assert 0.72 < expected < 0.74
    on_track = evaluate(0.75, late, "higher", baseline=BASE, interim=INTERIM, final=FINAL)
    assert on_track.status == "on_track"
    assert on_track.interim == "met"
    off_track = evaluate(0.70, late, "higher", baseline=BASE, interim=INTERIM, final=FINAL)
    assert off_track.status == "off_track"
    assert off_track.interim == "met"
    assert off_track.expected is not None and abs(off_track.expected - expected) < 1e-9
    done = evaluate(0.81, late, "higher", baseline=BASE, interim=INTERIM, final=FINAL)
    assert done.status == "met"
    missed = evaluate(0.79, D(2026, 3, 31), "higher", baseline=BASE, interim=INTERIM, final=FINAL)
    assert missed.status == "off_track"


def test_remote_share_rrp_case():
    base = Point(0.299, D(2022, 12, 31))
    interim = Point(0.33, D(2024, 6, 30))
    final = Point(0.35, D(2025, 12, 31))
    assert evaluate(0.326, D(2024, 3, 31), "higher", baseline=base, interim=interim, final=final).status == "on_track"
    assert evaluate(0.32, D(2024, 3, 31), "higher", baseline=base, interim=interim, final=final).status == "off_track"


def test_missing_value_target_or_baseline():
    assert evaluate(None, D(2024, 1, 1), "higher", baseline=BASE, final=FINAL).status == "no_data"
    assert evaluate(0.5, D(2024, 1, 1), "higher").status == "no_target"
    # Without a baseline a numeric target cannot be judged before its deadline.
    assert evaluate(0.5, D(2024, 1, 1), "higher", final=FINAL).status == "no_data"
    assert evaluate(0.5, D(2026, 3, 31), "higher", final=FINAL).status == "off_track"


def test_yes_no_targets_are_judged_at_the_deadline():
    target = Point(1.0, D(2024, 12, 31))
    assert evaluate(1.0, D(2024, 3, 31), "higher", final=target, binary=True).status == "met"
    assert evaluate(0.0, D(2024, 3, 31), "higher", final=target, binary=True).status == "on_track"
    assert evaluate(0.0, D(2025, 3, 31), "higher", final=target, binary=True).status == "off_track"
