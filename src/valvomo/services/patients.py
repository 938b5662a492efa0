"""Patient-level lists: the high-need patients of one station (disclosure.md, "Patient-level outputs").

This is the separate, authorised path next to the aggregates: rows identify
patient pseudonyms, so they never pass through disclosure control and must only
reach users with patient-level access to the station; the web layer checks the
access and writes every view and export to the audit log. The query runs on the
warehouse tables through Ibis (the same backend as the indicators) and returns
plain Python rows; nothing here knows about the web.

Definition (the list behind ``top_decile_cost_share``, indicators.md, applied
to one station):
- window: the 12 months ending on ``end`` (default: the date of the latest
  realised contact in the warehouse), i.e. (end − 12 months, end];
- a patient belongs to the station when their ``home_station_id`` is the station;
  without a home station, when most of their realised patient contacts in the
  window were at the station (ties: smallest station_id) — the attribution the
  continuity indicators use;
- users: the station's patients with at least one realised patient contact with
  ``cost_eur`` in the window; cost and contacts count every realised patient
  contact in the window, at any station (the patient's whole use of services);
- the list: the top ⌈0.1 × users⌉ users by cost, descending, ties by patient_id
  (integer arithmetic for the cut, as engine-notes.md asks).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.schema import codes
from valvomo.warehouse.sources import Sources

WINDOW_MONTHS = 12


@dataclass(frozen=True)
class HighNeedPatient:
    rank: int  # 1 = highest cost
    patient_id: str
    contacts: int  # realised patient contacts in the window, any station
    physical_contacts: int
    remote_contacts: int
    cost_eur: float
    last_contact: dt.date


@dataclass(frozen=True)
class HighNeedList:
    station_id: str
    window_start: dt.date  # first day in the window
    window_end: dt.date  # last day in the window
    users: int  # the station's patients with cost in the window
    total_cost_eur: float  # their cost together
    patients: list[HighNeedPatient] = field(default_factory=list)

    @property
    def list_cost_share(self) -> float | None:
        """The listed patients' share of all the station's users' cost."""
        if not self.total_cost_eur:
            return None
        return sum(p.cost_eur for p in self.patients) / self.total_cost_eur


def window_for(end: dt.date, months: int = WINDOW_MONTHS) -> tuple[dt.date, dt.date]:
    """First and last day of the ``months``-month window ending on ``end``: (end − months, end]."""
    year, month_zero = divmod(end.year * 12 + end.month - 1 - months, 12)
    same_day_before = dt.date(
        year, month_zero + 1, min(end.day, calendar.monthrange(year, month_zero + 1)[1])
    )
    return same_day_before + dt.timedelta(days=1), end


def latest_contact_date(sources: Sources) -> dt.date | None:
    """Date of the latest realised patient contact (the default end of the window)."""
    contacts = realised_patient_contacts(sources.table("contacts"))
    latest = sources.backend.execute(contacts.started_at.max())
    if latest is None:
        return None
    return latest.date() if isinstance(latest, dt.datetime) else dt.date.fromisoformat(str(latest)[:10])


def _station_members(window_contacts: ir.Table, sources: Sources, station_id: str) -> ir.Table:
    """``patient_id`` of the station's patients (home station, else majority of window contacts)."""
    per_station = window_contacts.group_by(["patient_id", "station_id"]).aggregate(
        _visits=lambda t: t.count()
    )
    order = ibis.window(
        group_by=per_station.patient_id, order_by=[ibis.desc(per_station._visits), per_station.station_id]
    )
    ranked = per_station.mutate(_rank=ibis.row_number().over(order))
    majority = ranked.filter(ranked._rank == 0).select("patient_id", _majority="station_id")
    if sources.has("patients") and "home_station_id" in sources.table("patients").columns:
        patients = sources.table("patients").select(_pid="patient_id", _home="home_station_id")
        joined = majority.left_join(patients, majority.patient_id == patients._pid)
        station = joined._home.coalesce(joined._majority)
        return joined.filter(station == station_id).select("patient_id")
    return majority.filter(majority._majority == station_id).select("patient_id")


def high_need_patients(
    sources: Sources,
    station_id: str,
    *,
    end: dt.date | None = None,
    months: int = WINDOW_MONTHS,
) -> HighNeedList:
    """The station's top-decile-cost patients over the window ending on ``end``."""
    end = end or latest_contact_date(sources) or dt.date.today()
    start, end = window_for(end, months)
    contacts = realised_patient_contacts(sources.table("contacts"))
    day = contacts.started_at.date()
    window = contacts.filter(day >= ibis.literal(start), day <= ibis.literal(end))
    members = _station_members(window, sources, station_id)
    mine = window.join(members, "patient_id")
    per_patient = mine.group_by("patient_id").aggregate(
        contacts=lambda t: t.count(),
        physical_contacts=lambda t: t.count(where=t.contact_type.isin(codes.PHYSICAL_CONTACT_TYPES)),
        remote_contacts=lambda t: t.count(where=t.contact_type.isin(codes.REMOTE_CONTACT_TYPES)),
        cost_eur=lambda t: t.cost_eur.sum(),
        costed=lambda t: t.count(where=t.cost_eur.notnull()),
        last_contact=lambda t: t.started_at.max().date(),
    )
    users = per_patient.filter(per_patient.costed > 0)
    order = ibis.window(order_by=[ibis.desc(users.cost_eur), users.patient_id])
    ranked = users.mutate(
        rank=ibis.row_number().over(order) + 1,
        _users=users.count().over(ibis.window()),
        _total=users.cost_eur.sum().over(ibis.window()),
    )
    # top ceil(0.1 x users) in integers: rank <= (users + 9) // 10
    top = ranked.filter(ranked.rank <= (ranked._users + 9) // 10).order_by("rank")
    frame = sources.backend.to_pyarrow(top).to_pylist()
    totals = sources.backend.to_pyarrow(
        users.aggregate(n=users.count(), cost=users.cost_eur.sum())
    ).to_pylist()[0]
    patients = [
        HighNeedPatient(
            rank=int(row["rank"]),
            patient_id=str(row["patient_id"]),
            contacts=int(row["contacts"]),
            physical_contacts=int(row["physical_contacts"]),
            remote_contacts=int(row["remote_contacts"]),
            cost_eur=float(row["cost_eur"]),
            last_contact=row["last_contact"],
        )
        for row in frame
    ]
    return HighNeedList(
        station_id=station_id,
        window_start=start,
        window_end=end,
        users=int(totals["n"] or 0),
        total_cost_eur=float(totals["cost"] or 0.0),
        patients=patients,
    )
