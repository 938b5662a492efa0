"""Fixtures: a small synthetic county as in-memory sources, and hand-made model parameters."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq
import pytest

from run_once import once_per_run
from valvomo.simulation.params import (
    Capacity,
    DemandStream,
    LaterBooking,
    ModelParams,
    Profiles,
    StationParams,
)

CALIBRATION_TABLES = ("stations", "patients", "contacts", "diagnoses", "slots")


@pytest.fixture(scope="session")
def county_folder(tmp_path_factory):
    from valvomo.synth import generate

    def build():
        folder = tmp_path_factory.mktemp("sim-county")
        generate(folder, population=20_000, years=1, seed=20240101, fmt="parquet", progress=False)
        return folder

    return once_per_run(tmp_path_factory, "sim-county", build)


@pytest.fixture(scope="session")
def county_tables(county_folder):
    return {name: pq.read_table(county_folder / f"{name}.parquet") for name in CALIBRATION_TABLES}


@pytest.fixture(scope="session")
def county_calibration(tmp_path_factory, county_tables, duckdb_backend):
    """The calibration of the synthetic county (~25 s), computed once per run: three modules read it."""
    from valvomo.simulation.calibrate import calibrate
    from valvomo.warehouse.sources import MemorySources

    return once_per_run(
        tmp_path_factory, "sim-county-calibration",
        lambda: calibrate(MemorySources(county_tables, backend=duckdb_backend)),
    )  # fmt: skip


def station(station_id: str, rate: float, nurse_fte: float) -> StationParams:
    return StationParams(
        station_id=station_id,
        name=station_id,
        demand=(
            DemandStream("nurse", "non_urgent", "physical", "other", rate),
            DemandStream("nurse", "non_urgent", "remote", "musculoskeletal", rate * 0.3),
            DemandStream("nurse", "urgent", "physical", "other", rate * 0.3),
            DemandStream("physician", "non_urgent", "remote", "other", rate * 0.4),
            DemandStream("physician", "urgent", "physical", "mental", rate * 0.1),
        ),
        capacity={
            "physician": Capacity(fte=nurse_fte / 2, slots_per_fte_day=10, guarantee_share=0.35, professionals=3),
            "nurse": Capacity(fte=nurse_fte, slots_per_fte_day=10, guarantee_share=0.3, professionals=4),
        },
        remote_resolution=0.2,
        no_show=0.05,
        regular_share={"nurse": 0.5, "physician": 0.3},
        later={"nurse": LaterBooking(0.4, (3, 9, 30), (0.5, 0.3, 0.2))},
    )


@pytest.fixture
def small_params() -> ModelParams:
    return ModelParams(
        stations=(station("ST-B", 10.0, 7.0), station("ST-A", 5.0, 3.0), station("ST-C", 3.0, 1.5)),
        profiles=Profiles(month=(1.0,) * 6 + (0.7,) + (1.0,) * 5, capacity_month=(1.0,) * 6 + (0.5,) + (1.0,) * 5),
        start=dt.date(2024, 1, 1),
        days=182,
        warmup_days=28,
    )
