"""Where programme tracking gets indicator values and indicator metadata from.

Programme code and the report take any ``IndicatorValues``: the real adapter
reads the results service (indicator engine + disclosure control) and is
imported lazily, so that programme tracking imports and runs without the
analytics stack; tests pass a small implementation with hand-made values.

Metadata (unit, direction, names) comes from the indicator registry and the
segment registry through one lookup (``valvomo.services.outputs``): a link may
name ``segment_coci:high_need`` (a bin of a segment distribution) as well as
``coci``. The
``CONTRACT`` table lists the indicator ids the engine promises to programme
tracking with the unit and direction indicators.md gives them; it is used to
validate plans only for ids the running registry does not (yet) hold, and the
live registry always wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from valvomo.programme.periods import PeriodKind

if TYPE_CHECKING:
    from valvomo.config import Settings


class IndicatorValues(Protocol):
    """Values of one registry indicator or segment output reference (``services.outputs``) per period
    label; ``None`` means suppressed."""

    def series(
        self,
        indicator_id: str,
        period_kind: PeriodKind,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> dict[str, float | None]: ...


class IndicatorValuesUnavailable(RuntimeError):
    """The indicator engine or its data cannot be reached."""


class ResultsServiceValues:
    """The real adapter over ``valvomo.services.outputs.output_values`` (indicators and segment outputs).

    Values are disclosure-controlled by the service with the configured
    profile; a suppressed row becomes ``None``. Series are cached per call
    arguments for the lifetime of the adapter (one report, one page view).
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._cache: dict[tuple, dict[str, float | None]] = {}
        self._provenance = None

    def provenance(self):
        """The warehouse snapshot and residents behind the values (``services.provenance``)."""
        if self._provenance is None:
            from valvomo.services.provenance import data_provenance

            self._provenance = data_provenance(self.settings)
        return self._provenance

    def series(
        self,
        indicator_id: str,
        period_kind: PeriodKind,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> dict[str, float | None]:
        key = (indicator_id, period_kind, start, end)
        if key not in self._cache:
            try:
                from valvomo.services.outputs import output_values
            except ImportError as exc:
                raise IndicatorValuesUnavailable(f"the indicator results service is not available ({exc})") from exc
            self._cache[key] = output_values(self.settings, indicator_id, period_kind, start=start, end=end)
        return dict(self._cache[key])


@dataclass(frozen=True)
class MappingValues:
    """Values held in memory: ``{indicator_id: {period_label: value}}``.

    For callers that already have the figures (an API client, a test, a
    comparison view computed elsewhere).
    """

    values: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)

    def series(
        self,
        indicator_id: str,
        period_kind: PeriodKind,
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> dict[str, float | None]:
        from valvomo.programme.periods import parse

        result: dict[str, float | None] = {}
        for label, value in self.values.get(indicator_id, {}).items():
            period = parse(label)
            if period.kind != period_kind:
                continue
            if start is not None and period.end < start:
                continue
            if end is not None and period.start > end:
                continue
            result[label] = value
        return result


@dataclass(frozen=True)
class IndicatorMeta:
    """What programme tracking needs to know about a registry indicator."""

    id: str
    unit: str
    direction: str  # higher, lower or none
    names: Mapping[str, str] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.id


CONTRACT: dict[str, tuple[str, str]] = {
    "access_7d": ("share", "higher"),
    "access_14d": ("share", "higher"),
    "access_3m": ("share", "higher"),
    "remote_share_20plus": ("share", "none"),
    "t3_days": ("days", "lower"),
    "coci": ("index", "higher"),
    "nps": ("score", "higher"),
    "guidance_same_day": ("share", "higher"),
    "guidance_next_working_day": ("share", "higher"),
    "physician_share": ("share", "none"),
    "coverage": ("share", "none"),
    "assessment_recording": ("share", "higher"),
    "top_decile_cost_share": ("share", "none"),
    "named_professional_coverage": ("share", "higher"),
}


def _live_registry() -> dict[str, IndicatorMeta]:
    """Every output reference of both registries (``services.outputs.catalogue``: one lookup)."""
    try:
        from valvomo.services.outputs import catalogue
    except ImportError:
        return {}
    return {ref: IndicatorMeta(ref, out.unit, out.direction, dict(out.names)) for ref, out in catalogue().items()}


def default_key(indicator_ref: str) -> str:
    """The link key of a link without one: its reference, the bin separator made key-safe
    (``segment_coci:high_need`` -> ``segment_coci-high_need``)."""
    return indicator_ref.replace(":", "-")


def indicator_catalogue() -> dict[str, IndicatorMeta]:
    """Every indicator id or segment output reference a plan may link to, with its metadata
    (the registries first)."""
    catalogue = {key: IndicatorMeta(key, unit, direction) for key, (unit, direction) in CONTRACT.items()}
    catalogue.update(_live_registry())
    return catalogue
