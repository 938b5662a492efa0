"""The one in-process cache of computed results: bounded, least recently used, thread-safe.

Live indicator computations (``services.results``), dashboard page models and tables
(``web.views``) and programme charts (``web.programme_views``) are each kept in a
``BoundedCache``. A cached value is only as good as its key: the key names everything
that can change the value — the warehouse snapshot, ``registry_fingerprint`` (which
covers the registry entries, their builders' source and ``code_fingerprint``), the
language, the disclosure profile and the parameters. The code of the process itself
needs no key part: the caches live in memory and start empty with every process.

``build()`` runs outside the cache's lock, so a slow computation never blocks readers
of other keys; two threads missing the same key at once may both build it (the values
are equal; the second simply replaces the first). Callers that touch the warehouse
serialise on the store's connection lock (``ResultStore.reading``), not on this one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["BoundedCache", "params_key"]

V = TypeVar("V")
_MISSING = object()


class BoundedCache(Generic[V]):
    """At most ``maxsize`` values; reading a value makes it the most recently used."""

    def __init__(self, maxsize: int):
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, not {maxsize}")
        self.maxsize = maxsize
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = None) -> V | Any:
        with self._lock:
            value = self._values.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._values.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.maxsize:
                self._values.popitem(last=False)

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        """The cached value of ``key``, else ``build()`` stored under it (exceptions are not cached)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = build()
            self.put(key, value)
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values


def params_key(params: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Request parameters as a hashable key part: order-free, values as text."""
    return tuple(sorted((str(k), str(v)) for k, v in params.items()))
