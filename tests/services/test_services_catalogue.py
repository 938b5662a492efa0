"""The indicator catalogue and the generated docs/indicators.md."""

from __future__ import annotations

import json
from pathlib import Path

from valvomo.config import Settings
from valvomo.indicators.registry import DIMENSIONS, REGISTRY
from valvomo.services.catalogue import (
    COLUMN_LABELS,
    DIRECTION_LABELS,
    FAMILY_LABELS,
    UNIT_LABELS,
    indicator_catalogue,
    label,
    render_indicator_docs,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def test_catalogue_lists_every_indicator_in_registry_order():
    entries = indicator_catalogue("sv")
    assert [e["id"] for e in entries] == REGISTRY.ids()
    access = entries[0]
    assert access["id"] == "access_7d" and access["name"] == "Icke-brådskande besök inom 7 dygn"
    assert access["grain"] == list(DIMENSIONS)  # canonical order
    assert access["targets"][0] == {
        "value": 0.66,
        "deadline": "2024Q2",
        "scope": "national",
        "source": "RRP pillar 4, investment 1 (seed 002)",
        "strict": False,
    }
    json.dumps(entries)  # plain JSON for the API


def test_catalogue_uses_the_targets_file(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text("access_7d:\n  - {value: 0.9, deadline: 2026Q4, source: County}\n", encoding="utf-8")
    [entry] = [
        e
        for e in indicator_catalogue("en", Settings(home=tmp_path, targets_file=path))
        if e["id"] == "access_7d"
    ]
    assert entry["targets"] == [
        {"value": 0.9, "deadline": "2026Q4", "scope": "regional", "source": "County", "strict": False}
    ]


def test_labels_cover_every_unit_direction_family_and_column():
    for indicator in REGISTRY:
        assert indicator.unit in UNIT_LABELS
        assert indicator.direction in DIRECTION_LABELS and indicator.family in FAMILY_LABELS
    for column in ("indicator", "period", "station_id", "bin", "value", "numerator", "denominator", "n"):
        assert column in COLUMN_LABELS
    # The labels are msgids of the catalogs, translated in every language (hand-checked wording).
    assert [label(UNIT_LABELS, "days", lang) for lang in ("fi", "sv", "en")] == ["vuorokautta", "dygn", "days"]
    assert [label(COLUMN_LABELS, "station_id", lang) for lang in ("fi", "sv", "en")] == ["Asema", "Station", "Station"]
    assert label(FAMILY_LABELS, "access", "sv") == "Tillgång till vård"
    assert label(DIRECTION_LABELS, "lower", "fi") == "pienempi on parempi"


def test_docs_page_has_a_section_per_indicator():
    text = render_indicator_docs()
    for indicator in REGISTRY:
        assert f"\n### {indicator.id}\n" in text
        assert indicator.names["fi"] in text and indicator.names["sv"] in text
    assert "- **Targets:** >= 66 % by 2024Q2 (national; RRP pillar 4, investment 1 (seed 002))" in text


def test_docs_file_matches_the_registry():
    """docs/indicators.md is generated; regenerate with `valvomo docs-indicators` after changing the registry."""
    assert DOCS.read_text(encoding="utf-8") == render_indicator_docs()
