"""Budget against actuals: planned money per line and what has been spent by a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from valvomo.programme import models as m
from valvomo.programme import periods


def euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


@dataclass(frozen=True)
class LineSummary:
    line_id: int | None
    name: dict[str, str]
    goal_number: int | None
    spearhead_number: int | None
    planned: Decimal
    actual: Decimal
    months: int  # months with actuals counted

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.actual

    @property
    def used_share(self) -> float | None:
        return float(self.actual / self.planned) if self.planned else None


@dataclass(frozen=True)
class BudgetSummary:
    lines: list[LineSummary]
    until: dt.date | None

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.lines), Decimal(0))

    @property
    def actual(self) -> Decimal:
        return sum((line.actual for line in self.lines), Decimal(0))

    @property
    def has_actuals(self) -> bool:
        return any(line.months for line in self.lines)


def summary(programme: m.Programme, until: dt.date | None = None) -> BudgetSummary:
    """Planned and spent per budget line, counting months that end on or before ``until``."""
    lines = []
    for line in programme.budget_lines:
        counted = [a for a in line.actuals if until is None or periods.parse(a.month).end <= until]
        lines.append(
            LineSummary(
                line_id=line.id,
                name=dict(line.name),
                goal_number=line.goal.number if line.goal else None,
                spearhead_number=line.spearhead.number if line.spearhead else None,
                planned=euros(line.planned_cents),
                actual=euros(sum(a.amount_cents for a in counted)),
                months=len(counted),
            )
        )
    return BudgetSummary(lines, until)
