"""Warehouse: canonical tables as Parquet files plus a DuckDB catalogue, reached through Ibis."""
