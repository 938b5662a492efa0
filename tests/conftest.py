"""Shared fixtures: canonical in-memory sources on each analytics backend.

Indicator tests take ``make_sources`` and run on DuckDB; tests marked ``spark``
(or parametrised with ``backend_name``) run the same expressions on PySpark in
local mode, following Ibis's shared backend test suite.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def duckdb_backend():
    from valvomo.warehouse.backends import connect_duckdb

    return connect_duckdb()


@pytest.fixture(scope="session")
def spark_backend():
    from valvomo.warehouse.backends import connect_pyspark

    return connect_pyspark()


@pytest.fixture
def make_sources(duckdb_backend):
    """Build ``MemorySources`` on DuckDB from ``{table: rows}``."""
    from valvomo.warehouse.sources import MemorySources

    def build(tables, manifest=None, backend=None):
        return MemorySources(tables, backend=backend or duckdb_backend, manifest=manifest)

    return build
