"""Row-level rules of the canonical tables beyond column types (data-model.md).

Primary keys and references between tables live on ``Table``; the ordering rules
between timestamps of one row live here, so that ingest enforces them and the
generated docs list them from the same definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from valvomo.schema import codes


@dataclass(frozen=True)
class OrderRule:
    """``earlier`` must not be after ``later`` when both are present in a row."""

    table: str
    earlier: str
    later: str

    @property
    def text(self) -> str:
        return f"`{self.earlier} ≤ {self.later}` when both are present"


ORDER_RULES: tuple[OrderRule, ...] = (
    OrderRule("contacts", "assessed_at", "started_at"),
    OrderRule("contacts", "contacted_at", "assessed_at"),
)


def order_rules(table: str) -> tuple[OrderRule, ...]:
    return tuple(rule for rule in ORDER_RULES if rule.table == table)


# Documented defaults filled in when a value is missing (warehouse/canonical.py applies them).
COLUMN_DEFAULTS: dict[tuple[str, str], str] = {
    ("contacts", "licensed"): (
        "`licensed` missing: true unless `profession` is "
        + ", ".join(f"`{p}`" for p in codes.UNLICENSED_PROFESSIONS)
    ),
}

# Keys of manifest.json and what they mean; ingest warns about any other key.
MANIFEST_KEYS: dict[str, str] = {
    "patients_are_all_residents": (
        "true when the patients table lists every resident of the county, not only service users "
        "(needed for coverage indicators)"
    ),
}
