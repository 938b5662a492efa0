"""JSON API for segments and care gaps: ``/api/segments``, ``/api/caregaps`` and the care-gap patient list.

``/api/segments`` and ``/api/caregaps`` take the options of ``valvomo segments``
and ``valvomo caregaps`` as query parameters and return exactly their rows (the
same services, the configured disclosure profile), wrapped with the profile in
force. ``/api/caregaps/patients`` is patient-level: a station manager for their
own stations and an analyst county-wide (``deps.can_see_patient_level``); anyone
else gets 403, and every answer is written to the audit log with its filter and
row count. Input mistakes are 4xx with a JSON ``detail``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from valvomo.ingest.validate import PRINTABLE_KEY
from valvomo.web import deps
from valvomo.web.api import IndicatorRows, _data_error, _query_errors, data_operation
from valvomo.web.auth.audit import PATIENT_VIEW
from valvomo.web.auth.users import Principal
from valvomo.web.params import IsoDate

router = APIRouter(prefix="/api", tags=["segments"])
_DIMENSION = "(station|municipality|age_band|language)"
BY_PATTERN = f"^({_DIMENSION}(,{_DIMENSION})*)?$"
Period = Literal["month", "quarter", "year"]


class CareGapPatientRow(BaseModel):
    rule: str
    patient_id: str
    station_id: str | None
    age: int
    last_result_on: dt.date | None
    last_value: float | None
    last_contact_on: dt.date | None


class CareGapPatients(BaseModel):
    index_date: dt.date
    station_id: str
    rows: list[CareGapPatientRow]


def _stores(request: Request):
    from valvomo.services.segments import segment_store
    from valvomo.web.pages.context import result_store

    settings = deps.get_app_settings(request)
    results = result_store(settings)
    return settings, results, segment_store(settings, warehouse=results.warehouse)


def _config_error(error: Exception) -> HTTPException:
    return HTTPException(status_code=500, detail=f"the segment configuration is invalid: {error}")


def _rows(request: Request, compute) -> dict[str, Any]:
    from valvomo.segments.config_files import ConfigFileError
    from valvomo.services.catalogue import profile_label

    try:
        settings, results, store = _stores(request)
        with results.reading():  # the segment store reads through the result store's warehouse
            rows = compute(settings, store)
    except _query_errors() as error:
        raise _data_error(error) from None
    except ConfigFileError as error:
        raise _config_error(error) from None
    profile = settings.disclosure_profile
    return {"profile": profile, "profile_label": profile_label(profile, "en"), "rows": rows}


def _check_range(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and start > end:
        raise HTTPException(status_code=400, detail=f"'from' ({start}) is after 'to' ({end})")


@data_operation(
    router, "/segments", "Segment rows (the output contract of `valvomo segments`)",
    "output", "by", "period", "from", "to", model=IndicatorRows,
)
def segments(
    request: Request,
    user: Annotated[Principal, Depends(deps.api_user)],
    output: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        Query(description="Segment output id (repeatable, 1 to 10): computed on request, so they are named.", max_length=20),
    ] = None,
    by: Annotated[str, Query(max_length=100, pattern=BY_PATTERN, description="Comma-separated dimensions.")] = "",
    period: Annotated[Period, Query(description="Period granularity.")] = "quarter",
    start: Annotated[IsoDate | None, Query(alias="from", description="Periods entirely on or after.")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="Periods entirely on or before.")] = None,
) -> dict[str, Any]:
    from valvomo.services.segments import CARE_GAP_OUTPUT, segment_rows

    _check_range(start, end)
    if output and CARE_GAP_OUTPUT in output:
        raise HTTPException(status_code=400, detail="care gaps are served by /api/caregaps")

    def compute(settings, store):
        # nothing of the segment registry is materialised: every request is live, so name the outputs
        store.check_live_cost(output, period, by, parameter="output", noun="segment outputs")
        return segment_rows(settings, output or None, period=period, by=by, start=start, end=end, store=store)

    return _rows(request, compute)


@data_operation(
    router, "/caregaps", "Care-gap counts per rule (the output contract of `valvomo caregaps`)",
    "by", "period", "from", "to", model=IndicatorRows,
)
def caregaps(
    request: Request,
    user: Annotated[Principal, Depends(deps.api_user)],
    by: Annotated[str, Query(max_length=100, pattern=BY_PATTERN, description="Comma-separated dimensions.")] = "station",
    period: Annotated[Period, Query(description="Period granularity (index date: the period's last day).")] = "quarter",
    start: Annotated[IsoDate | None, Query(alias="from", description="Periods entirely on or after.")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="Periods entirely on or before.")] = None,
) -> dict[str, Any]:
    from valvomo.services.caregaps import care_gap_counts

    _check_range(start, end)
    return _rows(
        request,
        lambda settings, store: care_gap_counts(settings, period=period, by=by, start=start, end=end, store=store),
    )


@data_operation(
    router, "/caregaps/patients", "Patients with a care gap at one station (patient-level, audit-logged)",
    "station", "index_date", "rule", model=CareGapPatients,
)
def caregap_patients(
    request: Request,
    user: Annotated[Principal, Depends(deps.api_user)],
    station: Annotated[str, Query(min_length=1, max_length=100, pattern=PRINTABLE_KEY, description="Station id.")],
    index_date: Annotated[dt.date | None, Query(description="Index date (default: the latest contact day).")] = None,
    rule: Annotated[str | None, Query(max_length=100, description="Only this rule.")] = None,
) -> dict[str, Any]:
    from valvomo.segments.config_files import ConfigFileError
    from valvomo.services.caregaps import care_gap_list

    if not deps.can_see_patient_level(user, station):
        raise HTTPException(status_code=403, detail=f"no patient-level access to station {station!r}")
    try:
        _, results, _ = _stores(request)
        with results.reading() as warehouse:
            result = care_gap_list(warehouse, [station], index_date=index_date, rule=rule)
    except KeyError as error:
        raise HTTPException(status_code=400, detail=str(error.args[0])) from None
    except _query_errors() as error:
        raise _data_error(error) from None
    except ConfigFileError as error:
        raise _config_error(error) from None
    deps.audit(request, PATIENT_VIEW, {
        "page": "api_caregaps", "station_id": station, "index_date": result.index_date.isoformat(),
        "rule": rule or "", "rows": len(result.patients)})  # fmt: skip
    return {
        "index_date": result.index_date,
        "station_id": station,
        "rows": [vars(p) for p in result.patients],
    }
