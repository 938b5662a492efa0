"""Disclosure control of indicator rows: rounding, redaction, recomputation, per disclosure kind.

Every expected value is worked out by hand in a comment (disclosure.md).
"""

from __future__ import annotations

import pytest

from valvomo.disclosure import is_redacted, protect_count, protect_rows, round_count
from valvomo.indicators.registry import Indicator, Registry


def _indicator(indicator_id, disclosure, unit="share", distribution=False, parameters=None):
    return Indicator(
        id=indicator_id,
        names={"fi": indicator_id, "sv": indicator_id, "en": indicator_id},
        definition="test entry",
        unit=unit,
        direction="higher",
        family="access",
        grain=frozenset({"station"}),
        requires=("contacts",),
        build=lambda sources, query: None,
        disclosure=disclosure,
        distribution=distribution,
        parameters=parameters or {},
    )


@pytest.fixture(scope="module")
def registry():
    reg = Registry()
    reg.add(_indicator("a_share", "share"))
    reg.add(_indicator("a_rate", "rate", unit="rate_per_1000", parameters={"scale": 1000}))
    reg.add(_indicator("a_coverage", "rate", unit="share"))
    reg.add(_indicator("a_median", "statistic", unit="days"))
    reg.add(_indicator("a_count", "count", unit="count"))
    reg.add(_indicator("a_t3", "capacity", unit="days"))
    reg.add(
        _indicator(
            "a_dist", "share", distribution=True, parameters={"bins_labels": ("0", "1-7", "8-14", ">14")}
        )
    )
    return reg


def share_row(num, den, station="S1", period="2024Q1"):
    value = num / den if den else None
    return {
        "indicator": "a_share",
        "period": period,
        "station_id": station,
        "value": value,
        "numerator": num,
        "denominator": den,
        "unit": "share",
        "suppressed": False,
    }


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 0), (8, 10), (12, 10), (13, 15), (22, 20), (23, 25), (100, 100), (102, 100), (103, 105)],
)
def test_standard_rounds_to_nearest_five(count, expected):
    # x mod 5 in {1, 2} rounds down, {3, 4} up; integers never tie
    assert round_count(count, "standard") == expected
    assert protect_count(count, "standard") == expected


def test_standard_redacts_one_to_seven_and_keeps_zero():
    assert [protect_count(c, "standard") for c in range(0, 9)] == [
        0,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        10,
    ]
    assert not is_redacted(0, "standard") and is_redacted(7, "standard") and not is_redacted(8, "standard")


def test_threshold5_redacts_one_to_four_without_rounding():
    assert [protect_count(c, "threshold5") for c in (0, 1, 4, 5, 7, 12, 103)] == [
        0,
        None,
        None,
        5,
        7,
        12,
        103,
    ]


def test_non_integer_count_rounds_half_up():
    # 12.5 / 5 = 2.5 -> floor(2.5 + 0.5) = 3 -> 15
    assert round_count(12.5, "standard") == 15.0


def test_unknown_profile_is_an_error():
    with pytest.raises(ValueError, match="unknown disclosure profile 'strict'"):
        protect_rows([share_row(10, 20)], "strict")


def test_share_recomputed_from_rounded_counts(registry):
    [row] = protect_rows([share_row(13, 42)], "standard", registry=registry)
    # 13 -> 15, 42 -> 40, value 15 / 40 = 0.375
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (15, 40, 0.375, False)


def test_share_with_small_numerator_is_redacted_but_keeps_denominator(registry):
    [row] = protect_rows([share_row(3, 42)], "standard", registry=registry)
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (None, 40, None, True)


def test_share_with_small_denominator_hides_the_numerator_too(registry):
    # 0 of 5: the zero would tell that all five people missed the target
    [row] = protect_rows([share_row(0, 5)], "standard", registry=registry)
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (None, None, None, True)


def test_share_with_zero_numerator_is_shown(registry):
    [row] = protect_rows([share_row(0, 22)], "standard", registry=registry)
    # 22 -> 20, 0 / 20 = 0
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (0, 20, 0.0, False)


def test_share_threshold5(registry):
    small, shown = protect_rows(
        [share_row(3, 42), share_row(5, 42, station="S2")], "threshold5", registry=registry
    )
    assert (small["numerator"], small["denominator"], small["value"], small["suppressed"]) == (
        None,
        42,
        None,
        True,
    )
    # nothing rounded: 5 / 42
    assert (shown["numerator"], shown["denominator"], shown["value"]) == (5, 42, 5 / 42)


def test_profile_none_returns_equal_copies(registry):
    rows = [share_row(3, 5)]
    out = protect_rows(rows, "none", registry=registry)
    assert out == rows and out[0] is not rows[0]


def test_input_rows_are_not_modified(registry):
    rows = [share_row(3, 42)]
    protect_rows(rows, "standard", registry=registry)
    assert rows[0]["numerator"] == 3 and rows[0]["suppressed"] is False


def test_rate_rounds_numerator_and_recomputes_against_residents(registry):
    row = {
        "indicator": "a_rate",
        "period": "2024",
        "value": 13 * 1000 / 2345,
        "numerator": 13,
        "denominator": 2345,
        "unit": "rate_per_1000",
        "suppressed": False,
    }
    [out] = protect_rows([row], "standard", registry=registry)
    # numerator 13 -> 15; residents are public statistics and stay 2345; 1000 x 15 / 2345
    assert out["numerator"] == 15 and out["denominator"] == 2345
    assert out["value"] == pytest.approx(6.396588486, rel=1e-9)


def test_rate_with_small_numerator_or_population_is_redacted(registry):
    base = {"indicator": "a_coverage", "period": "2024", "unit": "share", "suppressed": False}
    small_numerator = {**base, "value": 5 / 300, "numerator": 5, "denominator": 300}
    small_population = {**base, "value": 0.0, "numerator": 0, "denominator": 6}
    a, b = protect_rows([small_numerator, small_population], "standard", registry=registry)
    assert (a["value"], a["numerator"], a["denominator"], a["suppressed"]) == (None, None, 300, True)
    assert (b["value"], b["numerator"], b["denominator"], b["suppressed"]) == (None, None, None, True)


def test_statistic_over_few_people_is_redacted_and_n_rounded(registry):
    base = {"indicator": "a_median", "period": "2024Q1", "unit": "days", "suppressed": False}
    few, many = protect_rows(
        [{**base, "value": 12.0, "n": 7}, {**base, "value": 12.0, "n": 8}], "standard", registry=registry
    )
    assert (few["value"], few["n"], few["suppressed"]) == (None, None, True)
    # the median itself is not changed; n 8 -> 10
    assert (many["value"], many["n"], many["suppressed"]) == (12.0, 10, False)
    [kept] = protect_rows([{**base, "value": 12.0, "n": 7}], "threshold5", registry=registry)
    assert (kept["value"], kept["n"]) == (12.0, 7)


def test_count_value_is_rounded_or_redacted(registry):
    base = {"indicator": "a_count", "period": "2024Q1", "unit": "count", "suppressed": False}
    big, small = protect_rows(
        [{**base, "value": 13.0}, {**base, "value": 6.0}], "standard", registry=registry
    )
    assert (big["value"], big["suppressed"]) == (15.0, False)
    assert (small["value"], small["suppressed"]) == (None, True)


def test_capacity_is_never_touched(registry):
    row = {"indicator": "a_t3", "period": "2024Q1", "value": 3.5, "n": 2, "unit": "days", "suppressed": False}
    assert protect_rows([row], "standard", registry=registry) == [row]


def dist_rows(counts, station="S1", period="2024Q1"):
    total = sum(counts.values())
    return [
        {
            "indicator": "a_dist",
            "period": period,
            "station_id": station,
            "bin": b,
            "value": c / total,
            "numerator": c,
            "denominator": total,
            "n": c,
            "unit": "share",
            "suppressed": False,
        }
        for b, c in counts.items()
    ]


def test_distribution_single_small_bin_gets_complementary_suppression(registry):
    rows = protect_rows(dist_rows({"0": 3, "1-7": 20, "8-14": 40}), "standard", registry=registry)
    by_bin = {r["bin"]: r for r in rows}
    # 3 is redacted; it is the only redacted bin, so the next smallest (20) goes too
    assert by_bin["0"]["suppressed"] and by_bin["1-7"]["suppressed"]
    assert by_bin["0"]["numerator"] is None and by_bin["1-7"]["value"] is None
    # total = sum of rounded cells = 5 + 20 + 40 = 65; 40 / 65
    assert by_bin["8-14"]["numerator"] == 40 and by_bin["8-14"]["n"] == 40
    assert all(r["denominator"] == 65 for r in rows)
    assert by_bin["8-14"]["value"] == pytest.approx(40 / 65)
    assert not by_bin["8-14"]["suppressed"]


def test_distribution_two_small_bins_need_no_complement(registry):
    rows = protect_rows(dist_rows({"0": 3, "1-7": 6, "8-14": 40, ">14": 51}), "standard", registry=registry)
    by_bin = {r["bin"]: r for r in rows}
    assert by_bin["0"]["suppressed"] and by_bin["1-7"]["suppressed"]
    # total = 5 + 5 + 40 + 50 = 100; 40 / 100 and 50 / 100
    assert (by_bin["8-14"]["value"], by_bin[">14"]["value"]) == (0.4, 0.5)
    assert by_bin[">14"]["numerator"] == 50 and by_bin[">14"]["denominator"] == 100


def test_distribution_threshold5_uses_exact_total(registry):
    rows = protect_rows(dist_rows({"0": 3, "1-7": 20, "8-14": 40}), "threshold5", registry=registry)
    by_bin = {r["bin"]: r for r in rows}
    assert by_bin["0"]["suppressed"] and by_bin["1-7"]["suppressed"]
    # nothing rounded: total 3 + 20 + 40 = 63, 40 / 63
    assert by_bin["8-14"]["denominator"] == 63 and by_bin["8-14"]["value"] == 40 / 63


def test_distribution_groups_are_protected_separately(registry):
    rows = dist_rows({"0": 3, "1-7": 20, "8-14": 40}) + dist_rows(
        {"0": 30, "1-7": 20, "8-14": 40}, station="S2"
    )
    out = protect_rows(rows, "standard", registry=registry)
    s2 = {r["bin"]: r for r in out if r["station_id"] == "S2"}
    # S1's small bin does not affect S2: 30/90, 20/90, 40/90
    assert not any(r["suppressed"] for r in s2.values())
    assert s2["1-7"]["value"] == pytest.approx(20 / 90)


def test_bins_that_do_not_split_the_group_are_single_shares(registry):
    # completeness per field: each bin is its own share of the same 50 contacts; 3 + 50 + 20 != 50
    base = {
        "indicator": "a_dist",
        "period": "2024Q1",
        "station_id": "S1",
        "denominator": 50,
        "unit": "share",
        "suppressed": False,
    }
    rows = [
        {**base, "bin": b, "numerator": c, "value": c / 50} for b, c in (("0", 3), ("1-7", 50), ("8-14", 20))
    ]
    a, b, c = protect_rows(rows, "standard", registry=registry)
    assert (a["suppressed"], a["numerator"], a["denominator"]) == (True, None, 50)
    # no complementary suppression; 50/50 and 20/50 (all multiples of 5 already)
    assert (b["value"], c["value"], b["suppressed"], c["suppressed"]) == (1.0, 0.4, False, False)
