"""Page models of the segment and care-gap pages: tables (disclosure-controlled rows) and charts.

Rows come from ``valvomo.services.segments`` / ``services.caregaps`` with the
viewer's disclosure profile; this module only arranges them into the shared
``views.common.TableModel`` and draws the charts with ``web.charts`` (server-side
SVG). Page models are cached per snapshot, language and profile like the other
dashboard pages (``views.common.cached``); the questionnaire mix also per version of
the form answers (``services.segments.form_answers_version``), so a saved answer shows.
"""

from __future__ import annotations

from typing import Any

from valvomo.disclosure import format_cell
from valvomo.segments.utilisation import SEGMENT_NAMES, SEGMENTS
from valvomo.services.catalogue import profile_label
from valvomo.web import charts
from valvomo.web.views.common import Cell, Column, TableModel, ViewContext, cached, station_name

PERIOD_KINDS = ("year", "quarter")
PAGE_KEYS = {"segment-mix": "mix", "segment-lorenz": "lorenz", "segment-concentration": "concentration",
             "segment-evidence": "evidence", "questionnaire-mix": "questionnaire"}  # fmt: skip


def output_href(ref: str) -> str:
    """The dashboard page of an output reference (``services.outputs``): an indicator's own page, the
    care-gap page for a care-gap rule, the segment page for the other segment outputs."""
    from valvomo.segments.registry import SEGMENT_REGISTRY
    from valvomo.services.outputs import split_ref
    from valvomo.services.segments import CARE_GAP_OUTPUT

    output_id = split_ref(ref)[0]
    if output_id == CARE_GAP_OUTPUT:
        return "/caregaps"
    return "/segments" if output_id in SEGMENT_REGISTRY else f"/indicators/{output_id}"


def segment_store(ctx: ViewContext):
    from valvomo.services.segments import segment_store as store

    return store(ctx.settings, warehouse=ctx.store.warehouse)


def _rows(ctx: ViewContext, outputs: list[str], period: str, by: tuple[str, ...]) -> list[dict]:
    from valvomo.services.segments import QUESTIONNAIRE_OUTPUT, form_answers_version, segment_rows

    def load() -> list[dict]:
        with ctx.store.reading():
            return segment_rows(ctx.settings, outputs, period=period, by=by, profile=ctx.profile,
                                store=segment_store(ctx))  # fmt: skip

    params = {"outputs": ",".join(outputs), "period": period, "by": ",".join(by)}
    if QUESTIONNAIRE_OUTPUT in outputs:  # form answers change the mix between snapshots
        params["answers"] = form_answers_version(ctx.settings)
    return cached(ctx, "segment_rows", params, load)


def segment_name(ctx: ViewContext, segment: str) -> str:
    return SEGMENT_NAMES.get(segment, {}).get(ctx.lang, segment)


def _cell(ctx: ViewContext, row: dict | None, unit: str, column: str = "value") -> Cell:
    if row is None:
        return Cell(text="–", numeric=True, unit=unit)
    suppressed = bool(row.get("suppressed")) and row.get(column) is None
    value = row.get(column)
    return Cell(text=format_cell(value, suppressed, ctx.lang, profile=ctx.profile, unit=unit), value=value,
                suppressed=suppressed, numeric=True, unit=unit)  # fmt: skip


class SegmentTable(TableModel):
    """A table of the segment pages; its CSV/XLSX download is served by ``pages/segments.py``
    ("/segments/download/<key>.<fmt>") from the same page model, so the file holds the figures shown."""

    def download_url(self, fmt: str) -> str:
        from urllib.parse import urlencode

        query = f"?{urlencode(self.params)}" if self.params else ""
        return f"/segments/download/{self.key}.{fmt}{query}"


def _table(ctx: ViewContext, key: str, caption: str, columns: list[Column], rows: list[list[Cell]], *,
           params: dict[str, str] | None = None, **kw) -> TableModel:  # fmt: skip
    return SegmentTable(key=key, caption=caption, columns=columns, rows=rows, profile=ctx.profile,
                        profile_text=profile_label(ctx.profile, ctx.lang), params=params or {}, **kw)  # fmt: skip


def periods_of(rows: list[dict]) -> list[str]:
    return sorted({r["period"] for r in rows})


def station_label(ctx: ViewContext, station_id: str | None) -> str:
    return station_name(ctx, str(station_id))


def overview_page(ctx: ViewContext, kind: str, period: str | None) -> dict[str, Any]:
    """``overview`` with the per-patient segment rows computed once for all its outputs and breakdowns."""
    from valvomo.indicators.runner import stage_cache

    # the staged tables are created and dropped on the shared connection: hold its lock throughout
    with ctx.store.reading() as warehouse, stage_cache(warehouse, period_kinds=(kind,)):
        return overview(ctx, kind, period)


def overview(ctx: ViewContext, kind: str, period: str | None) -> dict[str, Any]:
    """The segments page: mix by station, Lorenz curves, concentration and the evidence table."""
    mix_county = _rows(ctx, ["utilisation_segment_mix"], kind, ())
    periods = periods_of(mix_county)
    if not periods:
        return {"periods": [], "period": None, "kind": kind}
    period = period if period in periods else periods[-1]
    _ = ctx._

    def pick(rows, **keys):
        return {(r.get("station_id"), r.get("bin")): r for r in rows if r["period"] == period
                and all(r.get(k) == v for k, v in keys.items())}  # fmt: skip

    mix_station = pick(_rows(ctx, ["utilisation_segment_mix"], kind, ("station",)))
    station_ids = sorted({s for s, _b in mix_station}, key=lambda s: station_label(ctx, s))
    county_mix = pick(mix_county)
    columns = [Column("station", _("Station"))] + [Column(s, segment_name(ctx, s), True) for s in SEGMENTS]
    columns.append(Column("patients", _("Patients"), True))
    mix_rows = []
    for station in [*station_ids, None]:
        source = county_mix if station is None else mix_station
        cells = [Cell(text=_("County") if station is None else station_label(ctx, station), value=station or "")]
        cells += [_cell(ctx, source.get((station, s)), "share") for s in SEGMENTS]
        any_row = next((source[(station, s)] for s in SEGMENTS if (station, s) in source), None)
        cells.append(_cell(ctx, any_row, "count", "denominator"))
        mix_rows.append(cells)
    mix_chart = charts.stacked_shares(
        [station_label(ctx, s) for s in station_ids],
        {segment_name(ctx, s): [mix_station.get((st, s), {}).get("value") for st in station_ids] for s in SEGMENTS},
        title=_("Segment mix by station, %(period)s", period=period),
        desc=_("Stacked shares of episodic, regular and high-need patients at each station; the table below has the figures."),
    ) if station_ids else None  # fmt: skip
    params = {"kind": kind, "period": period}
    mix = _table(ctx, "segment-mix", _("Segment mix by station, %(period)s", period=period), columns, mix_rows,
                 chart=mix_chart, params=params)  # fmt: skip

    lorenz_rows = {m: pick(_rows(ctx, [f"lorenz_{m}"], kind, ())) for m in ("contacts", "cost")}
    points = [str(10 * k) for k in range(11)]
    series = {}
    for measure, label in (("contacts", _("Contacts")), ("cost", _("Cost"))):
        values = [0.0] + [lorenz_rows[measure].get((None, p), {}).get("value") for p in points[1:]]
        series[label] = values
    series[_("Equal use")] = [k / 10 for k in range(11)]
    lorenz_chart = charts.trend_chart(
        points, series, title=_("Lorenz curves of contacts and cost, %(period)s", period=period),
        desc=_("Share of all contacts and of all cost held by the least-using share of patients; the straight line is equal use."),
        category_labels=[f"{p} %" for p in points], value_format=charts.percent_format(),
        y_label=_("Cumulative share"), y_range=(0.0, 1.0),
    )  # fmt: skip
    lorenz_table = _table(
        ctx, "segment-lorenz", _("Lorenz curve points, %(period)s", period=period),
        [Column("point", _("Least-using patients")), Column("contacts", _("Share of contacts"), True),
         Column("cost", _("Share of cost"), True)],
        [[Cell(text=f"{p} %", value=p), _cell(ctx, lorenz_rows["contacts"].get((None, p)), "share"),
          _cell(ctx, lorenz_rows["cost"].get((None, p)), "share")] for p in points[1:]],
        chart=lorenz_chart, params=params,
    )  # fmt: skip

    concentration_ids = ["gini_contacts", "gini_cost", "top_decile_contacts_share_12m", "top_decile_cost_share_12m"]
    by_station = {i: pick(_rows(ctx, [i], kind, ("station",))) for i in concentration_ids}
    county = {i: pick(_rows(ctx, [i], kind, ())) for i in concentration_ids}
    units = {"gini_contacts": "index", "gini_cost": "index"}
    concentration = _table(
        ctx, "segment-concentration", _("Concentration of use, %(period)s", period=period),
        [Column("station", _("Station")), Column("gini_contacts", _("Gini of contacts"), True),
         Column("gini_cost", _("Gini of cost"), True), Column("top_contacts", _("Top tenth's share of contacts"), True),
         Column("top_cost", _("Top tenth's share of cost"), True)],
        [[Cell(text=_("County") if st is None else station_label(ctx, st), value=st or "")]
         + [_cell(ctx, (county if st is None else by_station)[i].get((st, None)), units.get(i, "share"))
            for i in concentration_ids]
         for st in [*station_ids, None]],
        params=params,
    )  # fmt: skip

    remote = pick(_rows(ctx, ["segment_remote_share"], kind, ()))
    coci = pick(_rows(ctx, ["segment_coci"], kind, ()))
    evidence = _table(
        ctx, "segment-evidence", _("Segments, channels and continuity, %(period)s", period=period),
        [Column("segment", _("Segment")), Column("share", _("Share of patients"), True),
         Column("remote", _("Remote share of contacts"), True), Column("coci", _("Continuity (COCI)"), True),
         Column("coci_n", _("Patients with 2+ physician visits"), True)],
        [[Cell(text=segment_name(ctx, s), value=s), _cell(ctx, county_mix.get((None, s)), "share"),
          _cell(ctx, remote.get((None, s)), "share"), _cell(ctx, coci.get((None, s)), "index"),
          _cell(ctx, coci.get((None, s)), "count", "n")] for s in SEGMENTS],
        params=params,
    )  # fmt: skip
    return {"periods": periods, "period": period, "kind": kind, "mix": mix, "lorenz": lorenz_table,
            "concentration": concentration, "evidence": evidence,
            "questionnaire": questionnaire_mix(ctx, kind, period)}  # fmt: skip


def questionnaire_mix(ctx: ViewContext, kind: str, period: str) -> TableModel | None:
    """Questionnaire segments of the patients who answered in ``period``, by station (None without answers)."""
    from valvomo.segments.registry import configured_questionnaire
    from valvomo.services.results import MissingTableError

    try:
        rows = [r for r in _rows(ctx, ["questionnaire_segment_mix"], kind, ("station",)) if r["period"] == period]
    except MissingTableError:
        return None
    if not rows:
        return None
    _ = ctx._
    qset = configured_questionnaire()
    cells = {(r["station_id"], r["bin"]): r for r in rows}
    station_ids = sorted({r["station_id"] for r in rows}, key=lambda s: station_label(ctx, s))
    columns = [Column("station", _("Station"))] + [Column(s.id, s.names.get(ctx.lang), True) for s in qset.segments]
    columns.append(Column("answered", _("Patients who answered"), True))
    table_rows = []
    for station in station_ids:
        row = [Cell(text=station_label(ctx, station), value=station)]
        row += [_cell(ctx, cells.get((station, s.id)), "share") for s in qset.segments]
        any_row = next((cells[(station, s.id)] for s in qset.segments if (station, s.id) in cells), None)
        row.append(_cell(ctx, any_row, "count", "denominator"))
        table_rows.append(row)
    return _table(ctx, "questionnaire-mix", _("Questionnaire segments by station, %(period)s", period=period),
                  columns, table_rows, params={"kind": kind, "period": period})  # fmt: skip


def care_gap_overview(ctx: ViewContext, kind: str, period: str | None, allowed) -> dict[str, Any]:
    """Care-gap counts per station and rule (disclosure-controlled) with links to the lists the viewer may see."""
    from valvomo.services.caregaps import care_gap_counts, rule_labels

    def load(by):
        with ctx.store.reading():
            return care_gap_counts(ctx.settings, period=kind, by=by, profile=ctx.profile, store=segment_store(ctx))

    by_station = cached(ctx, "care_gaps", {"period": kind, "by": "station"}, lambda: load(("station",)))
    county = cached(ctx, "care_gaps", {"period": kind, "by": ""}, lambda: load(()))
    periods = periods_of(county)
    if not periods:
        return {"periods": [], "period": None, "kind": kind}
    period = period if period in periods else periods[-1]
    labels = rule_labels(ctx.lang)
    _ = ctx._
    rules = list(labels)
    cells = {(r.get("station_id"), r["bin"]): r for r in [*by_station, *county] if r["period"] == period}
    station_ids = sorted({s for s, _r in cells if s is not None}, key=lambda s: station_label(ctx, s))
    columns = [Column("station", _("Station"))]
    for rule in rules:
        columns += [Column(f"{rule}_share", labels[rule], True), Column(f"{rule}_n", _("Patients with the gap"), True)]
    rows = []
    for station in [*station_ids, None]:
        name = _("County") if station is None else station_label(ctx, station)
        href = f"/caregaps/{station}" if station is not None and allowed(station) else None
        row = [Cell(text=name, value=station or "", href=href)]
        for rule in rules:
            row += [_cell(ctx, cells.get((station, rule)), "share"), _cell(ctx, cells.get((station, rule)), "count", "numerator")]
        rows.append(row)
    table = _table(ctx, "care-gaps", _("Care gaps by station, %(period)s", period=period), columns, rows,
                   params={"kind": kind, "period": period})
    return {"periods": periods, "period": period, "kind": kind, "table": table,
            "rules": [(r, labels[r]) for r in rules]}  # fmt: skip


def care_gap_table(ctx: ViewContext, result, station_id: str, rows_slice=None) -> TableModel:
    """The patient list as a table (page and CSV/XLSX export; patient-level, never disclosure-controlled)."""
    from valvomo.services.caregaps import rule_labels

    labels = rule_labels(ctx.lang)
    _ = ctx._
    patients = result.patients if rows_slice is None else result.patients[rows_slice]
    columns = [Column("rule", _("Care gap")), Column("patient_id", _("Patient")), Column("age", _("Age"), True),
               Column("last_result_on", _("Latest result")), Column("last_value", _("Latest value"), True),
               Column("last_contact_on", _("Latest contact"))]  # fmt: skip
    rows = [
        [Cell(text=labels.get(p.rule, p.rule), value=p.rule), Cell(text=p.patient_id, value=p.patient_id),
         Cell(text=str(p.age), value=p.age, numeric=True),
         Cell(text=p.last_result_on.isoformat() if p.last_result_on else "–", value=p.last_result_on),
         Cell(text="–" if p.last_value is None else format_cell(p.last_value, False, ctx.lang, profile="none", unit="score"),
              value=p.last_value, numeric=True),
         Cell(text=p.last_contact_on.isoformat() if p.last_contact_on else "–", value=p.last_contact_on)]
        for p in patients
    ]  # fmt: skip
    caption = _("Patients with a care gap at %(station)s on %(date)s", station=station_label(ctx, station_id),
                date=result.index_date.isoformat())  # fmt: skip
    return TableModel(key="care-gap-list", caption=caption, columns=columns, rows=rows, profile="none",
                      profile_text=_("Patient-level list: not disclosure-controlled; authorised use only."))  # fmt: skip

