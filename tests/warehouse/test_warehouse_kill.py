"""An ingest killed with SIGKILL at any moment leaves the warehouse whole: old state or new, never a mix."""

from __future__ import annotations

import csv
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from valvomo.config import Settings
from valvomo.ingest import ingest_folder
from valvomo.warehouse.snapshots import SNAPSHOTS_DIR, STAGING_DIR
from valvomo.warehouse.store import Warehouse

INGEST_SCRIPT = """
import sys
from valvomo.config import Settings
from valvomo.ingest import ingest_folder
ingest_folder(Settings(home=sys.argv[1]), sys.argv[2], progress=False)
"""

CONTACT_COLUMNS = [
    "contact_id",
    "patient_id",
    "station_id",
    "profession",
    "contact_type",
    "service_type",
    "nature",
    "urgency",
    "started_at",
]


def write_county(folder: Path, prefix: str, contacts: int) -> Path:
    """Stations and contacts whose ids carry ``prefix``, so two loads never share a row."""
    folder.mkdir(parents=True)
    with open(folder / "stations.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["station_id", "name_fi", "municipality", "county", "kind"])
        for i in range(3):
            writer.writerow([f"{prefix}S{i}", f"Asema {i}", "638", "Itä-Uusimaa", "health_station"])
    with open(folder / "contacts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CONTACT_COLUMNS)
        for i in range(contacts):
            writer.writerow(
                [
                    f"{prefix}C{i}",
                    f"P{i % 997}",
                    f"{prefix}S{i % 3}",
                    "nurse",
                    "R10",
                    "T11",
                    "SH",
                    "non_urgent",
                    f"2024-03-{1 + i % 28:02d}T{8 + i % 8:02d}:15",
                ]
            )
    return folder


def state(settings: Settings) -> dict:
    warehouse = Warehouse(settings)
    return {
        name: warehouse.table(name).to_pyarrow().sort_by(warehouse.table(name).columns[0])
        for name in warehouse.tables()
    }


def which(current: dict, known: dict[str, dict]) -> str:
    """The name of the known state ``current`` equals, table by table — or fail on a mix."""
    for name, expected in known.items():
        if current.keys() == expected.keys() and all(current[t].equals(expected[t]) for t in current):
            return name
    raise AssertionError(f"the warehouse holds neither state: tables {sorted(current)}")


def run_ingest(home: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", INGEST_SCRIPT, str(home), str(folder)], stderr=subprocess.DEVNULL
    )


def test_sigkill_at_random_moments_never_leaves_a_mix(tmp_path):
    folders = {
        "A": write_county(tmp_path / "a", "A", 20_000),
        "B": write_county(tmp_path / "b", "B", 150_000),
    }

    # Reference states, and how long an uncontended ingest subprocess of the big load takes.
    known = {}
    for name, folder in folders.items():
        reference = Settings(home=tmp_path / f"reference_{name}")
        began = time.monotonic()
        if name == "B":
            assert run_ingest(reference.home, folder).wait(timeout=300) == 0
            full = time.monotonic() - began
        else:
            ingest_folder(reference, folder, progress=False)
        known[name] = state(reference)

    settings = Settings(home=tmp_path / "home")
    ingest_folder(settings, folders["A"], progress=False)
    current = "A"
    rng = random.Random(20240311)
    killed = 0
    for fraction in (0.2, 0.4, 0.6, 0.8, 0.9, 0.97):
        target = "B" if current == "A" else "A"
        process = run_ingest(settings.home, folders[target])
        time.sleep(max(0.05, full * (fraction + rng.uniform(-0.05, 0.05))))
        process.send_signal(signal.SIGKILL)
        returncode = process.wait(timeout=300)
        killed += returncode == -signal.SIGKILL
        seen = which(state(settings), known)
        assert seen in (current, target)
        if returncode == 0:
            assert seen == target  # the ingest finished before the kill
        print(f"kill at {fraction:.2f} of {full:.1f} s: returncode {returncode}, state {seen}")
        current = seen

    assert killed >= 3, "the ingest finished before most kills; the test did not exercise interruption"
    # The kernel released the dead ingest's lock: the next ingest runs, and clears the leftovers.
    target = "B" if current == "A" else "A"
    ingest_folder(settings, folders[target], progress=False)
    assert which(state(settings), known) == target
    assert not any((settings.warehouse_dir / STAGING_DIR).iterdir())
    assert len(list((settings.warehouse_dir / SNAPSHOTS_DIR).iterdir())) <= 2
