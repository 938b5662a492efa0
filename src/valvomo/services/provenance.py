"""Where the figures come from: the warehouse snapshot and the population behind them.

A programme plan states its own organisation and population (the RRP example: Länsi-Uusimaa,
478 919 residents) while its registry indicators are computed from whatever warehouse Valvomo
reads (the demo county, say). The programme page and the report therefore name the warehouse
and its snapshot, and *compute* the population coverage — residents in the warehouse's
population table over the residents the plan states — instead of showing a typed percentage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from valvomo.config import Settings
from valvomo.warehouse.store import Warehouse


@dataclass(frozen=True)
class DataProvenance:
    """The snapshot the figures are computed from, and the residents it covers."""

    warehouse: str  # the warehouse directory
    snapshot_id: str | None
    loaded_at: dt.datetime | None  # when the snapshot was published (UTC)
    source: str  # the folder it was ingested from, as recorded at ingest
    residents: int | None  # residents in the population table's latest year
    residents_year: int | None

    def coverage(self, population: int | None) -> float | None:
        """Residents of the warehouse as a share of ``population`` (a plan's), capped at 1."""
        if not population or self.residents is None:
            return None
        return min(self.residents / population, 1.0)


def data_provenance(settings: Settings, warehouse: Warehouse | None = None) -> DataProvenance:
    """The published snapshot of ``settings``' warehouse and its residents (one small aggregate).

    A reader that shares a connection passes its ``warehouse`` and holds its lock
    (``ResultStore.reading``); a command line run opens its own."""
    warehouse = warehouse if warehouse is not None else Warehouse(settings)
    snapshot = warehouse.snapshot
    if snapshot is None:
        return DataProvenance(str(settings.warehouse_dir), None, None, "", None, None)
    loaded_at = None
    if snapshot.created_at:
        loaded_at = dt.datetime.fromisoformat(snapshot.created_at)
    residents = year = None
    if warehouse.has("population"):
        table = warehouse.table("population")
        latest = table.year.max().name("year")
        found = table.aggregate(year=latest).to_pyarrow().to_pylist()
        year = found[0]["year"] if found else None
        if year is not None:
            total = table.filter(table.year == year).aggregate(residents=table.residents.sum())
            residents = int(total.to_pyarrow().to_pylist()[0]["residents"] or 0)
    return DataProvenance(str(settings.warehouse_dir), snapshot.id, loaded_at,
                          str(snapshot.source.get("folder", "")), residents, year)
