"""Typed settings, validated at start-up (pydantic-settings).

Every environment variable Valvomo reads is a field here (prefix ``VALVOMO_``);
no other module reads ``os.environ`` (the one exception is the test-only crash
hook ``valvomo.warehouse.snapshots.crash_checkpoint``). The README documents each field.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Valvomo configuration. Fields map to ``VALVOMO_<FIELD>`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="VALVOMO_", extra="ignore")

    home: Path = Field(Path(".valvomo"), description="All state (warehouse, app database, caches) lives here.")
    backend: Literal["duckdb", "pyspark"] = Field("duckdb", description="Analytics backend reached through Ibis.")
    database_url: str | None = Field(
        None, description="App-state database (SQLAlchemy URL). Default: SQLite file under home."
    )
    disclosure_profile: Literal["standard", "threshold5", "none"] = Field(
        "standard", description="Disclosure-control profile for aggregates (disclosure.md)."
    )
    language: Literal["fi", "sv", "en"] = Field("fi", description="Default user-interface language.")
    secret_key: str | None = Field(
        None, description="Session signing key. Default: generated once and kept under home."
    )
    targets_file: Path | None = Field(
        None, description="YAML file overriding indicator targets (see docs/indicators.md)."
    )
    questionnaire_file: Path | None = Field(
        None, description="YAML item set of the segmentation questionnaire (docs/questionnaire.md)."
    )
    utilisation_segments_file: Path | None = Field(
        None, description="YAML chronic-condition list of the utilisation segments (docs/utilisation-segments.md)."
    )
    caregap_rules_file: Path | None = Field(
        None, description="YAML care-gap rules replacing the shipped ones (docs/care-gaps.md)."
    )
    ingest_max_errors: int = Field(100, ge=1, description="Stop collecting ingest errors after this many.")
    spark_master: str = Field("local[2]", description="Spark master URL when backend=pyspark.")
    host: str = Field("127.0.0.1", description="Address `valvomo serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `valvomo serve` listens on.")
    ingest_future_days: int = Field(
        366,
        ge=0,
        le=3660,
        description="Ingest refuses dates and timestamps later than the extraction (the ingest run) plus this many days.",
    )
    ingest_earliest_date: dt.date = Field(
        dt.date(2000, 1, 1), description="Ingest refuses dates and timestamps before this day (docs/ingest.md)."
    )
    # -- performance and backend settings (docs/performance.md, docs/deployment-spark.md) --
    duckdb_threads: int | None = Field(None, ge=1, description="DuckDB worker threads. Default: all cores.")
    duckdb_memory_limit: str | None = Field(
        None,
        pattern=r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
        description="DuckDB memory limit, e.g. `2GB`; above it DuckDB spills to the temp directory. "
        "Default: DuckDB's own (80 % of RAM); the ingest checks default to 256MB.",
    )
    duckdb_preserve_insertion_order: bool = Field(
        False,
        description="Keep row order without ORDER BY (DuckDB's default); off saves memory, and every "
        "indicator result is explicitly ordered anyway.",
    )
    duckdb_temp_directory: Path | None = Field(
        None, description="Where DuckDB spills above its memory limit. Default: `<home>/tmp/duckdb`."
    )
    spark_driver_memory: str = Field("4g", pattern=r"^\d+[kmgt]$", description="spark.driver.memory.")
    spark_executor_memory: str = Field(
        "1g", pattern=r"^\d+[kmgt]$", description="spark.executor.memory (cluster masters only)."
    )
    spark_executor_cores: int | None = Field(
        None, ge=1, description="spark.executor.cores and spark.cores.max (cluster masters only)."
    )
    spark_shuffle_partitions: int = Field(4, ge=1, description="spark.sql.shuffle.partitions.")

    simulation_dir: Path | None = Field(
        None, description="Where simulation calibrations and results are stored. Default: `<home>/simulations`."
    )
    simulation_workers: int = Field(2, ge=1, le=64, description="Worker processes for simulation replications.")

    api_token: str | None = Field(
        None, description="API token of an analyst: what `valvomo indicators --unsuppressed` runs as (or --token)."
    )

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def duckdb_spill_dir(self) -> Path:
        return self.duckdb_temp_directory or self.home / "tmp" / "duckdb"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def simulations_dir(self) -> Path:
        return (self.simulation_dir.expanduser().resolve() if self.simulation_dir else self.home / "simulations")

    @property
    def app_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'app.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
