"""Historical figures in the goodness of fit describe real people: they pass through disclosure control."""

from __future__ import annotations

import pytest

from valvomo.simulation.calibrate import Fit
from valvomo.web.simulation_views import protected_fits


def test_historical_counts_are_rounded_and_small_stations_hidden() -> None:
    fits = [
        Fit("ST-A", historical_7d=16 / 23, simulated_7d=0.7, historical_mean_wait=6.2, simulated_mean_wait=5.0, visits=23),
        Fit("ST-B", historical_7d=3 / 5, simulated_7d=0.5, historical_mean_wait=9.0, simulated_mean_wait=8.0, visits=5),
    ]
    a, b = protected_fits(fits, "standard")
    # 23 visits -> 25, 16 within 7 days -> 15: the share is recomputed from the rounded counts.
    assert a["visits"] == 25 and a["historical_7d"] == pytest.approx(15 / 25)
    assert a["historical_mean_wait"] == 6.2 and a["simulated_7d"] == 0.7  # simulated figures are not people
    # 5 visits: redacted, so neither the share nor the mean wait is shown.
    assert b["visits"] is None and b["historical_7d"] is None and b["historical_mean_wait"] is None
    assert b["simulated_mean_wait"] == 8.0
    unprotected = protected_fits(fits, "none")
    assert unprotected[1]["visits"] == 5 and unprotected[1]["historical_7d"] == pytest.approx(0.6)
