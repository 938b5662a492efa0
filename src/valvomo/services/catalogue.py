"""The indicator catalogue: what the registry holds, in the reader's language.

The dashboard, the API and the CLI list indicators from ``indicator_catalogue``;
``docs/indicators.md`` is generated from the same registry by
``render_indicator_docs`` (``valvomo docs-indicators``), so the documentation
cannot drift from the code. Labels for dimensions, units, directions and
families live here too, so every interface names them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from valvomo.config import Settings
from valvomo.disclosure import Policy, profile_msgid
from valvomo.indicators.registry import DIMENSIONS, REGISTRY, Indicator, Registry, Target
from valvomo.services.i18n import LANGUAGES, N_, NC_, gettext, translate
from valvomo.services.targets import targets_for

# The county's headline indicators, in this order: the overview cards, the CLI's headline table
# (``valvomo demo``) and the API read this one list.
HEADLINE_INDICATORS: tuple[str, ...] = (
    "access_7d",
    "access_14d",
    "urgent_next_working_day",
    "t3_days",
    "remote_share_20plus",
    "coci",
    "guidance_same_day",
    "nps",
    "physician_share",
    "assessment_recording",
    "top_decile_cost_share",
)


# Plain-language definitions (gettext msgids, ``pages`` domain): what a figure means to a reader who
# does not read the data model. The registry's ``definition`` stays the technical one, shown second.
PLAIN_DEFINITIONS: dict[str, str] = {
    "access_7d": "The share of first non-urgent visits to a doctor or nurse at a health station that took place within 7 days of the care-need assessment.",
    "access_14d": "The share of first non-urgent visits at a health station that took place within 14 days of the care-need assessment.",
    "urgent_next_working_day": "The share of urgent care needs that were seen by the next working day.",
    "t3_days": "How many days ahead the third free non-urgent doctor's appointment is: a standard measure of how soon a new patient can get an appointment.",
    "remote_share_20plus": "The share of contacts of adults (20 years and over) that were handled remotely, by phone, video or electronic messages.",
    "coci": "How concentrated a patient's visits are on the same professionals (0 = always someone new, 1 = always the same); a measure of continuity of care.",
    "guidance_same_day": "The share of requests to the guidance service (phone, chat) that were answered on the same day.",
    "nps": "Net Promoter Score of patient feedback: the share who would recommend the service minus the share who would not (−100 to 100).",
    "physician_share": "The share of doctors' visits among all doctor and nurse visits at health stations.",
    "assessment_recording": "The share of first non-urgent visits for which the care-need assessment was recorded; below 90 % the care-guarantee figures are not reliable.",
    "top_decile_cost_share": "The share of all costs that goes to the tenth of patients with the highest costs.",
}
FAMILY_PLAIN_DEFINITIONS: dict[str, str] = {
    "access": "How quickly people get care: waiting times and the share of visits within the care guarantee's limits.",
    "guidance": "How quickly and well the guidance service (phone, chat) answers people's requests.",
    "channels": "How people's contacts are divided between visits and remote contacts.",
    "continuity": "Whether patients see the same professionals over time (continuity of care).",
    "utilisation": "How much services are used and what they cost, per resident and per patient.",
    "quality": "How completely the records behind the figures are filled in.",
    "feedback": "What patients say about the service in their feedback.",
}
# Field names of the data model as people read them (the /quality page's columns).
FIELD_LABELS: dict[str, str] = {
    "professional_id": "Professional",
    "first_visit": "First visit",
    "contacted_at": "Time of contact",
    "assessed_at": "Time of assessment",
    "assessed_max_days": "Assessed maximum wait",
    "booked_at": "Time of booking",
    "cancelled_at": "Time of cancellation",
    "care_plan": "Care plan visit",
    "certificate_only": "Certificate only",
    "specialty": "Specialty",
    "resolved_first_contact": "Resolved at first contact",
    "referral_specialised": "Referral to specialised care",
    "cost_eur": "Cost",
}


def plain_definition(indicator: Indicator) -> str:
    """The plain-language msgid of an indicator: its own, else its family's."""
    return PLAIN_DEFINITIONS.get(indicator.id) or FAMILY_PLAIN_DEFINITIONS[indicator.family]

# Labels of the registry's dimensions, result columns, units, directions, families and target scopes:
# gettext msgids of the ``pages`` domain, translated by ``label``; a context where a word reads
# differently elsewhere (a unit's "days" is "vuorokautta", the pages' "vrk").

DIMENSION_LABELS: dict[str, str | tuple[str, str]] = {
    "station": N_("Station"),
    "profession": N_("Profession"),
    "municipality": N_("Municipality"),
    "age_band": N_("Age band"),
    "language": N_("Language"),
    "contact_class": N_("Contact class"),
}

COLUMN_LABELS: dict[str, str | tuple[str, str]] = {
    "indicator": N_("Indicator"),
    "period": N_("Period"),
    "station_id": DIMENSION_LABELS["station"],
    "profession": DIMENSION_LABELS["profession"],
    "municipality": DIMENSION_LABELS["municipality"],
    "age_band": DIMENSION_LABELS["age_band"],
    "language": DIMENSION_LABELS["language"],
    "contact_class": DIMENSION_LABELS["contact_class"],
    "bin": N_("Bin"),
    "value": N_("Value"),
    "numerator": N_("Numerator"),
    "denominator": N_("Denominator"),
    "n": N_("n"),
    "unit": N_("Unit"),
    "suppressed": N_("Suppressed"),
}

UNIT_LABELS: dict[str, str | tuple[str, str]] = {
    "share": N_("share, %"),  # shown in parentheses: no "(%)"
    "days": NC_("unit", "days"),
    "count": N_("count"),
    "eur": N_("euros"),
    "score": N_("score"),
    "rate_per_1000": N_("per 1 000 residents"),
    "index": N_("index"),
    "hours": N_("hours"),
    "ratio": N_("ratio"),
}

DIRECTION_LABELS: dict[str, str | tuple[str, str]] = {
    "higher": N_("higher is better"),
    "lower": N_("lower is better"),
    "none": N_("no direction"),
}

FAMILY_LABELS: dict[str, str | tuple[str, str]] = {
    "access": N_("Access to care"),
    "guidance": N_("Guidance"),
    "channels": N_("Channels"),
    "continuity": N_("Continuity of care"),
    "utilisation": N_("Utilisation and cost"),
    "quality": N_("Quality of data"),
    "feedback": N_("Experience"),
}

SCOPE_LABELS: dict[str, str | tuple[str, str]] = {
    "national": N_("national"),
    "regional": N_("regional"),
}


def label(table: Mapping[str, str | tuple[str, str]], key: str, lang: str = "fi") -> str:
    """``table[key]`` in ``lang`` (English, then the key itself, when missing)."""
    message = table.get(key)
    return translate(lang, message) if message else key


def profile_label(profile: str | Policy, lang: str = "fi") -> str:
    """The disclosure profile in force, named for exports, pages and reports, in ``lang`` (disclosure.md)."""
    return gettext(lang, profile_msgid(profile))


def _json_safe(value: Any) -> Any:
    """Parameters as plain JSON values (tuples and sets become lists)."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (frozenset, set)):
        return sorted(_json_safe(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def target_dict(target: Target) -> dict[str, Any]:
    return {
        "value": target.value,
        "deadline": target.deadline,
        "scope": target.scope,
        "source": target.source,
        "strict": target.strict,
    }


def grain_list(indicator: Indicator) -> list[str]:
    """The indicator's dimensions in the canonical order of ``DIMENSIONS``."""
    return [d for d in DIMENSIONS if d in indicator.grain]


def indicator_entry(
    indicator: Indicator, lang: str = "fi", settings: Settings | None = None, *, registry: Registry = REGISTRY
) -> dict[str, Any]:
    """One catalogue entry; targets are those in force (the targets file's when it lists the indicator)."""
    return {
        "id": indicator.id,
        "name": indicator.name(lang),
        "names": {code: indicator.names.get(code) for code in LANGUAGES},
        "definition": indicator.definition,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "family": indicator.family,
        "family_name": label(FAMILY_LABELS, indicator.family, lang),
        "grain": grain_list(indicator),
        "periods": list(indicator.periods),
        "disclosure": indicator.disclosure,
        "distribution": indicator.distribution,
        "requires": list(indicator.requires),
        "optional": list(indicator.optional),
        "parameters": _json_safe(dict(indicator.parameters)),
        "targets": [target_dict(t) for t in targets_for(indicator.id, settings, registry=registry)],
    }


def indicator_catalogue(
    lang: str = "fi", settings: Settings | None = None, *, registry: Registry = REGISTRY
) -> list[dict[str, Any]]:
    """Every registry indicator, in registry order, for the UI and ``GET /api/indicators/catalogue``."""
    return [indicator_entry(indicator, lang, settings, registry=registry) for indicator in registry]


# --- docs/indicators.md ----------------------------------------------------------------------------

DISCLOSURE_TEXT = {
    "share": "share: numerator and denominator rounded/redacted, value recomputed",
    "rate": "rate: numerator rounded/redacted, value recomputed against residents",
    "statistic": "statistic: redacted when n (people) is small; n rounded",
    "count": "count: the value is a count, rounded/redacted",
    "capacity": "capacity: does not describe people, never redacted",
}


def _format_target(target: Target, unit: str, direction: str) -> str:
    value = f"{target.value * 100:g} %" if unit == "share" else f"{target.value:g}"
    comparison = ("<" if direction == "lower" else ">") + ("" if target.strict else "=")
    return f"{comparison} {value} by {target.deadline} ({target.scope}; {target.source})"


def _targets_line(indicator: Indicator) -> str:
    if not indicator.targets:
        return "none in the registry"
    return "; ".join(_format_target(t, indicator.unit, indicator.direction) for t in indicator.targets)


def render_indicator_docs(registry: Registry = REGISTRY) -> str:
    """``docs/indicators.md``: one section per indicator, grouped by family, in registry order."""
    lines = [
        "# Indicators",
        "",
        "<!-- Generated from the indicator registry by `valvomo docs-indicators`; do not edit by hand. -->",
        "",
        "Every indicator Valvomo computes, as registered in `valvomo.indicators`. The definitions quote",
        "the specification; the CLI (`valvomo indicators`), the API, the dashboard and the reports all",
        "read these entries. Shares are fractions 0-1 in data and percentages on screen. Disclosure",
        "control is described in [disclosure.md](disclosure.md).",
        "",
        "## Targets file",
        "",
        "Targets below are the registry's. A county overrides them with a YAML file named by",
        "`VALVOMO_TARGETS_FILE`: a mapping from indicator id to a list of targets. An indicator listed",
        "in the file gets exactly the file's targets (an empty list removes them); others keep the",
        "registry's. The file is validated at start-up and every error names the indicator and entry.",
        "",
        "```yaml",
        "access_7d:",
        "  - value: 0.80          # shares are fractions 0-1",
        "    deadline: 2025Q4     # period label: 2025, 2025Q4 or 2025-12",
        "    scope: regional      # national | regional (default regional)",
        "    source: County strategy 2025",
        "    strict: false        # true: '> value' ('< value' when lower is better)",
        "nps:",
        "  - {value: 60, deadline: '2025', scope: regional, source: Board decision, strict: true}",
        "```",
        "",
        "Target status (dashboard, programme pages, reports, CLI) is `met` when the latest value meets the",
        "final target, `not_met` when it does not and the final deadline period has passed (a past deadline",
        "is a verdict, never \"off track\"; a county rolls a target forward in this file), otherwise",
        "`on_track` when the latest value is at least as good as the straight line from the baseline",
        "(default: the first value) through the interim target to the final one, else `off_track`;",
        "`no_data` without values. One calculation serves every interface",
        "(`valvomo.services.targets.evaluate`).",
        "",
    ]
    families: dict[str, list[Indicator]] = {}
    for indicator in registry:
        families.setdefault(indicator.family, []).append(indicator)
    lines.append("## Contents")
    lines.append("")
    for family, members in families.items():
        ids = ", ".join(f"[`{m.id}`](#{m.id})" for m in members)
        lines.append(f"- {label(FAMILY_LABELS, family, 'en')}: {ids}")
    lines.append("")
    for family, members in families.items():
        heading = label(FAMILY_LABELS, family, "en")
        if family in FAMILY_LABELS:
            heading += f" ({label(FAMILY_LABELS, family, 'fi')} / {label(FAMILY_LABELS, family, 'sv')})"
        lines += [f"## {heading}", ""]
        for indicator in members:
            lines += _indicator_section(indicator)
    return "\n".join(lines).rstrip() + "\n"


def _periods_text(indicator: Indicator) -> str:
    text = ", ".join(f"`{kind}`" for kind in indicator.periods)
    return f"{text} only: {indicator.period_reason}" if indicator.period_reason else text


def _indicator_section(indicator: Indicator) -> list[str]:
    grain = ", ".join(f"`{d}`" for d in grain_list(indicator)) or "none (county level only)"
    parameters = _json_safe(dict(indicator.parameters))
    parameter_text = ", ".join(f"`{k}` = `{v}`" for k, v in parameters.items()) or "none"
    tables = ", ".join(f"`{t}`" for t in indicator.requires)
    if indicator.optional:
        tables += " (optional: " + ", ".join(f"`{t}`" for t in indicator.optional) + ")"
    unit_text = (
        "fraction 0-1, shown as %" if indicator.unit == "share" else label(UNIT_LABELS, indicator.unit, "en")
    )
    unit = f"`{indicator.unit}` ({unit_text})"
    if indicator.distribution:
        unit += "; one row per `bin`"
    return [
        f"### {indicator.id}",
        "",
        f"- **fi:** {indicator.names['fi']}",
        f"- **sv:** {indicator.names['sv']}",
        f"- **en:** {indicator.names['en']}",
        f"- **Definition:** {indicator.definition}",
        f"- **Unit:** {unit}",
        f"- **Direction:** {label(DIRECTION_LABELS, indicator.direction, 'en')}",
        f"- **Grain (`--by`):** {grain}; the period is always present",
        f"- **Periods (`--period`):** {_periods_text(indicator)}",
        f"- **Tables:** {tables}",
        f"- **Disclosure:** {DISCLOSURE_TEXT.get(indicator.disclosure, indicator.disclosure)}",
        f"- **Targets:** {_targets_line(indicator)}",
        f"- **Parameters:** {parameter_text}",
        "",
    ]


def write_indicator_docs(path: Path, registry: Registry = REGISTRY) -> bool:
    """Write the generated page; returns True when the file changed."""
    text = render_indicator_docs(registry)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def station_directory(warehouse: Any) -> dict[str, dict[str, str]]:
    """Station id -> {name_fi, name_sv, kind, municipality} from the warehouse's stations table
    (empty without one): the names the dashboard, downloads and CLI tables print beside codes."""
    if not warehouse.has("stations"):
        return {}
    table = warehouse.backend.to_pyarrow(warehouse.table("stations")).to_pylist()
    return {
        str(r["station_id"]): {
            "name_fi": r.get("name_fi") or str(r["station_id"]),
            "name_sv": r.get("name_sv") or r.get("name_fi") or str(r["station_id"]),
            "kind": r.get("kind") or "",
            "municipality": r.get("municipality") or "",
        }
        for r in table
    }


def station_label(directory: Mapping[str, Mapping[str, str]], station_id: str, lang: str) -> str:
    """A station's name in ``lang`` (Swedish name in sv, Finnish otherwise), else its code."""
    info = directory.get(station_id)
    if not info:
        return station_id
    return info["name_sv"] if lang == "sv" else info["name_fi"]
