"""Risk scoring: probability × impact on 1–5 scales (seed 002's risk register).

Scores fall into four bands of the usual 5 × 5 matrix; the report sorts risks
by score so that the largest stand first.
"""

from __future__ import annotations

from typing import Literal

from valvomo.programme import models as m
from valvomo.services.i18n import N_, gettext

Band = Literal["low", "moderate", "high", "critical"]

# gettext msgids (``programmes`` domain); ``band_label`` and ``status_label`` translate them.
BAND_LABELS: dict[Band, str] = {
    "low": N_("low"), "moderate": N_("moderate"), "high": N_("high"), "critical": N_("critical"),
}
STATUS_LABELS: dict[str, str] = {
    "open": N_("open"), "mitigated": N_("mitigated"), "realised": N_("realised"), "closed": N_("closed"),
}


def band_label(risk_band: Band, lang: str) -> str:
    """The risk band in ``lang``."""
    return gettext(lang, BAND_LABELS[risk_band])


def status_label(status: str, lang: str) -> str:
    """A risk's status in ``lang`` (the stored word itself when it is not one we know)."""
    return gettext(lang, STATUS_LABELS[status]) if status in STATUS_LABELS else status


def score(probability: int, impact: int) -> int:
    for name, value in (("probability", probability), ("impact", impact)):
        if isinstance(value, bool) or value not in range(1, 6):
            raise ValueError(f"{name} must be 1–5, got {value!r}")
    return probability * impact


def band(risk_score: int) -> Band:
    """low 1–4, moderate 5–9, high 10–14, critical 15–25."""
    if risk_score >= 15:
        return "critical"
    if risk_score >= 10:
        return "high"
    if risk_score >= 5:
        return "moderate"
    return "low"


def by_score(risks: list[m.Risk]) -> list[m.Risk]:
    """Highest score first; ties keep the plan's order."""
    return sorted(risks, key=lambda risk: (-risk.score, risk.position))
