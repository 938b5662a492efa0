"""The high-need patient list (not disclosure-controlled: authorised, audit-logged use only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from valvomo.disclosure import format_cell
from valvomo.web.i18n import N_, format_date, format_number, format_percent
from valvomo.web.views.common import (
    Cell,
    Column,
    TableModel,
    ViewContext,
    station_name,
    table_model,
)

PATIENT_LEVEL_PROFILE_TEXT = N_("Patient-level data: no disclosure control; authorised use only, audit-logged.")


PATIENT_PAGE_SIZE = 50
PATIENT_SORTS = {
    "rank": (N_("Rank"), lambda p: p.rank),
    "contacts": (N_("Contacts, most first"), lambda p: (-p.contacts, p.rank)),
    "cost": (N_("Cost, highest first"), lambda p: (-(p.cost_eur or 0), p.rank)),
    "last_contact": (N_("Last contact, latest first"), lambda p: (-p.last_contact.toordinal(), p.rank)),
}


@dataclass(frozen=True)
class PatientListView:
    """What the reader asked of the high-need list: order, filter and page (all validated)."""

    sort: str = "rank"
    min_contacts: int = 0
    page: int = 1

    @classmethod
    def parse(cls, sort: str | None, min_contacts: str | int | None, page: str | int | None) -> PatientListView:
        chosen = sort if sort in PATIENT_SORTS else "rank"
        try:
            least = max(int(min_contacts or 0), 0)
        except ValueError:
            least = 0
        try:
            number = max(int(page or 1), 1)
        except ValueError:
            number = 1
        return cls(chosen, least, number)

    def select(self, patients: Sequence[Any]) -> list[Any]:
        """The whole filtered and ordered list (what a download holds)."""
        kept = [p for p in patients if p.contacts >= self.min_contacts]
        return sorted(kept, key=PATIENT_SORTS[self.sort][1])

    def query(self, **changes: Any) -> str:
        values = {"sort": self.sort, "min_contacts": self.min_contacts, "page": self.page, **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "", 0, "rank") or k == "page"})


def patient_table(ctx: ViewContext, result: Any, view: PatientListView | None = None,
                  patients: Sequence[Any] | None = None) -> TableModel:
    """The high-need list (``services.patients.HighNeedList``) as a table: ``patients`` (default:
    the whole list, filtered and ordered by ``view``)."""
    view = view or PatientListView()
    patients = view.select(result.patients) if patients is None else patients
    name = station_name(ctx, result.station_id)
    columns = [
        Column("rank", ctx._("Rank"), True),
        Column("patient_id", ctx._("Patient (pseudonym)")),
        Column("contacts", ctx._("Contacts"), True),
        Column("physical_contacts", ctx._("Physical contacts"), True),
        Column("remote_contacts", ctx._("Remote contacts"), True),
        Column("cost_eur", ctx._("Cost (EUR)"), True),
        Column("last_contact", ctx._("Last contact")),
    ]
    rows = [
        [
            Cell(format_number(p.rank, ctx.lang, 0), p.rank, numeric=True),
            Cell(p.patient_id, p.patient_id),
            Cell(format_number(p.contacts, ctx.lang, 0), p.contacts, numeric=True, unit="count"),
            Cell(format_number(p.physical_contacts, ctx.lang, 0), p.physical_contacts, numeric=True, unit="count"),
            Cell(format_number(p.remote_contacts, ctx.lang, 0), p.remote_contacts, numeric=True, unit="count"),
            Cell(format_cell(p.cost_eur, False, ctx.lang, profile="none", unit="eur"), p.cost_eur, numeric=True,
                 unit="eur"),
            Cell(format_date(p.last_contact, ctx.lang), p.last_contact.isoformat()),
        ]
        for p in patients
    ]
    caption = ctx._("High-need patients of %(station)s, %(start)s–%(end)s", station=name,
                    start=format_date(result.window_start, ctx.lang), end=format_date(result.window_end, ctx.lang))
    table = table_model(ctx, "patients", caption, columns, rows, {"station": result.station_id}, row_headers=False)
    table.profile = "patient_level"
    table.profile_text = ctx._(PATIENT_LEVEL_PROFILE_TEXT)
    return table


def patient_page(ctx: ViewContext, result: Any, view: PatientListView | None = None) -> dict[str, Any]:
    """The list one page at a time (``PATIENT_PAGE_SIZE`` rows), ordered and filtered as asked."""
    view = view or PatientListView()
    selected = view.select(result.patients)
    pages = max((len(selected) + PATIENT_PAGE_SIZE - 1) // PATIENT_PAGE_SIZE, 1)
    view = PatientListView(view.sort, view.min_contacts, min(view.page, pages))
    first = (view.page - 1) * PATIENT_PAGE_SIZE
    shown = selected[first:first + PATIENT_PAGE_SIZE]
    table = patient_table(ctx, result, view, shown)
    share = result.list_cost_share
    base = f"/stations/{result.station_id}/patients"
    return {
        "view": view,
        "sort_options": [(key, ctx._(text)) for key, (text, _key) in PATIENT_SORTS.items()],
        "matching": format_number(len(selected), ctx.lang, 0),
        "matching_count": len(selected),
        "shown_count": len(shown),
        "page_text": ctx._("Page %(page)s of %(pages)s", page=view.page, pages=pages),
        "previous_href": f"{base}?{view.query(page=view.page - 1)}" if view.page > 1 else None,
        "next_href": f"{base}?{view.query(page=view.page + 1)}" if view.page < pages else None,
        "download_query": view.query(page=None),
        "station_id": result.station_id,
        "station_name": station_name(ctx, result.station_id),
        "window_start": format_date(result.window_start, ctx.lang),
        "window_end": format_date(result.window_end, ctx.lang),
        "listed": format_number(len(result.patients), ctx.lang, 0),
        "users": format_number(result.users, ctx.lang, 0),
        "share": format_percent(share, ctx.lang, 1) if share is not None else "–",
        "caption": table.caption,
        "columns": table.columns,
        "rows": table.rows,
        "table": table,
    }
