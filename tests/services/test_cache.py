"""The one in-process cache (services/cache.py) and the keys its users build (issue 10)."""

from __future__ import annotations

import threading

import pytest

from valvomo.services.cache import BoundedCache, params_key


def test_the_cache_keeps_at_most_maxsize_values_and_evicts_the_least_recently_used():
    cache: BoundedCache[int] = BoundedCache(3)
    for number in range(3):
        cache.put(number, number * 10)
    assert cache.get(0) == 0  # 0 is now the most recently used; 1 is the oldest
    cache.put(3, 30)
    assert len(cache) == 3
    assert 1 not in cache
    assert [cache.get(k) for k in (0, 2, 3)] == [0, 20, 30]
    with pytest.raises(ValueError):
        BoundedCache(0)


def test_get_or_build_builds_once_per_key_and_does_not_cache_failures():
    cache: BoundedCache[list[str]] = BoundedCache(8)
    calls: list[str] = []

    def build(key: str) -> list[str]:
        calls.append(key)
        return [key]

    assert cache.get_or_build("a", lambda: build("a")) == ["a"]
    assert cache.get_or_build("a", lambda: build("a")) == ["a"]
    assert cache.get_or_build("b", lambda: build("b")) == ["b"]
    assert calls == ["a", "b"]

    def fail() -> list[str]:
        raise RuntimeError("no data")

    with pytest.raises(RuntimeError):
        cache.get_or_build("c", fail)
    assert "c" not in cache
    assert cache.get_or_build("c", lambda: build("c")) == ["c"]


def test_params_key_ignores_order_and_value_types():
    assert params_key({"b": 2, "a": "x"}) == params_key({"a": "x", "b": "2"}) == (("a", "x"), ("b", "2"))
    assert params_key({"a": "x"}) != params_key({"a": "y"})


def test_concurrent_readers_and_writers_keep_the_bound_and_lose_no_value():
    cache: BoundedCache[int] = BoundedCache(50)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(offset: int) -> None:
        try:
            start.wait()
            for number in range(2000):
                key = (offset + number) % 120
                value = cache.get_or_build(key, lambda k=key: k * 2)
                assert value == key * 2  # a value is never mixed up with another key's
        except BaseException as error:  # noqa: BLE001  (collected for the main thread)
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i * 7,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert 0 < len(cache) <= 50


class _Sources:
    """Just enough warehouse for a ResultStore: a snapshot id and a contacts table."""

    def __init__(self, snapshot_id: str):
        self.snapshot_id = snapshot_id
        self.connection_lock = threading.RLock()

    def is_empty(self) -> bool:
        return False

    def has(self, name: str) -> bool:
        return name == "contacts"


def _store(settings, snapshot_id: str, registry=None):
    from valvomo.indicators.registry import REGISTRY
    from valvomo.services.results import ResultStore

    return ResultStore(settings, warehouse=_Sources(snapshot_id), registry=registry or REGISTRY)


def test_a_page_cache_key_changes_with_snapshot_registry_language_profile_targets_and_params(tmp_path):
    from valvomo.config import Settings
    from valvomo.indicators.registry import REGISTRY, Registry
    from valvomo.web.views.common import ViewContext, cache_key

    settings = Settings(home=tmp_path)
    store = _store(settings, "snap-1")
    fewer = Registry()
    for indicator in list(REGISTRY)[:3]:
        fewer.add(indicator)
    other_registry = _store(settings, "snap-1", fewer)
    assert store.fingerprint != other_registry.fingerprint

    base = cache_key(ViewContext(settings, store, "fi", "standard"), "rows", {"indicator": "access_7d"})
    assert base == cache_key(ViewContext(settings, _store(settings, "snap-1"), "fi", "standard"), "rows",
                             {"indicator": "access_7d"})
    variants = [
        cache_key(ViewContext(settings, _store(settings, "snap-2"), "fi", "standard"), "rows",
                  {"indicator": "access_7d"}),
        cache_key(ViewContext(settings, other_registry, "fi", "standard"), "rows", {"indicator": "access_7d"}),
        cache_key(ViewContext(settings, store, "sv", "standard"), "rows", {"indicator": "access_7d"}),
        cache_key(ViewContext(settings, store, "fi", "none"), "rows", {"indicator": "access_7d"}),
        cache_key(ViewContext(settings, store, "fi", "standard"), "rows", {"indicator": "access_14d"}),
    ]
    targets = tmp_path / "targets.yaml"
    targets.write_text("{}\n", encoding="utf-8")
    with_targets = Settings(home=tmp_path, targets_file=targets)
    variants.append(cache_key(ViewContext(with_targets, store, "fi", "standard"), "rows",
                              {"indicator": "access_7d"}))
    assert len({base, *variants}) == len(variants) + 1


def test_live_rows_are_cached_per_registry_fingerprint(tmp_path, monkeypatch):
    """A store with another registry (another fingerprint) does not get the first store's live rows."""
    from valvomo.config import Settings
    from valvomo.indicators.registry import REGISTRY, Registry
    from valvomo.services import results

    results.clear_cache()
    calls: list[str] = []

    def compute(indicator, warehouse, query, registry):
        calls.append(registry is REGISTRY and "full" or "small")
        return [{"indicator": indicator.id, "period": "2024Q1", "value": 0.5}]

    monkeypatch.setattr(results, "compute", compute)
    settings = Settings(home=tmp_path)
    indicator = REGISTRY.get("access_7d")
    small = Registry()
    small.add(indicator)
    try:
        for _ in range(2):
            _store(settings, "snap-1").unprotected_rows(indicator, "quarter", ("municipality",))
        _store(settings, "snap-1", small).unprotected_rows(indicator, "quarter", ("municipality",))
        _store(settings, "snap-2").unprotected_rows(indicator, "quarter", ("municipality",))
    finally:
        results.clear_cache()
    assert calls == ["full", "small", "full"]
