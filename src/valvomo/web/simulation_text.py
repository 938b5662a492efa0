"""Words for simulation results (gettext domain ``simulation``), shared by the CLI and the dashboard.

The target-search answer is one sentence a station manager can act on: what
change, where, reaches which target with what confidence, and what the
estimate is; or that the target is out of reach within the searched range.
"""

from __future__ import annotations

from valvomo.web.i18n import N_, format_number, format_percent, gettext

MEASURE_LABELS = {
    "access_7d": N_("Non-urgent visits within 7 days"),
    "mean_wait": N_("Mean wait (days)"),
    "t3_days": N_("T3, third next available appointment (days)"),
    "utilisation": N_("Utilisation of appointment slots"),
    "remote_resolution": N_("Resolved at the first contact"),
    "coci": N_("Continuity of care (COCI)"),
}
SHARE_MEASURES = ("access_7d", "utilisation", "remote_resolution")
PROFESSION_LABELS = {
    "physician": N_("physician"),
    "nurse": N_("nurse"),
    "public_health_nurse": N_("public health nurse"),
    "physiotherapist": N_("physiotherapist"),
    "mental_health_nurse": N_("mental health nurse"),
    "psychologist": N_("psychologist"),
    "social_worker": N_("social worker"),
}
LABELS = {
    "station": N_("Station"),
    "county": N_("County"),
    "baseline": N_("Baseline"),
    "scenario": N_("Scenario"),
    "difference": N_("Difference"),
    "step": N_("Step"),
    "estimate": N_("Estimate"),
    "interval": N_("95 % interval"),
    "reached": N_("Reached"),
    "yes": N_("yes"),
    "no": N_("no"),
    "profession": N_("Profession"),
    "fte": N_("FTE"),
    "slots_per_fte_day": N_("Slots per FTE-day"),
    "guarantee_share": N_("Share of slots for new needs"),
    "demand": N_("Non-urgent needs per day"),
    "urgent": N_("Urgent needs per day"),
    "later_share": N_("Booked later than the earliest free slot"),
    "later_delay": N_("Mean added delay, days"),
    "own_profile": N_("Own demand profile"),
    "historical_7d": N_("7-day share, history"),
    "simulated_7d": N_("7-day share, simulated"),
    "historical_wait": N_("Mean wait, history"),
    "simulated_wait": N_("Mean wait, simulated"),
    "fits": N_("Within tolerance"),
    "simulated_note": N_("Simulated results describe simulated patients, not real people."),
}


def measure_value(measure: str, value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return format_percent(value, lang) if measure in SHARE_MEASURES else format_number(value, lang, 1)


def interval_text(measure: str, estimate: dict, lang: str) -> str:
    return gettext(
        lang,
        "%(mean)s (%(low)s–%(high)s)",
        mean=measure_value(measure, estimate.get("mean"), lang),
        low=measure_value(measure, estimate.get("low"), lang),
        high=measure_value(measure, estimate.get("high"), lang),
    )


def difference_text(measure: str, estimate: dict, lang: str) -> str:
    """A scenario-minus-baseline interval with signs; shares in percentage points ("+7,8 %-yks. (+4,7–+10,9)")."""
    scale = 100 if measure in SHARE_MEASURES else 1

    def signed(value: float | None) -> tuple[str, str]:
        if value is None:
            return "", "–"
        return ("+" if value > 0 else ""), format_number(value * scale, lang, 1)

    sign, value = signed(estimate.get("mean"))
    mean = gettext(lang, "%(sign)s%(value)s pp", sign=sign, value=value) if scale == 100 else sign + value
    low, high = ("".join(signed(estimate.get(k))) for k in ("low", "high"))
    return gettext(lang, "%(mean)s (%(low)s–%(high)s)", mean=mean, low=low, high=high)


def lever_text(lever: str, value: float, lang: str) -> str:
    head, _, profession = lever.partition(".")
    if head == "fte_change":
        role = gettext(lang, PROFESSION_LABELS.get(profession, profession))
        return gettext(lang, "%(change)s FTE of %(profession)s", change=("+" if value > 0 else "") + format_number(value, lang, 1), profession=role)
    if head == "direct_access":
        return gettext(lang, "%(share)s of musculoskeletal needs directly to a physiotherapist", share=format_percent(value, lang, 0))
    return gettext(lang, "%(points)s more needs resolved at the first contact", points=format_percent(value, lang, 0))


def search_sentence(result: dict, lang: str) -> str:
    """The answer of a target search in one sentence."""
    names = result.get("station_names", {})
    stations = result.get("stations") or []
    where = ", ".join(names.get(s, s) for s in stations) if stations else gettext(lang, "the county")
    target = format_percent(result["target"], lang, 0)
    confidence = format_percent(result["confidence"], lang, 0)
    answer = result.get("answer")
    if answer is None:
        return gettext(
            lang,
            "%(where)s does not reach %(target)s of non-urgent visits within 7 days at %(confidence)s confidence "
            "even with %(change)s: the bottleneck is elsewhere (another profession, demand or the booking policy).",
            where=where, target=target, confidence=confidence,
            change=lever_text(result["lever"], result["maximum"], lang),
        )  # fmt: skip
    if answer["value"] == 0:
        return gettext(
            lang,
            "%(where)s already reaches %(target)s of non-urgent visits within 7 days at %(confidence)s confidence "
            "(simulated %(estimate)s, at least %(low)s).",
            where=where, target=target, confidence=confidence,
            estimate=format_percent(answer["mean"], lang), low=format_percent(answer["low"], lang),
        )  # fmt: skip
    return gettext(
        lang,
        "With %(change)s, %(where)s reaches %(target)s of non-urgent visits within 7 days at %(confidence)s "
        "confidence (simulated %(estimate)s, at least %(low)s); smaller changes do not.",
        change=lever_text(result["lever"], answer["value"], lang), where=where, target=target,
        confidence=confidence, estimate=format_percent(answer["mean"], lang), low=format_percent(answer["low"], lang),
    )  # fmt: skip
