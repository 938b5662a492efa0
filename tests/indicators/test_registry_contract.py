"""Every indicator of indicators.md is in the registry, fully specified."""

from __future__ import annotations

import pytest

from valvomo.indicators import REGISTRY
from valvomo.indicators.registry import DIMENSIONS

# The indicators the foundation issue lists (indicators.md), by id.
REQUIRED = [
    "access_7d", "access_14d", "access_3m", "waiting_days_distribution", "waiting_days_median", "waiting_days_p90",
    "urgent_next_working_day", "assessment_same_day", "t3_days", "t3_days_pooled",
    "guidance_same_day", "guidance_next_working_day", "guidance_response_hours_median", "guidance_resolved",
    "first_contact_resolution", "intervention_wait_days", "remote_share_20plus", "channel_mix",
    "coci", "upc", "secon", "mmci", "coci_nurse", "named_professional_coverage", "coverage",
    "contacts_per_resident", "physician_share", "top_decile_cost_share", "top_decile_contact_share",
    "referrals_per_1000", "cost_per_resident", "cost_per_patient", "assessment_recording",
    "field_completeness", "nps",
]  # fmt: skip


@pytest.mark.parametrize("indicator_id", REQUIRED)
def test_required_indicator_is_registered(indicator_id):
    assert indicator_id in REGISTRY, f"{indicator_id} missing from the registry"


@pytest.mark.parametrize("indicator", list(REGISTRY), ids=lambda i: i.id)
def test_entry_is_fully_specified(indicator):
    assert all(indicator.names.get(lang) for lang in ("fi", "sv", "en"))
    assert len({indicator.names["fi"], indicator.names["en"]}) == 2, "fi and en names should differ"
    assert "indicators.md" in indicator.definition, "definition must cite indicators.md"
    assert indicator.unit in ("share", "days", "count", "eur", "score", "rate_per_1000", "index", "hours", "ratio")
    assert indicator.direction in ("higher", "lower", "none")
    assert set(indicator.grain) <= set(DIMENSIONS)
    assert indicator.requires, "every indicator names the tables it needs"
    for target in indicator.targets:
        assert target.deadline[:4].isdigit()


def test_national_targets_are_data_in_the_registry():
    access = {t.deadline: t.value for t in REGISTRY.get("access_7d").targets}
    assert access == {"2024Q2": 0.66, "2025Q4": 0.80}
    remote = sorted(t.value for t in REGISTRY.get("remote_share_20plus").targets)
    assert remote == [0.33, 0.35]
