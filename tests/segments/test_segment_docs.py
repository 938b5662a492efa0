"""The three segment pages in docs/ are generated from the definitions and committed; they must agree."""

from __future__ import annotations

from pathlib import Path

from valvomo.segments.docs import RENDERERS, stale_segment_docs

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_segment_docs_are_fresh():
    assert stale_segment_docs(DOCS) == [], "run `valvomo docs-segments --output docs`"


def test_pages_name_every_output_rule_and_item():
    text = "".join(render() for render in RENDERERS.values())
    for needle in ("`utilisation_segment_mix`", "`gini_cost`", "`t2d_no_hba1c_12m`", "`hypertension_no_bp_12m`",
                   "| C5 | complexity |", "at or above", "network customer"):  # fmt: skip
        assert needle in text
