"""The population registry (indicators/populations, docs/populations.md) is true to the code.

Every ``used_by`` id is an indicator or segment output, and it is exactly the set of registry entries
whose builder reads the population: each builder is run (building its Ibis expression, not executing
it) under a profiler that records which population functions it calls. The committed page equals the
generated one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from synthetic_county import county_tables
from valvomo.indicators import REGISTRY, Query
from valvomo.indicators.populations import POPULATIONS
from valvomo.indicators.populations.contacts import realised_patient_contacts
from valvomo.indicators.populations.docs import render_population_docs
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.warehouse.sources import MemorySources

DOCS = Path(__file__).resolve().parents[2] / "docs" / "populations.md"

# What calling a population means: its ``build``, except for the realised contacts, which most builders
# read through the table-level filter (``build`` itself calls it too).
ENTRY_POINTS = {pid: {p.build.__code__} for pid, p in POPULATIONS.items()}
ENTRY_POINTS["realised_contacts"] = {realised_patient_contacts.__code__}


def _readers_by_code() -> dict:
    """Code object -> population id, for the functions that stand for reading a population: the build
    and, for the access and T3 populations, the staged variants the indicators call."""
    from valvomo.indicators.populations import access, t3

    codes = {code: pid for pid, entry in ENTRY_POINTS.items() for code in entry}
    codes[access.access_events.__code__] = "access_events"
    codes[access.care_guarantee_contacts.__code__] = "care_guarantee_contacts"
    codes[access.urgent_access_events.__code__] = "urgent_access_events"
    codes[access.assessment_timeliness_events.__code__] = "assessment_timeliness_events"
    codes[t3.instant_values.__code__] = "t3_pool_values"
    codes[t3.measurement_instants.__code__] = "t3_measurement_instants"
    return codes


@pytest.fixture(scope="module")
def county(tmp_path_factory, duckdb_backend):
    tables, manifest = county_tables(tmp_path_factory.mktemp("county"), population=300, years=1)
    return MemorySources(tables, backend=duckdb_backend, manifest=manifest)


def _reads(entry, sources) -> set[str]:
    codes = _readers_by_code()
    seen: set[str] = set()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes:
            seen.add(codes[frame.f_code])

    period = entry.periods[-1]
    sys.setprofile(profile)
    try:
        entry.build(sources, Query(period=period))
    finally:
        sys.setprofile(None)
    return seen


def test_every_used_by_id_is_an_indicator_or_a_segment_output():
    known = set(REGISTRY.ids()) | set(SEGMENT_REGISTRY.ids())
    unknown = {pid: sorted(set(p.used_by) - known) for pid, p in POPULATIONS.items() if set(p.used_by) - known}
    assert not unknown
    assert all(p.used_by for p in POPULATIONS.values())


def test_used_by_lists_exactly_the_entries_that_read_each_population(county):
    readers: dict[str, set[str]] = {pid: set() for pid in POPULATIONS}
    for registry in (REGISTRY, SEGMENT_REGISTRY):
        for entry in registry:
            for pid in _reads(entry, county):
                readers[pid].add(entry.id)
    assert readers["access_events"] >= {"access_7d", "waiting_days_median"}  # the profiler sees the reads
    mismatches = {
        pid: {"unlisted": sorted(readers[pid] - set(p.used_by)), "not_reading": sorted(set(p.used_by) - readers[pid])}
        for pid, p in POPULATIONS.items()
        if readers[pid] != set(p.used_by)
    }
    assert not mismatches


def test_ids_are_unique_and_every_population_documents_its_columns():
    from valvomo.indicators.populations.base import Population, register

    some = next(iter(POPULATIONS.values()))
    with pytest.raises(ValueError, match="defined twice"):
        register(Population(**{**some.__dict__}))
    assert all(p.columns and p.definition and p.spec and p.grain for p in POPULATIONS.values())


def test_docs_page_has_a_section_per_population():
    text = render_population_docs()
    for population in POPULATIONS.values():
        assert f"(`{population.id}`)" in text
        assert population.definition in text


def test_docs_file_matches_the_populations():
    """docs/populations.md is generated; regenerate with `valvomo docs-populations` after changing them."""
    assert DOCS.read_text(encoding="utf-8") == render_population_docs()


def test_docs_populations_command_writes_and_checks(tmp_path):
    from typer.testing import CliRunner

    from valvomo.cli import app

    target = tmp_path / "populations.md"
    runner = CliRunner()
    assert runner.invoke(app, ["docs-populations", "--output", str(target), "--check"]).exit_code == 1
    assert runner.invoke(app, ["docs-populations", "--output", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == render_population_docs()
    assert runner.invoke(app, ["docs-populations", "--output", str(target), "--check"]).exit_code == 0
