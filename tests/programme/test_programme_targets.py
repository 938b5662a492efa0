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
    assert status_against(15.0, D(2023, 3, 1), target, "lower", [base]) == "not_met"


def test_strict_targets():
    nps = Point(60.0, D(2022, 12, 31), strict=True)  # Keusote: NPS > 60
    assert not meets(60.0, nps, "higher")
    assert meets(60.5, nps, "higher")
    assert meets(59.0, Point(60.0, D(2022, 12, 31), strict=True), "lower")
    assert not meets(60.0, Point(60.0, D(2022, 12, 31), strict=True), "lower")


def test_deadline_passed_unmet_is_not_met_even_when_improving():
    assert status_against(0.65, D(2024, 9, 30), INTERIM, "higher", [BASE]) == "not_met"


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
    assert missed.status == "not_met"


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
    assert evaluate(0.5, D(2026, 3, 31), "higher", final=FINAL).status == "not_met"


def test_yes_no_targets_are_judged_at_the_deadline():
    target = Point(1.0, D(2024, 12, 31))
    assert evaluate(1.0, D(2024, 3, 31), "higher", final=target, binary=True).status == "met"
    assert evaluate(0.0, D(2024, 3, 31), "higher", final=target, binary=True).status == "on_track"
    assert evaluate(0.0, D(2025, 3, 31), "higher", final=target, binary=True).status == "not_met"


def test_overview_and_programme_agree_after_the_interim_deadline():
    """Issue 11 item 1: the overview judges a registry series (baseline = its first value), the
    programme page a plan link (typed baseline); after the interim deadline both follow the path
    from the interim to the final target, so 74.7 % at 2024Q4 gets one verdict."""
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.targets import series_status

    targets = REGISTRY.get("access_7d").targets  # 66 % by 2024Q2, 80 % by 2025Q4
    # path at 31.12.2024: 0.66 + 0.14 x 184/549 = 0.7069; 0.747 is above it
    overview = series_status([("2024Q1", 0.70), ("2024Q4", 0.747)], targets, "higher")
    programme = evaluate(0.747, D(2024, 12, 31), "higher", baseline=BASE, interim=INTERIM, final=FINAL)
    assert overview.status == programme.status == "on_track"
    assert abs(overview.expected - programme.expected) < 1e-12
    assert abs(programme.expected - (0.66 + 0.14 * 184 / 549)) < 1e-12
    # 0.70 is below that path: off track in both
    assert series_status([("2024Q1", 0.9), ("2024Q4", 0.70)], targets, "higher").status == "off_track"
    assert evaluate(0.70, D(2024, 12, 31), "higher", baseline=BASE, interim=INTERIM, final=FINAL).status == "off_track"


def test_past_final_deadline_reads_not_met_never_off_track():
    """Issue 11 item 2: NPS '> 60 by 2021' judged on 2024 data."""
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.targets import series_status

    nps = REGISTRY.get("nps")
    assert series_status([("2024", 45.0)], nps.targets, nps.direction).status == "not_met"
    assert series_status([("2024", 61.0)], nps.targets, nps.direction).status == "met"
    share = REGISTRY.get("physician_share")
    status = series_status([("2024Q4", 0.2)], share.targets, share.direction).status
    assert status in ("met", "not_met")
