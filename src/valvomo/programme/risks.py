"""Risk scoring: probability × impact on 1–5 scales (seed 002's risk register).

Scores fall into four bands of the usual 5 × 5 matrix; the report sorts risks
by score so that the largest stand first.
"""

from __future__ import annotations

from typing import Literal

from valvomo.programme import models as m

Band = Literal["low", "moderate", "high", "critical"]

BAND_LABELS: dict[str, dict[Band, str]] = {
    "fi": {"low": "matala", "moderate": "kohtalainen", "high": "korkea", "critical": "kriittinen"},
    "sv": {"low": "låg", "moderate": "måttlig", "high": "hög", "critical": "kritisk"},
    "en": {"low": "low", "moderate": "moderate", "high": "high", "critical": "critical"},
}
STATUS_LABELS: dict[str, dict[str, str]] = {
    "fi": {"open": "avoin", "mitigated": "lievennetty", "realised": "toteutunut", "closed": "suljettu"},
    "sv": {"open": "öppen", "mitigated": "mildrad", "realised": "inträffad", "closed": "stängd"},
    "en": {"open": "open", "mitigated": "mitigated", "realised": "realised", "closed": "closed"},
}


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
