"""The indicator registry: every indicator defined once.

An ``Indicator`` is a specification (names in fi/sv/en, the definition quoted
from indicators.md, unit, direction, grain, targets, disclosure kind) plus a
function that builds an Ibis expression from ``Sources`` and a ``Query``. The
CLI, the API, the dashboard and the reports read this registry; none of them
computes an indicator itself (architecture.md). Shaped after OpenSAFELY's
``define_measure``: numerator, denominator, intervals, group_by.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis

from valvomo.warehouse.sources import Sources

Unit = Literal["share", "days", "count", "eur", "score", "rate_per_1000", "index", "hours", "ratio"]
Direction = Literal["higher", "lower", "none"]
PeriodKind = Literal["month", "quarter", "year"]
Dimension = Literal["station", "profession", "municipality", "age_band", "language", "contact_class"]
Family = Literal["access", "guidance", "channels", "continuity", "utilisation", "quality", "feedback"]

# How disclosure control treats the values (disclosure.md):
#   share      numerator and denominator count people/events: round, redact, recompute value
#   rate       numerator counts people/events, denominator is residents: round numerator, recompute
#   statistic  value is a mean/median/index/score over ``n`` people: redact when n is 1-7
#   count      value is itself a count of people/events: round/redact the value
#   capacity   does not describe people (T3, slots): never redacted
DisclosureKind = Literal["share", "rate", "statistic", "count", "capacity"]

DIMENSIONS: tuple[Dimension, ...] = ("station", "profession", "municipality", "age_band", "language", "contact_class")
DIMENSION_COLUMNS: dict[Dimension, str] = {
    "station": "station_id",
    "profession": "profession",
    "municipality": "municipality",
    "age_band": "age_band",
    "language": "language",
    "contact_class": "contact_class",
}
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")

# The standard result columns of every indicator expression, in output order.


@dataclass(frozen=True)
class Target:
    """A target level for an indicator, national (RRP) or regional (a county's own)."""

    value: float
    deadline: str  # period label, e.g. "2025Q4"
    scope: Literal["national", "regional"]
    source: str  # who set it, e.g. "RRP pillar 4 (seed 002)"
    strict: bool = False  # True when the target is "> value" rather than ">= value" (or "<"/"<=")


@dataclass(frozen=True)
class Query:
    """What to compute: period granularity, dimensions and the reference-date range."""

    period: PeriodKind = "quarter"
    by: tuple[Dimension, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None

    def dimension_columns(self) -> list[str]:
        return [DIMENSION_COLUMNS[d] for d in self.by]


Builder = Callable[[Sources, Query], ibis.Table]


@dataclass(frozen=True)
class Indicator:
    """One registry entry. ``build`` returns an Ibis table with columns ``period``,
    one column per dimension in ``query.by`` (see ``DIMENSION_COLUMNS``) and any
    of ``bin``, ``value``, ``numerator``, ``denominator``, ``n``."""

    id: str
    names: Mapping[str, str]  # fi, sv, en
    definition: str  # quotes indicators.md
    unit: Unit
    direction: Direction
    family: Family
    grain: frozenset[Dimension]
    requires: tuple[str, ...]  # canonical tables needed
    build: Builder
    disclosure: DisclosureKind
    targets: tuple[Target, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    optional: tuple[str, ...] = ()  # tables used when present
    distribution: bool = False  # one row per ``bin``
    min_group_size: int = 8
    # The period kinds the definition allows: a per-resident rate divides by residents on 31 Dec, an
    # annual figure, so it is defined per year only (``period_reason`` says why, in the refusal).
    periods: tuple[PeriodKind, ...] = PERIOD_KINDS
    period_reason: str = ""

    # Station kinds (schema ``STATION_KINDS``) whose units the definition is about: station
    # comparisons rank only these, and show other units apart. None: the family's default
    # (``FAMILY_STATION_KINDS``); an empty set is "every kind".
    station_kinds: frozenset[str] | None = None

    def applies_to_station_kind(self, kind: str | None) -> bool:
        """Whether a unit of ``kind`` belongs among the stations this indicator compares
        (a unit of unknown kind does, so that data without kinds are not hidden)."""
        kinds = FAMILY_STATION_KINDS.get(self.family, frozenset()) if self.station_kinds is None else self.station_kinds
        return not kinds or not kind or kind in kinds

    def name(self, lang: str = "fi") -> str:
        return self.names.get(lang) or self.names["en"]

    def check_query(self, query: Query) -> None:
        """Raise ``UnsupportedQueryError`` when the grain does not allow the dimensions."""
        if query.period not in PERIOD_KINDS:
            raise UnsupportedQueryError(f"unknown period {query.period!r}; expected one of {', '.join(PERIOD_KINDS)}")
        if query.period not in self.periods:
            reason = f" ({self.period_reason})" if self.period_reason else ""
            raise UnsupportedQueryError(
                f"indicator {self.id!r} is defined per {' or '.join(self.periods)} only{reason}; "
                f"ask for period {self.periods[0]!r} instead of {query.period!r}"
            )
        for dim in query.by:
            if dim not in DIMENSIONS:
                raise UnsupportedQueryError(
                    f"unknown dimension {dim!r}; expected one of {', '.join(DIMENSIONS)}"
                )
            if dim not in self.grain:
                allowed = ", ".join(sorted(self.grain)) or "none"
                raise UnsupportedQueryError(
                    f"indicator {self.id!r} cannot be broken down by {dim!r}; its grain allows: {allowed}"
                )


# Care-guarantee access and continuity of care are about health stations' own care (indicators.md):
# a telephone guidance unit (guidance_unit) or a social-services office is not ranked among them.
# Guidance indicators are about guidance units. Other families apply to every kind of unit.
_CARE_STATIONS = frozenset({"health_station", "nurse_led_station"})
FAMILY_STATION_KINDS: dict[str, frozenset[str]] = {
    "access": _CARE_STATIONS,
    "continuity": _CARE_STATIONS,
    "guidance": frozenset({"guidance_unit"}),
}


class UnknownIndicatorError(KeyError):
    """An id the registry does not have; ``message`` lists the known ones unless a caller words it."""

    def __init__(self, indicator_id: str, known: Iterable[str] = (), *, message: str | None = None):
        super().__init__(indicator_id)
        self.message = message or f"unknown indicator {indicator_id!r}; known indicators: {', '.join(sorted(known))}"

    def __str__(self) -> str:
        return self.message


class UnsupportedQueryError(ValueError):
    """The indicator's grain or the query's period does not allow what was asked."""


class Registry:
    """Indicators by id, in registration order (the order the docs and UI list them)."""

    def __init__(self) -> None:
        self._entries: dict[str, Indicator] = {}

    def add(self, indicator: Indicator) -> Indicator:
        if indicator.id in self._entries:
            raise ValueError(f"indicator {indicator.id!r} registered twice")
        for lang in ("fi", "sv", "en"):
            if not indicator.names.get(lang):
                raise ValueError(f"indicator {indicator.id!r} lacks a {lang} name")
        self._entries[indicator.id] = indicator
        return indicator

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self._entries[indicator_id]
        except KeyError:
            raise UnknownIndicatorError(indicator_id, self._entries) from None

    def __iter__(self):
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._entries

    def ids(self) -> list[str]:
        return list(self._entries)


REGISTRY = Registry()


def register(indicator: Indicator) -> Indicator:
    return REGISTRY.add(indicator)
