"""The five-step process meter (5-vaiheinen prosessimittari) and its two scales.

Helsinki reports progress in percent steps (0 %, 25 %, ... 100 %), Keski-Suomi in
levels 1–5. Both describe the same five steps, so level L is stored as
(L − 1) × 25 % and converts back without loss; everything downstream (charts,
stalled measures, comparison across programmes) works on percent.
"""

from __future__ import annotations

from typing import Literal

from valvomo.disclosure import format_percent
from valvomo.services.i18n import N_, NC_, translate

Scale = Literal["percent", "levels"]
SCALES: tuple[Scale, ...] = ("percent", "levels")
PERCENT_STEPS: tuple[int, ...] = (0, 25, 50, 75, 100)
LEVELS: tuple[int, ...] = (1, 2, 3, 4, 5)

# Wording of the steps as the seed programmes use them: Helsinki's percent meter
# (25 % = käynnistetty, 50 % = hyvässä vauhdissa) and Keski-Suomi's levels
# (1 not started ... 5 in use).
# gettext msgids (``programmes`` domain), translated by ``label``.
_PERCENT_LABELS: tuple[str | tuple[str, str], ...] = (
    N_("not started"), N_("started"), N_("well under way"), N_("far advanced"), N_("completed"),
)
_LEVEL_LABELS: tuple[str | tuple[str, str], ...] = (
    NC_("level meter", "not started"),  # "ei ole aloitettu", the percent meter's is "ei aloitettu"
    N_("being planned"),
    N_("described (operating model)"),
    N_("being piloted"),
    N_("in use"),
)


class MeterValueError(ValueError):
    """A value that is not a step of the programme's process meter."""


def level_to_percent(level: int) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise MeterValueError(f"{level!r} is not a level of the 1–5 meter (expected 1, 2, 3, 4 or 5)")
    return (level - 1) * 25


def percent_to_level(percent: int) -> int:
    check_percent(percent)
    return percent // 25 + 1


def check_percent(percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or percent not in PERCENT_STEPS:
        raise MeterValueError(
            f"{percent!r} is not a step of the percent meter (expected 0, 25, 50, 75 or 100)"
        )
    return percent


def to_percent(value: int, scale: Scale) -> int:
    """A value written on ``scale`` as stored percent."""
    if scale == "levels":
        return level_to_percent(value)
    return check_percent(value)


def from_percent(percent: int, scale: Scale) -> int:
    """Stored percent as the value written on ``scale``."""
    return percent_to_level(percent) if scale == "levels" else check_percent(percent)


def step_index(percent: int) -> int:
    return check_percent(percent) // 25


def label(percent: int, scale: Scale, lang: str = "fi") -> str:
    """The wording of a step in the language asked (falls back to English)."""
    labels = _LEVEL_LABELS if scale == "levels" else _PERCENT_LABELS
    return translate(lang, labels[step_index(percent)])


def format_value(percent: int, scale: Scale, lang: str = "fi") -> str:
    """How a table cell shows the value: '25 %' (fi, sv, with a no-break space), '25%' (en) or the
    level '2' (the percentage through ``disclosure.format_percent``, the one number formatter)."""
    if scale == "levels":
        return str(percent_to_level(percent))
    return format_percent(percent / 100, lang, 0)


def legend(scale: Scale, lang: str = "fi") -> list[tuple[str, str]]:
    """(shown value, wording) for every step, for report legends and form choices."""
    return [(format_value(p, scale, lang), label(p, scale, lang)) for p in PERCENT_STEPS]
