"""``generate()``: write a whole synthetic county, chunk by chunk.

The county is produced replica by replica (``county.plan_county``) and, inside a
replica, in chunks of residents. Each chunk's patients, contacts, diagnoses, lab
results, interventions, feedback and questionnaire answers are generated together and appended to their
files at once, so memory depends on the chunk size, not on the population. Each
piece draws from its own seeded stream (``rng.stream``), so the same seed gives
byte-identical files. Event ids are running numbers in write order.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from valvomo import __version__
from valvomo.schema import LOAD_ORDER, MANIFEST_FILE
from valvomo.synth import feedback
from valvomo.synth.contacts import REMOTE, generate_contacts
from valvomo.synth.county import COUNTY_NAME, STATIONS, TEMPLATE_POPULATION, Replica, plan_county
from valvomo.synth.demography import Residents, generate_residents
from valvomo.synth.diagnoses import generate_diagnoses
from valvomo.synth.guidance import generate_guidance
from valvomo.synth.ids import IdFormat
from valvomo.synth.interventions import generate_interventions
from valvomo.synth.labs import generate_lab_results
from valvomo.synth.population import patients_table, population_table, stations_table, statistical_years
from valvomo.synth.questionnaire import ITEMS as QUESTIONNAIRE_ITEMS
from valvomo.synth.questionnaire import generate_answers
from valvomo.synth.rng import Stream, stream
from valvomo.synth.slots import generate_slots
from valvomo.synth.staff import Staff, assign_usual_professionals, build_staff
from valvomo.synth.timeline import Timeline, period_end
from valvomo.synth.writer import Format, TableWriter

CHUNK_RESIDENTS = 25_000
MIN_POPULATION = 100
MAX_YEARS = 20
GUIDANCE_FEEDBACK_KEY = 1_000_000  # stream key of guidance feedback, apart from chunk numbers


@dataclass
class SynthSummary:
    """What ``generate`` wrote: rows per table, time taken and where."""

    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    elapsed_seconds: float = 0.0
    population: int = 0
    years: int = 0
    start: dt.date = dt.date(2024, 1, 1)
    seed: int = 0
    fmt: str = "csv"


def _check_arguments(population: int, years: int, start: dt.date, seed: int, fmt: str) -> None:
    if isinstance(population, bool) or not isinstance(population, int) or population < MIN_POPULATION:
        raise ValueError(f"population must be an integer of at least {MIN_POPULATION}, got {population!r}")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be an integer from 1 to {MAX_YEARS}, got {years!r}")
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ValueError(f"start must be a date (e.g. 2024-01-01), got {start!r}")
    if not 1900 < start.year < 2190:
        raise ValueError(f"start must be a date between 1901 and 2189, got {start.isoformat()}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")


class _CountyRun:
    """The open table writers of one ``generate`` call and what goes into them."""

    def __init__(self, out_dir: Path, fmt: Format, seed: int, tl: Timeline, ids: IdFormat, bar: Progress):
        self.writers: dict[str, TableWriter] = {}
        try:
            for name in LOAD_ORDER:
                self.writers[name] = TableWriter(out_dir, name, fmt)
        except BaseException:  # close what was opened, whatever stopped us, and re-raise
            self.abort()
            raise
        self.seed, self.tl, self.ids, self.bar = seed, tl, ids, bar

    def next_number(self, table: str) -> int:
        """The running number of the next row of ``table`` (ids follow write order)."""
        return self.writers[table].rows + 1

    def write(self, table: str, columns: dict[str, pa.Array] | None) -> None:
        if columns is not None:
            self.writers[table].write(columns)

    def close(self) -> dict[str, int]:
        for writer in self.writers.values():
            writer.close()
        return {name: w.rows for name, w in self.writers.items()}

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()

    def replica(self, replica: Replica, start: dt.date, stat_years: list[int], tasks: tuple) -> None:
        """Everything about one replica of the county template."""
        residents_task, calendar_task, guidance_task = tasks
        residents = generate_residents(self.seed, replica, start)
        staff = build_staff(replica, residents)
        assign_usual_professionals(self.seed, replica, residents, staff)
        self.write("population", population_table(replica, residents, stat_years, start))
        for chunk, first in enumerate(range(0, len(residents), CHUNK_RESIDENTS)):
            stop = min(first + CHUNK_RESIDENTS, len(residents))
            self.chunk(replica, residents, staff, chunk, first, stop)
            self.bar.advance(residents_task, stop - first)
        for station in range(len(STATIONS)):
            rng = stream(self.seed, Stream.SLOTS, replica.index, station)
            self.write(
                "slots",
                generate_slots(rng, self.tl, staff, replica, self.ids, station, self.next_number("slots")),
            )
            self.bar.advance(calendar_task)
        self.guidance(replica, np.bincount(residents.station, minlength=len(STATIONS)))
        self.bar.advance(guidance_task)

    def chunk(
        self, replica: Replica, residents: Residents, staff: Staff, chunk: int, first: int, stop: int
    ) -> None:
        """Patients, contacts and everything derived from them for residents ``first..stop-1``."""
        key = (replica.index, chunk)
        seed, tl, ids = self.seed, self.tl, self.ids
        self.write("patients", patients_table(replica, residents, staff, ids, first, stop))
        rng = stream(seed, Stream.CONTACTS, *key)
        batch = generate_contacts(
            rng, tl, residents, staff, replica, ids, first, stop, self.next_number("contacts")
        )
        self.write("contacts", batch.columns)
        rng = stream(seed, Stream.DIAGNOSES, *key)
        self.write("diagnoses", generate_diagnoses(rng, batch, residents, batch.columns["contact_id"]))

        rng = stream(seed, Stream.FEEDBACK, *key)
        answering = np.flatnonzero(
            batch.realised_patient_contact & (rng.random(len(batch)) < feedback.RESPONSE_SHARE_CONTACTS)
        )
        channel = np.where(REMOTE[batch.contact_type[answering]], feedback.REMOTE, feedback.IN_PERSON)
        self.write(
            "feedback",
            feedback.responses(
                rng, replica.station_ids, batch.station[answering], channel, batch.started[answering],
                tl.extract_instant, ids, self.next_number("feedback"),
            ),
        )  # fmt: skip

        rng = stream(seed, Stream.LABS, *key)
        self.write(
            "lab_results", generate_lab_results(rng, tl, residents, ids, replica.first_patient, first, stop)
        )
        rng = stream(seed, Stream.INTERVENTIONS, *key)
        number = self.next_number("interventions")
        self.write(
            "interventions", generate_interventions(rng, tl, residents, replica, ids, first, stop, number)
        )
        rng = stream(seed, Stream.QUESTIONNAIRE, *key)
        number = self.writers["questionnaire_answers"].rows // len(QUESTIONNAIRE_ITEMS) + 1
        self.write(
            "questionnaire_answers",
            generate_answers(rng, tl, residents, staff, replica, ids, first, stop, number),
        )

    def guidance(self, replica: Replica, listed: np.ndarray) -> None:
        """Guidance requests of a replica and the feedback some of them get."""
        rng = stream(self.seed, Stream.GUIDANCE, replica.index)
        number = self.next_number("guidance_requests")
        requests, unit, received = generate_guidance(rng, self.tl, replica, listed, self.ids, number)
        self.write("guidance_requests", requests)
        rng = stream(self.seed, Stream.FEEDBACK, replica.index, GUIDANCE_FEEDBACK_KEY)
        answering = np.flatnonzero(rng.random(len(unit)) < feedback.RESPONSE_SHARE_GUIDANCE)
        channel = np.full(len(answering), feedback.GUIDANCE)
        self.write(
            "feedback",
            feedback.responses(
                rng, replica.station_ids, unit[answering], channel, received[answering], self.tl.extract_instant,
                self.ids, self.next_number("feedback"),
            ),
        )  # fmt: skip


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not enabled,
    )


def generate(
    out_dir: Path,
    *,
    population: int = TEMPLATE_POPULATION,
    years: int = 2,
    start: dt.date = dt.date(2024, 1, 1),
    seed: int = 20240101,
    fmt: Literal["csv", "parquet"] = "csv",
    progress: bool = True,
) -> SynthSummary:
    """Write a synthetic county into ``out_dir`` (one file per canonical table + manifest.json).

    Raises ``ValueError`` for arguments out of range. Files of the other format left
    in ``out_dir`` by an earlier run are removed, so the folder holds one county.
    """
    _check_arguments(population, years, start, seed, fmt)
    began = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    other = "parquet" if fmt == "csv" else "csv"
    for name in LOAD_ORDER:
        (out_dir / f"{name}.{other}").unlink(missing_ok=True)

    plan = plan_county(population)
    end = period_end(start, years)
    tl = Timeline.build(start, end)
    with _progress(progress) as bar:
        tasks = (
            bar.add_task("Residents and contacts", total=population),
            bar.add_task("Appointment calendars", total=len(plan.replicas) * len(STATIONS)),
            bar.add_task("Guidance requests", total=len(plan.replicas)),
        )
        run = _CountyRun(out_dir, fmt, seed, tl, IdFormat.for_population(population), bar)
        try:
            run.write("stations", stations_table(plan))
            for replica in plan.replicas:
                run.replica(replica, start, statistical_years(start, end), tasks)
            rows = run.close()
        except BaseException:
            run.abort()
            raise

    manifest = {
        "patients_are_all_residents": True,
        "generator": f"valvomo.synth {__version__}",
        "seed": seed,
        "population": population,
        "start": start.isoformat(),
        "years": years,
        "end": end.isoformat(),
        "county": COUNTY_NAME,
        "replicas": len(plan.replicas),
        "format": fmt,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (out_dir / MANIFEST_FILE).write_text(text, encoding="utf-8")
    return SynthSummary(
        out_dir=out_dir,
        rows=rows,
        elapsed_seconds=time.perf_counter() - began,
        population=population,
        years=years,
        start=start,
        seed=seed,
        fmt=fmt,
    )
