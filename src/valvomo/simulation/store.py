"""Stored results: calibrations and runs as JSON files under ``<VALVOMO_HOME>/simulations/``.

A result is stored under a key made of everything that can change it: the
scenario's levers and scope, the calibrated parameters (which include the
warehouse snapshot id they were fitted on), the seed, the number of
replications, the kind of request (run or target search, with its settings) and
a hash of this package's source code. Change any of them and the key changes,
so a stored result is never stale; the same request twice is answered from the
file. Writes go to a temporary file that is renamed into place, so a reader
never sees half a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from valvomo.config import Settings
from valvomo.simulation.calibrate import Calibration, Fit, Window, calibrate
from valvomo.simulation.params import params_from_dict
from valvomo.warehouse.sources import Sources

PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 (16 hex digits) of the simulation package's source files."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def result_key(snapshot_id: str, request: dict[str, Any]) -> str:
    """The calibration is a function of the snapshot and the code, so these two name it."""
    text = json.dumps({"snapshot": snapshot_id, "request": request, "code": code_version()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class SimulationStore:
    def __init__(self, settings: Settings):
        self.root = settings.simulations_dir

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"not a result key: {key!r}")
        return self.root / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def put(self, key: str, result: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(result, out, ensure_ascii=False, sort_keys=True)
        os.replace(temporary, self._path(key))

    def result_keys(self) -> list[str]:
        if not self.root.exists():
            return []
        files = sorted(self.root.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        return [p.stem for p in files if not p.stem.startswith("calibration")]

    # -- calibrations -------------------------------------------------------------------

    def calibration(self, sources: Sources, snapshot_id: str, *, workers: int = 1,
                    start_method: str | None = None) -> Calibration:  # fmt: skip
        """The calibration of ``snapshot_id`` from its file, fitted and stored on first use."""
        key = f"calibration{hashlib.sha256(f'{snapshot_id}/{code_version()}'.encode()).hexdigest()[:20]}"
        stored = self.get(key)
        if stored is not None:
            return _calibration_from_dict(stored)
        result = calibrate(sources, snapshot_id=snapshot_id, workers=workers, start_method=start_method)
        self.put(key, _calibration_to_dict(result))
        return result


def _calibration_to_dict(c: Calibration) -> dict:
    return {
        "params": c.params.to_dict(),
        "window": [c.window.start.isoformat(), c.window.end.isoformat()],
        "fits": [f.__dict__ for f in c.fits],
        "history": [[k[0], k[1], *v] for k, v in c.history.items()],
    }


def _calibration_from_dict(data: dict) -> Calibration:
    import datetime as dt

    window = Window(dt.date.fromisoformat(data["window"][0]), dt.date.fromisoformat(data["window"][1]))
    return Calibration(
        params=params_from_dict(data["params"]),
        window=window,
        fits=[Fit(**f) for f in data["fits"]],
        history={(h[0], h[1]): (h[2], h[3], h[4]) for h in data["history"]},
    )
