"""What the simulation pages show: the scenario form, a result as tables and charts, the fit.

Kept apart from the route module so the same conversions serve the page and the
API. Simulated results describe simulated patients, so they are shown as
computed; the calibration fit's *historical* 7-day shares and mean waits are
aggregates of real people and pass through ``valvomo.disclosure`` (the count
behind each share is rounded, the share recomputed; a station with 1-7 visits
shows nothing).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from valvomo.disclosure import protect_count
from valvomo.simulation.params import POLICIES, WEEKDAYS
from valvomo.simulation.scenario import Scenario
from valvomo.web.i18n import N_, format_number, format_percent, gettext
from valvomo.web.simulation_charts import band_lines, interval_dots
from valvomo.web.simulation_text import (
    LABELS,
    MEASURE_LABELS,
    PROFESSION_LABELS,
    difference_text,
    interval_text,
    search_sentence,
)

FORM_PROFESSIONS = ("physician", "nurse", "public_health_nurse", "physiotherapist")
MEASURES = ("access_7d", "mean_wait", "t3_days", "utilisation", "remote_resolution", "coci")
WEEKDAY_LABELS = {
    "mon": N_("Monday"), "tue": N_("Tuesday"), "wed": N_("Wednesday"), "thu": N_("Thursday"),
    "fri": N_("Friday"), "sat": N_("Saturday"), "sun": N_("Sunday"),
}  # fmt: skip
POLICY_LABELS = {
    "earliest_slot": N_("Earliest free slot"),
    "named_professional": N_("Named professional for regular customers"),
    "pooled": N_("Pooled across stations"),
}
SEARCH_LEVERS = {
    "fte_change.nurse": N_("Nurse FTE"),
    "fte_change.physician": N_("Physician FTE"),
    "digital_resolution": N_("Resolution at the first contact"),
}
assert set(POLICY_LABELS) == set(POLICIES) and set(WEEKDAY_LABELS) == set(WEEKDAYS)


def protected_fits(fits, profile: str) -> list[dict[str, Any]]:
    """Goodness of fit per station with the historical figures disclosure-controlled."""
    out = []
    for fit in fits:
        visits = protect_count(fit.visits, profile)
        within = protect_count(round(fit.historical_7d * fit.visits), profile)
        shown = visits is not None and within is not None and visits > 0
        out.append({
            "station_id": fit.station_id,
            "visits": visits,
            "historical_7d": within / visits if shown else None,
            "historical_mean_wait": fit.historical_mean_wait if visits is not None else None,
            "simulated_7d": fit.simulated_7d,
            "simulated_mean_wait": fit.simulated_mean_wait,
            "within_tolerance": fit.within_tolerance,
        })  # fmt: skip
    return out


# --------------------------------------------------------------------------- the form


def _number(form: dict, name: str, errors: dict, lang: str) -> float | None:
    text = (form.get(name) or "").strip().replace(",", ".").replace("\u2212", "-")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors[name] = gettext(lang, "Enter a number, e.g. 0.5.")
        return None


def scenario_from_form(form: dict, lang: str) -> tuple[Scenario | None, dict[str, str]]:
    """The scenario the form describes, or the errors keyed by form field name."""
    errors: dict[str, str] = {}
    levers: dict[str, Any] = {}
    changes = {p: _number(form, f"fte_change_{p}", errors, lang) for p in FORM_PROFESSIONS}
    changes = {p: v for p, v in changes.items() if v}
    if changes:
        levers["fte_change"] = changes
    share = _number(form, "task_shift", errors, lang)
    if share:
        levers["task_shift"] = [{"from": "physician", "to": "nurse", "share": share / 100}]
    for name in ("direct_access", "digital_resolution", "demand_growth"):
        value = _number(form, name, errors, lang)
        if value:
            levers[name] = value / 100
    days = form.get("opening_days") or []
    if days and sorted(days) != sorted(WEEKDAYS[:5]):
        levers["opening_days"] = days
    if form.get("policy") and form["policy"] != "earliest_slot":
        levers["policy"] = form["policy"]
    data = {"name": (form.get("name") or "").strip() or gettext(lang, "Scenario"), "levers": levers}
    if form.get("stations"):
        data["stations"] = form["stations"]
    try:
        scenario = Scenario.model_validate(data)
        return (None, errors) if errors else (scenario, {})
    except ValidationError as error:
        for problem in error.errors():
            loc = [str(p) for p in problem["loc"]]
            field = {"fte_change": f"fte_change_{loc[-1]}", "task_shift": "task_shift"}.get(loc[1] if len(loc) > 1 else "")
            field = field or (loc[1] if len(loc) > 1 and loc[0] == "levers" else loc[0])
            errors.setdefault(field, gettext(lang, "Not allowed here: %(detail)s", detail=problem["msg"]))
        return None, errors


# --------------------------------------------------------------------------- a result


def _estimate_cells(result: dict, level: str, sid: str | None, lang: str) -> list[dict]:
    rows = []
    for measure in MEASURES:
        base = result["baseline"][level] if sid is None else result["baseline"][level][sid]
        if base[measure]["mean"] is None:
            continue
        row = {"label": gettext(lang, MEASURE_LABELS[measure]), "baseline": interval_text(measure, base[measure], lang)}
        if "scenario_results" in result:
            sc = result["scenario_results"][level] if sid is None else result["scenario_results"][level][sid]
            diff = result["difference"][level] if sid is None else result["difference"][level][sid]
            row["scenario"] = interval_text(measure, sc[measure], lang)
            row["difference"] = difference_text(measure, diff[measure], lang)
        rows.append(row)
    return rows


def run_headline(result: dict, lang: str) -> str:
    """One sentence: the 7-day share where the scenario applies, and its change from the baseline."""
    names = result["station_names"]
    scope = result["scenario"].get("stations") or []
    where = ", ".join(names.get(s, s) for s in scope) if scope else gettext(lang, "the county")

    def pick(block: dict) -> dict:
        return block["stations"][scope[0]] if len(scope) == 1 else block["county"]

    base = pick(result["baseline"])["access_7d"]
    if "scenario_results" not in result or len(scope) > 1:
        return gettext(lang, "Simulated share of non-urgent visits within 7 days in %(where)s: %(value)s.",
                       where=where if len(scope) <= 1 else gettext(lang, "the county"),
                       value=interval_text("access_7d", base, lang))  # fmt: skip
    return gettext(
        lang, "With this scenario, %(value)s of non-urgent visits in %(where)s would be within 7 days: %(change)s "
        "compared with today's staffing and channels.",
        value=interval_text("access_7d", pick(result["scenario_results"])["access_7d"], lang), where=where,
        change=difference_text("access_7d", pick(result["difference"])["access_7d"], lang),
    )  # fmt: skip


def recent_results(store, lang: str, limit: int = 10) -> list[dict[str, str]]:
    """Links to the newest stored results (name and kind) for the editor page."""
    out = []
    from valvomo.simulation.store import code_version

    for key in store.result_keys():
        data = store.get(key)
        # Results of older simulation code stay readable by their address but are not offered here.
        if not data or data.get("code_version") != code_version():
            continue
        if len(out) == limit:
            break
        name = data.get("scenario", {}).get("name") or key
        kind = gettext(lang, "Target search") if data.get("kind") == "search" else gettext(lang, "Scenario")
        out.append({"key": key, "name": name, "kind": kind})
    return out


def run_view(result: dict, lang: str) -> dict[str, Any]:
    names = result["station_names"]
    stations = result["stations"]
    has_scenario = "scenario_results" in result
    labels = [names.get(s, s) for s in stations]
    series = [(gettext(lang, LABELS["baseline"]), [result["baseline"]["stations"][s]["access_7d"] for s in stations])]
    if has_scenario:
        series.append((gettext(lang, LABELS["scenario"]), [result["scenario_results"]["stations"][s]["access_7d"] for s in stations]))
    pct = lambda v: format_percent(v, lang, 0)  # noqa: E731
    dots = interval_dots(
        labels, series, title=gettext(lang, "Non-urgent visits within 7 days, simulated"),
        desc=gettext(lang, "Each station's simulated 7-day share with its 95 % interval; the dashed line is the 80 % target."),
        target=0.8, target_label=gettext(lang, "Target 80 %"), value_format=pct,
    )  # fmt: skip
    weeks = [p["week"] for p in result["baseline"]["backlog"]]
    backlog_series = [(gettext(lang, LABELS["baseline"]), result["baseline"]["backlog"])]
    if has_scenario:
        backlog_series.append((gettext(lang, LABELS["scenario"]), result["scenario_results"]["backlog"]))
    band = band_lines(
        weeks, backlog_series, title=gettext(lang, "Needs waiting for an appointment, by week"),
        desc=gettext(lang, "Simulated number of non-urgent needs waiting in the county, weekly mean with its 95 % interval."),
        x_label=gettext(lang, "Week"), y_label=gettext(lang, "Needs waiting"),
        value_format=lambda v: format_number(v, lang, 0),
    )  # fmt: skip
    t3_series = [(gettext(lang, LABELS["baseline"]), result["baseline"].get("t3_weekly", []))]
    if has_scenario:
        t3_series.append((gettext(lang, LABELS["scenario"]), result["scenario_results"].get("t3_weekly", [])))
    t3_chart = band_lines(
        [p["week"] for p in result["baseline"].get("t3_weekly", [])], t3_series,
        title=gettext(lang, "T3 every Monday from the simulated calendar"),
        desc=gettext(lang, "Days to the third next free appointment, mean over stations and professions, with its 95 % interval."),
        x_label=gettext(lang, "Week"), y_label=gettext(lang, "Days"), value_format=lambda v: format_number(v, lang, 0),
    )  # fmt: skip
    blocks = [("baseline", result["baseline"])] + ([("scenario", result["scenario_results"])] if has_scenario else [])
    bins = list(result["baseline"]["distribution"]["county"])
    distribution = [
        {"bin": label, "values": [format_percent(block["distribution"]["county"][label], lang) for _, block in blocks]}
        for label in bins
    ]
    professions = sorted({p for _, block in blocks for p in block["utilisation"]})
    utilisation = [
        {"profession": profession_label(p, lang),
         "values": [interval_text("utilisation", block["utilisation"][p], lang) if p in block["utilisation"] else "–"
                    for _, block in blocks]}  # fmt: skip
        for p in professions
    ]
    return {
        "kind": "run",
        "columns": [gettext(lang, LABELS[name]) for name, _ in blocks],
        "distribution": distribution,
        "utilisation": utilisation,
        "t3_chart": t3_chart,
        "headline": run_headline(result, lang),
        "scenario": result["scenario"],
        "has_scenario": has_scenario,
        "county": _estimate_cells(result, "county", None, lang),
        "stations": [{"name": names.get(s, s), "rows": _estimate_cells(result, "stations", s, lang)} for s in stations],
        "dots_chart": dots,
        "backlog_chart": band,
        "replications": result["replications"],
        "seed": result["seed"],
        "elapsed": result.get("elapsed_seconds"),
    }


def search_view(result: dict, lang: str) -> dict[str, Any]:
    steps = [
        {"value": format_number(s["value"], lang, 2), "estimate": format_percent(s["mean"], lang),
         "interval": f"{format_percent(s['low'], lang)}–{format_percent(s['high'], lang)}",
         "reached": gettext(lang, LABELS["yes" if s["reached"] else "no"])}  # fmt: skip
        for s in result["steps"]
    ]
    ordered = sorted(result["steps"], key=lambda s: s["value"])
    chart = interval_dots(
        [format_number(s["value"], lang, 2) for s in ordered],
        [(gettext(lang, LABELS["estimate"]), ordered)],
        title=gettext(lang, "Search steps"),
        desc=gettext(lang, "The simulated 7-day share with its interval at each value of the lever tried."),
        target=result["target"], target_label=gettext(lang, "Target"),
        value_format=lambda v: format_percent(v, lang, 0),
    )  # fmt: skip
    return {"kind": "search", "sentence": search_sentence(result, lang), "steps": steps, "chart": chart,
            "lever": result["lever"], "replications": result["replications"], "seed": result["seed"]}  # fmt: skip


def profession_label(profession: str, lang: str) -> str:
    return gettext(lang, PROFESSION_LABELS.get(profession, profession))
