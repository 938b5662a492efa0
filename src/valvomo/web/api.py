"""JSON API under /api: the rows of the CLI's output contract, for other systems.

``GET /api/indicators`` takes the flags of ``valvomo indicators`` as query
parameters and returns exactly its rows (same ``ResultStore.query``, same
disclosure profile), wrapped with the profile in force. Authentication is a
per-user bearer token (``valvomo user token NAME`` or the admin page). Every
input mistake is a 4xx with a JSON body saying what was wrong; asking for
unsuppressed rows needs the analyst role and is audit-logged.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

import valvomo
from valvomo.services.cache import BoundedCache
from valvomo.web import deps
from valvomo.web.auth import audit as audit_log
from valvomo.web.auth.users import Principal
from valvomo.web.params import IsoDate

router = APIRouter(prefix="/api", tags=["indicators"])
_DIMENSION = "(station|profession|municipality|age_band|language|contact_class)"
BY_PATTERN = f"^({_DIMENSION}(,{_DIMENSION})*)?$"



class ErrorBody(BaseModel):
    detail: str = Field(description="What was wrong and what was expected.")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The query is not possible (e.g. a breakdown the grain does not allow)."},
    401: {"model": ErrorBody, "description": "Missing, invalid or revoked bearer token."},
    403: {"model": ErrorBody, "description": "The token's user may not do this (unsuppressed rows need the analyst role)."},
    404: {"model": ErrorBody, "description": "Unknown indicator, or no data loaded for it."},
}


class IndicatorRow(BaseModel):
    """One row of the output contract (indicators.md). Dimension columns appear only when
    asked for with ``by``; ``bin`` only for distributions; ``numerator``/``denominator`` or
    ``n`` as the indicator defines. Redacted values are ``null`` with ``suppressed: true``."""

    model_config = ConfigDict(extra="allow")

    indicator: str
    period: str
    station_id: str | None = None
    profession: str | None = None
    municipality: str | None = None
    age_band: str | None = None
    language: str | None = None
    contact_class: str | None = None
    bin: str | int | float | None = None
    value: float | int | None = None
    numerator: float | int | None = None
    denominator: float | int | None = None
    n: float | int | None = None
    unit: str
    suppressed: bool


class IndicatorRows(BaseModel):
    profile: str = Field(description="Disclosure-control profile applied to the rows (disclosure.md).")
    profile_label: str = Field(description="The profile in words (English).")
    rows: list[IndicatorRow]


class Target(BaseModel):
    value: float
    deadline: str
    scope: str
    source: str
    strict: bool


class CatalogueEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    names: dict[str, str | None]
    definition: str
    unit: str
    direction: str
    family: str
    family_name: str
    grain: list[str]
    periods: list[str] = Field(description="The period kinds the definition allows (per-resident rates: year only).")
    disclosure: str
    distribution: bool
    targets: list[Target]


class Station(BaseModel):
    model_config = ConfigDict(extra="allow")

    station_id: str
    name_fi: str
    name_sv: str | None = None
    municipality: str | None = None
    county: str | None = None
    kind: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    data_loaded: bool


def known_query_parameters(*names: str):
    """Dependency: refuse query parameters the operation does not define (a typo such as
    ``indicators=`` must not silently return every indicator)."""

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - set(names))
        if unknown:
            expected = ", ".join(names) or "none"
            raise HTTPException(
                status_code=400, detail=f"unknown query parameter {unknown[0]!r}; expected: {expected}"
            )

    return check


def data_operation(router: APIRouter, path: str, summary: str, *parameters: str, model: type[BaseModel]):
    """The GET decorator every data operation shares: its response model without unset fields, the
    documented error bodies, and the refusal of any query parameter not in ``parameters``."""
    return router.get(
        path,
        response_model=model,
        response_model_exclude_unset=True,
        responses=ERROR_RESPONSES,
        dependencies=[Depends(known_query_parameters(*parameters))],
        summary=summary,
    )


def _store(request: Request):
    from valvomo.web.pages.context import result_store

    return result_store(deps.get_app_settings(request))


def _data_error(error: Exception) -> HTTPException:
    """A known query error as a 4xx response (the message is the one the CLI prints)."""
    from valvomo.services.results import UnsupportedQueryError

    status = 400 if isinstance(error, UnsupportedQueryError) else 404
    return HTTPException(status_code=status, detail=str(error))


def _query_errors() -> tuple[type[Exception], ...]:
    from valvomo.services.results import (
        EmptyWarehouseError,
        MissingTableError,
        UnknownIndicatorError,
        UnsupportedQueryError,
    )

    return (EmptyWarehouseError, MissingTableError, UnknownIndicatorError, UnsupportedQueryError)


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness and whether indicator data are loaded",
    dependencies=[Depends(known_query_parameters())],
    responses={400: ERROR_RESPONSES[400]},
)
def health(request: Request) -> Health:
    """Public: no data, only whether the service runs and has a warehouse snapshot."""
    try:
        loaded = not _store(request).warehouse.is_empty()
    except _query_errors():
        loaded = False
    return Health(status="ok", version=valvomo.__version__, data_loaded=loaded)


@data_operation(
    router, "/indicators", "Indicator rows (the output contract of `valvomo indicators`)",
    "indicator", "by", "period", "from", "to", "unsuppressed", model=IndicatorRows,
)
def indicators(
    request: Request,
    user: Annotated[Principal, Depends(deps.api_user)],
    indicator: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=100)]] | None,
        Query(description="Indicator id (repeatable). Default: every indicator the data allow.", max_length=50),
    ] = None,
    by: Annotated[
        str,
        Query(
            max_length=200,
            pattern=BY_PATTERN,
            description="Comma-separated dimensions: station, profession, municipality, age_band, language, "
            "contact_class (those the indicator's grain allows).",
        ),
    ] = "",
    period: Annotated[Literal["month", "quarter", "year"], Query(description="Period granularity.")] = "quarter",
    start: Annotated[IsoDate | None, Query(alias="from", description="Keep periods lying entirely on or after this date.")
    ] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="Keep periods lying entirely on or before this date.")] = None,
    unsuppressed: Annotated[
        bool, Query(description="No disclosure control: analysts only, audit-logged.")
    ] = False,
) -> dict[str, Any]:
    from valvomo.services.catalogue import profile_label

    settings = deps.get_app_settings(request)
    if unsuppressed and user.role != "analyst":
        raise HTTPException(status_code=403, detail="unsuppressed rows need the analyst role")
    if start is not None and end is not None and start > end:
        raise HTTPException(status_code=400, detail=f"'from' ({start}) is after 'to' ({end})")
    profile = "none" if unsuppressed else settings.disclosure_profile
    try:
        store = _store(request)
        store.check_live_cost(indicator, period, by)
        rows = store.query(indicator or None, period=period, by=by, start=start, end=end, profile=profile)
    except _query_errors() as error:
        raise _data_error(error) from None
    if unsuppressed:
        deps.audit(
            request,
            audit_log.API_UNSUPPRESSED,
            {"indicator": indicator or [], "by": by, "period": period, "from": start, "to": end, "rows": len(rows)},
        )
    return {"profile": profile, "profile_label": profile_label(profile, "en"), "rows": rows}


class StatusRow(IndicatorRow):
    """An indicator row with its target status in its own period (services/care_guarantee.py,
    ``annotate_status``): the same fields as ``valvomo indicators --status``."""

    target: float | None = Field(None, description="The target in force in the row's period (null: none).")
    target_status: Literal["met", "below", "no_target", "no_data"] | None = Field(
        None, description="Whether the value meets the target in force; no_data when hidden or missing.")
    below_target_since: str | None = Field(
        None, description="First period of the unbroken run below the target that ends at this row's period.")
    quarters_below_target: int | None = Field(
        None, description="Length of that run in periods of the requested kind (0 when the target is met).")
    recording_complete: bool | None = Field(
        None, description="Care-guarantee indicators: whether the assessment recording of the station "
        "(or county) in this period reaches recording_threshold; null when unknown or hidden.")
    recording_threshold: float | None = Field(
        None, description="Care-guarantee indicators: the recording share needed to trust the figure.")


class StatusRows(BaseModel):
    profile: str = Field(description="Disclosure-control profile applied to the rows (disclosure.md).")
    profile_label: str = Field(description="The profile in words (English).")
    recording_threshold: float = Field(description="Assessment-recording share below which a care-guarantee "
                                       "figure is flagged as unreliable.")
    rows: list[StatusRow]


@data_operation(
    router, "/indicators/{indicator_id}/status",
    "Indicator rows with target status, below-target streak and recording verdict",
    "by", "period", "from", "to", model=StatusRows,
)
def indicator_status(
    request: Request,
    user: Annotated[Principal, Depends(deps.api_user)],
    indicator_id: Annotated[str, Path(min_length=1, max_length=100, description="Indicator id.")],
    by: Annotated[
        str,
        Query(max_length=200, pattern=BY_PATTERN,
              description="Comma-separated dimensions, as for /api/indicators (e.g. station)."),
    ] = "",
    period: Annotated[Literal["month", "quarter", "year"], Query(description="Period granularity.")] = "quarter",
    start: Annotated[IsoDate | None, Query(alias="from", description="Keep periods lying entirely on or after this date.")
    ] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="Keep periods lying entirely on or before this date.")] = None,
) -> dict[str, Any]:
    """The rows of ``/api/indicators`` for one indicator, each with the status of its period: the
    target in force, met or below, since when and for how many periods in a row below it, and for
    care-guarantee indicators whether the assessment recording is complete enough to trust the figure.
    Always disclosure-controlled with the configured profile."""
    from valvomo.services.care_guarantee import RECORDING_THRESHOLD, status_rows
    from valvomo.services.catalogue import profile_label

    if start is not None and end is not None and start > end:
        raise HTTPException(status_code=400, detail=f"'from' ({start}) is after 'to' ({end})")
    profile = deps.get_app_settings(request).disclosure_profile
    try:
        store = _store(request)
        store.check_live_cost([indicator_id], period, by)
        rows = status_rows(store, [indicator_id], period=period, by=by, start=start, end=end, profile=profile)
    except _query_errors() as error:
        raise _data_error(error) from None
    return {"profile": profile, "profile_label": profile_label(profile, "en"),
            "recording_threshold": RECORDING_THRESHOLD, "rows": rows}


@router.get(
    "/indicators/catalogue",
    response_model=list[CatalogueEntry],
    responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
    dependencies=[Depends(known_query_parameters("lang"))],
    summary="Every indicator: names, definition, unit, grain, targets",
)
def catalogue(
    request: Request,
    user: Annotated[Principal, Depends(deps.api_user)],
    lang: Annotated[Literal["fi", "sv", "en"] | None, Query(description="Language of `name`.")] = None,
) -> list[dict[str, Any]]:
    from valvomo.services.catalogue import indicator_catalogue

    return indicator_catalogue(lang or user.language, deps.get_app_settings(request))


_STATIONS: BoundedCache[list[dict[str, Any]]] = BoundedCache(4)  # per data directory and snapshot


@router.get(
    "/stations",
    response_model=list[Station],
    responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401], 404: ERROR_RESPONSES[404]},
    dependencies=[Depends(known_query_parameters())],
    summary="Service units of the loaded data",
)
def stations(request: Request, user: Annotated[Principal, Depends(deps.api_user)]) -> list[dict[str, Any]]:
    store = _store(request)

    def load() -> list[dict[str, Any]]:
        rows = store.read(lambda warehouse: warehouse.table("stations").to_pyarrow().to_pylist())
        return sorted(rows, key=lambda s: s["station_id"])

    try:
        key = (str(deps.get_app_settings(request).home), store.snapshot_id)
        return _STATIONS.get_or_build(key, load)
    except _query_errors() as error:
        raise _data_error(error) from None
