"""docs/data-model.md is generated from the schema and committed; they must agree."""

from __future__ import annotations

from pathlib import Path

from valvomo.schema import TABLES, codes
from valvomo.schema.docs import column_type, render_data_model, table_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def test_committed_page_equals_the_generated_text():
    assert DOCS.read_text(encoding="utf-8") == render_data_model(), "run `valvomo docs data-model`"


def test_every_table_and_column_is_documented():
    text = render_data_model()
    for table in TABLES.values():
        assert f"## {table.name}" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column_type(column)} |" in text
    assert "`PALVELUNTUOTTAJA_YKSIKKO`" in text and "`KAYNTI_YHTEYSTAPA`" in text
    assert all(f"`{code}`" in text for code in codes.CONTACT_TYPES)


def test_types_show_lengths_ranges_and_enums():
    assert column_type(TABLES["stations"].column("municipality")) == "str(3)"
    assert column_type(TABLES["feedback"].column("score")) == "int 0–10"
    assert column_type(TABLES["contacts"].column("cost_eur")) == "float ≥ 0"
    assert column_type(TABLES["contacts"].column("profession")) == "enum"


def test_contacts_rules_are_listed():
    rules = table_rules(TABLES["contacts"])
    assert "`assessed_at ≤ started_at` when both are present." in rules
    assert "`contacted_at ≤ assessed_at` when both are present." in rules
    assert any("`station_id` must be a `station_id` of `stations`" in rule for rule in rules)
    assert any(rule.startswith("Primary key (`contact_id`)") for rule in rules)
    assert any("practical_nurse" in rule for rule in rules)
