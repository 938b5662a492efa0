"""The differencing check of bench/probe.py on hand-computed cases (its figures are quoted in docs/security.md).

Under the ``standard`` profile a shown count r ≥ 10 stands for r−2 … r+2 (at least 8), 0 for exactly 0, and a
redacted cell for 1–7. With the total T and the other cells shown, the redacted cell h lies in
[T−2 − Σ(r+2), T+2 − Σ(r−2)] ∩ [1, 7].
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from probe import pinned_value  # noqa: E402


def test_rounding_leaves_several_values_possible():
    assert pinned_value(20, [10]) is None  # h in 6…14 → 6 or 7
    assert pinned_value(15, [10]) is None  # h in 1…9 → 1–7
    assert pinned_value(20, [10, 0]) is None  # a zero is exact: still 6 or 7


def test_three_rounded_cells_can_pin_the_redacted_one():
    # T = 45 (43–47), three cells of 10 (8–12 each): h ≥ 43 − 36 = 7 and h ≤ 7 → exactly 7
    assert pinned_value(45, [10, 10, 10]) == 7
    # T = 25 (23–27), two cells of 15 (13–17): h ≤ 27 − 26 = 1 → exactly 1
    assert pinned_value(25, [15, 15]) == 1


def test_an_unrounded_count_is_pinned_by_one_subtraction():
    # the residents of a rate are not rounded: 900 - 895 leaves exactly 5
    assert pinned_value(900, [895], rounded=False) == 5
    assert pinned_value(900, [895]) is None  # rounded, 900 (898-902) - 895 (893-897) leaves 1-7 open
