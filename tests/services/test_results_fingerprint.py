"""Stored results are keyed by everything that can change them, the engine's code included (issue 10).

A stored row computed by older builder code must not be served after the code changed: the fingerprint
covers the registry entries, each builder's source, the engine packages' source and the versions of the
libraries that compute the values.
"""

from __future__ import annotations

import dataclasses

from valvomo.config import Settings
from valvomo.indicators.registry import REGISTRY, Registry
from valvomo.services import results as results_module
from valvomo.services.results import ResultStore, clear_cache, code_fingerprint, registry_fingerprint


def _registry_with(builder=None) -> Registry:
    registry = Registry()
    entry = REGISTRY.get("access_7d")
    registry.add(entry if builder is None else dataclasses.replace(entry, build=builder))
    return registry


def _rebuilt_access_7d(sources, query):  # same behaviour, other code: the stored rows may differ
    return REGISTRY.get("access_7d").build(sources, query).mutate()


def test_a_changed_builder_changes_the_fingerprint():
    plain, rebuilt = registry_fingerprint(_registry_with()), registry_fingerprint(_registry_with(_rebuilt_access_7d))
    assert plain != rebuilt
    assert registry_fingerprint(_registry_with()) == plain  # and it is stable


def test_a_changed_engine_source_file_changes_the_code_fingerprint(tmp_path, monkeypatch):
    package = tmp_path / "fake_engine"
    package.mkdir()
    (package / "__init__.py").write_text('"""A stand-in engine package."""\n')
    (package / "access.py").write_text("WINDOW_DAYS = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(results_module, "_RESULT_CODE_PACKAGES", ("fake_engine",))
    code_fingerprint.cache_clear()
    try:
        before = code_fingerprint()
        (package / "access.py").write_text("WINDOW_DAYS = 8\n")
        code_fingerprint.cache_clear()
        after = code_fingerprint()
    finally:
        code_fingerprint.cache_clear()
    assert before != after


def test_the_code_fingerprint_covers_the_indicator_modules_and_the_version(monkeypatch):
    code_fingerprint.cache_clear()
    base = code_fingerprint()
    monkeypatch.setattr("valvomo.__version__", "0.0.0-other")
    code_fingerprint.cache_clear()
    try:
        assert code_fingerprint() != base
    finally:
        monkeypatch.undo()
        code_fingerprint.cache_clear()
    assert code_fingerprint() == base


def test_stored_rows_of_older_code_are_not_served(tmp_path, monkeypatch):
    from test_services_results import TinyWarehouse, county_tables  # the same tiny county

    warehouse = TinyWarehouse(county_tables(), snapshot_id="snap-code")
    registry = _registry_with()
    settings = Settings(home=tmp_path)
    clear_cache()
    ResultStore(settings, warehouse=warehouse, registry=registry).materialise(progress=False)
    clear_cache()
    assert ResultStore(settings, warehouse=warehouse, registry=registry).is_materialised()

    monkeypatch.setattr(results_module, "code_fingerprint", lambda: "a-later-version")
    clear_cache()
    try:
        assert not ResultStore(settings, warehouse=warehouse, registry=registry).is_materialised()
    finally:
        clear_cache()
