"""Typed settings, validated at start-up (pydantic-settings).

Every environment variable Valvomo reads is a field here (prefix ``VALVOMO_``);
no other module reads ``os.environ`` (the one exception is the test-only crash
hook ``valvomo.warehouse.snapshots.crash_checkpoint``). The README documents each field.
"""

from __future__ import annotations

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
    ingest_max_errors: int = Field(100, ge=1, description="Stop collecting ingest errors after this many.")
    spark_master: str = Field("local[2]", description="Spark master URL when backend=pyspark.")
    host: str = Field("127.0.0.1", description="Address `valvomo serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `valvomo serve` listens on.")
    api_token: str | None = Field(
        None, description="API token of an analyst: what `valvomo indicators --unsuppressed` runs as (or --token)."
    )

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def app_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'app.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
