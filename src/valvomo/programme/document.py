"""The programme file: a YAML document a person can write by hand.

These pydantic models are the *shape* of the file (docs/programme.md shows a
full example). Checks that need more than one field — references between
goals, spearheads and indicators, periods that belong to the programme, meter
values on the programme's scale — live in ``yamlio`` so that every error of a
file is reported at once, with its place.

Texts that may be translated accept either a plain string (written in the
programme's language) or a mapping ``{fi: ..., sv: ..., en: ...}``; they are
held as a mapping where the key ``*`` stands for "the programme's language"
until the document is bound to a programme.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from valvomo.services.i18n import LANGUAGES

PROGRAMME_LANGUAGE = "*"


def _text(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("text must not be empty")
        return {PROGRAMME_LANGUAGE: value}
    if isinstance(value, dict):
        if not value:
            raise ValueError("expected a text or a mapping of fi/sv/en to text, got an empty mapping")
        result: dict[str, str] = {}
        for key, text in value.items():
            if key not in LANGUAGES:
                raise ValueError(f"unknown language {key!r}; expected fi, sv or en")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the {key} text must be a non-empty string")
            result[key] = text
        return result
    raise ValueError("expected a text or a mapping of fi/sv/en to text")


def _label(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("expected a period label such as '5/2021', '2024Q2' or '2024'")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    raise ValueError("expected a period label such as '5/2021', '2024Q2' or '2024'")


def _euros(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected an amount in euros")
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u00a0", "").removesuffix("€"))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount in euros") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{value!r} has more than two decimals (cents)")
    return amount


def _number(value: Any) -> float | bool:
    """Numbers as written; '66 %' means 0.66 (shares are fractions); yes/no as bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".").replace("\u00a0", " ")
        lowered = text.lower()
        if lowered in ("yes", "kyllä", "ja"):
            return True
        if lowered in ("no", "ei", "nej"):
            return False
        if text.endswith("%"):
            try:
                return float(text[:-1].strip()) / 100
            except ValueError:
                pass
        try:
            return float(text)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a number, a percentage such as '66 %' or yes/no")


LocalText = Annotated[dict[str, str], BeforeValidator(_text)]
PeriodLabel = Annotated[str, BeforeValidator(_label)]
Euros = Annotated[Decimal, BeforeValidator(_euros)]
Number = Annotated[float | bool, BeforeValidator(_number)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class SecondaryGoal(Strict):
    goal: int
    weight: Literal["small", "large", "main"] = "small"


class Assessment(Strict):
    period: PeriodLabel
    value: int
    narrative: str | None = None
    author: str | None = None
    recorded_at: dt.datetime | None = None


class Measure(Strict):
    name: LocalText
    unit: str | None = None
    group: LocalText | None = None
    goal: int | None = None
    description: LocalText | None = None
    outputs: LocalText | None = None
    target_group: LocalText | None = None
    schedule: dict[PeriodLabel, LocalText] | None = None
    progress: dict[PeriodLabel, int] | None = None
    assessments: list[Assessment] | None = None


class Narrative(Strict):
    period: PeriodLabel
    heading: str | None = None
    goal: int | None = None
    text: LocalText


class GoalNarrative(Strict):
    period: PeriodLabel
    heading: str | None = None
    text: LocalText


class Spearhead(Strict):
    number: int
    name: LocalText
    goal: int
    secondary_goals: list[SecondaryGoal] | None = None
    description: LocalText | None = None
    baseline_meter: int | None = None
    baseline: LocalText | None = None
    budget_eur: Euros | None = None
    measures: list[Measure] = Field(default_factory=list)
    narratives: list[Narrative] | None = None


class BenefitGoal(Strict):
    number: int
    name: LocalText | None = None
    goals: LocalText | None = None
    baseline: LocalText | None = None
    narratives: list[GoalNarrative] | None = None


class Baseline(Strict):
    value: Number | None = None
    at: PeriodLabel


class TargetSpec(Strict):
    value: Number
    deadline: PeriodLabel
    strict: bool = False


class IndicatorLink(Strict):
    key: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")
    indicator: str | None = None
    manual: Literal["number", "yes_no"] | None = None
    name: LocalText | None = None
    unit: Literal["share", "days", "count", "eur", "score", "rate_per_1000", "index", "hours", "ratio"] | None = None
    direction: Literal["higher", "lower"] | None = None
    scope: Literal["national", "regional"] = "regional"
    goal: int | None = None
    spearhead: int | None = None
    baseline: Baseline | None = None
    interim: TargetSpec | None = None
    target: TargetSpec | None = None
    values: dict[PeriodLabel, Number] | None = None
    note: LocalText | None = None


class Risk(Strict):
    description: LocalText
    probability: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    score: int | None = None
    mitigation: LocalText | None = None
    owner: str | None = None
    status: Literal["open", "mitigated", "realised", "closed"] = "open"
    goal: int | None = None
    spearhead: int | None = None


class BudgetLine(Strict):
    name: LocalText
    goal: int | None = None
    spearhead: int | None = None
    planned_eur: Euros
    actuals: dict[PeriodLabel, Euros] | None = None


class ProgrammeHeader(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")
    name: LocalText
    organisation: str
    population: int | None = Field(None, ge=0)
    population_covered_pct: float | None = Field(None, ge=0, le=100)
    start: dt.date
    end: dt.date
    meter: Literal["percent", "levels"] = "percent"
    cadence: Literal["half_year", "month", "quarter", "year"]
    periods: list[PeriodLabel] = Field(min_length=1)
    goal_kind: Literal["benefit_goals", "investments"] = "benefit_goals"
    language: Literal["fi", "sv", "en"] = "fi"
    description: LocalText | None = None


class ProgrammeDocument(Strict):
    """A whole programme file."""

    format: Literal["valvomo-programme/1"] = "valvomo-programme/1"
    programme: ProgrammeHeader
    benefit_goals: list[BenefitGoal] = Field(min_length=1)
    spearheads: list[Spearhead] = Field(default_factory=list)
    indicators: list[IndicatorLink] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    budget: list[BudgetLine] = Field(default_factory=list)


DEFAULT_BENEFIT_GOALS: dict[int, dict[str, str]] = {
    1: {
        "fi": "Saatavuus, oikea-aikaisuus ja jatkuvuus",
        "sv": "Tillgång, rätt tidpunkt och kontinuitet",
        "en": "Availability, timeliness and continuity",
    },
    2: {
        "fi": "Ennaltaehkäisy ja ennakointi",
        "sv": "Förebyggande och föregripande",
        "en": "Prevention and anticipation",
    },
    3: {
        "fi": "Laatu ja vaikuttavuus",
        "sv": "Kvalitet och verkningsfullhet",
        "en": "Quality and effectiveness",
    },
    4: {
        "fi": "Monialaisuus ja yhteentoimivuus",
        "sv": "Multiprofessionalitet och interoperabilitet",
        "en": "Multi-professional integration and interoperability",
    },
    5: {
        "fi": "Kustannusten nousun hillintä",
        "sv": "Dämpad kostnadsökning",
        "en": "Curbing cost growth",
    },
}
