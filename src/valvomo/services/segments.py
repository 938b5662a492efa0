"""Segment outputs for every interface: computed on request, cached per snapshot, disclosure-controlled.

The rows are those of the segment registry (``valvomo.segments.registry``) in
the output contract of ``valvomo indicators`` (indicators.md): the same
``ResultStore`` serves them, given ``SEGMENT_REGISTRY`` instead of the indicator
registry, so live computation, the per-snapshot cache, whole-period date ranges
and disclosure control (``protect_rows`` and complementary suppression across a
breakdown) work exactly as for the indicators. Segment rows are never
materialised at ingest: they are cheap enough to compute on first request.

The questionnaire segment mix counts the ingested answers **and** the answers
entered through the dashboard form (app database): ``FormAnswerSources`` offers the
form answers to the engine as an Ibis memtable (table ``FORM_ANSWERS``, the columns
of ``questionnaire_answers``) beside the warehouse's tables, and names a snapshot
that includes a digest of them, so the per-snapshot cache follows every new answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import ibis

from valvomo.config import Settings
from valvomo.indicators.registry import PERIOD_KINDS
from valvomo.indicators.runner import stage_cache
from valvomo.segments.questionnaire import ANSWERS, FORM_ANSWERS
from valvomo.segments.registry import SEGMENT_REGISTRY
from valvomo.services.results import ResultStore
from valvomo.warehouse.canonical import table_from_rows

CARE_GAP_OUTPUT = "care_gaps"
QUESTIONNAIRE_OUTPUT = "questionnaire_segment_mix"
UTILISATION_OUTPUTS = tuple(e.id for e in SEGMENT_REGISTRY if e.id not in (CARE_GAP_OUTPUT, QUESTIONNAIRE_OUTPUT))
SEGMENT_OUTPUTS = (*UTILISATION_OUTPUTS, QUESTIONNAIRE_OUTPUT)


def answers_digest(rows: Sequence[dict]) -> str:
    """A short digest of the form answers (part of the snapshot id the result cache is keyed by)."""
    text = "\n".join(
        f"{r['answer_id']}|{r['patient_id']}|{r['station_id']}|{r['answered_on']}|{r['item']}|{r['score']}" for r in rows
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class FormAnswerSources:
    """The warehouse's tables plus the form answers as ``FORM_ANSWERS`` (an Ibis memtable).

    ``questionnaire_answers`` counts as present when either source has answers (an empty memtable
    of its columns stands in when only the form has), so the questionnaire output is available to a
    county that collects answers only through the dashboard. Everything else is the warehouse's."""

    def __init__(self, warehouse, rows: Sequence[dict]):
        self._warehouse = warehouse
        self._rows = list(rows)
        snapshot = str(getattr(warehouse, "snapshot_id", "memory"))
        self.snapshot_id = f"{snapshot}+form-{answers_digest(self._rows)}" if self._rows else snapshot

    def __getattr__(self, name: str) -> Any:
        return getattr(self._warehouse, name)

    def has(self, name: str) -> bool:
        if name == FORM_ANSWERS:
            return bool(self._rows)
        if name == ANSWERS:
            return bool(self._rows) or self._warehouse.has(name)
        return self._warehouse.has(name)

    def table(self, name: str):
        if name == FORM_ANSWERS and self._rows:
            return ibis.memtable(table_from_rows(ANSWERS, self._rows))
        if name == ANSWERS and not self._warehouse.has(name) and self._rows:
            return ibis.memtable(table_from_rows(ANSWERS, []))
        return self._warehouse.table(name)

    def is_empty(self) -> bool:
        return self._warehouse.is_empty()


def form_answers(settings: Settings) -> list[dict]:
    """The dashboard's stored answers in the columns of ``questionnaire_answers``."""
    from valvomo.services.questionnaire_answers import form_answer_rows

    return form_answer_rows(settings)


def questionnaire_store(settings: Settings, store: ResultStore, rows: Sequence[dict] | None = None) -> ResultStore:
    """A segment store over ``store``'s warehouse with the form answers (``rows``, default: the app database's)."""
    rows = form_answers(settings) if rows is None else rows
    return ResultStore(settings, warehouse=FormAnswerSources(store.warehouse, rows), registry=SEGMENT_REGISTRY)


def form_answers_version(settings: Settings) -> str:
    """What the dashboard's page cache adds to its key for the questionnaire mix (changes with every answer)."""
    return answers_digest(form_answers(settings))


def segment_store(settings: Settings, *, warehouse=None) -> ResultStore:
    """A result store over the segment registry (the warehouse of ``settings`` unless one is given)."""
    return ResultStore(settings, warehouse=warehouse, registry=SEGMENT_REGISTRY)


def segment_rows(
    settings: Settings,
    outputs: Iterable[str] | None = None,
    *,
    period: str = "quarter",
    by: str | Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    profile: str | None = None,
    store: ResultStore | None = None,
    form_rows: Sequence[dict] | None = None,
) -> list[dict]:
    """Rows of the named segment outputs (default: every questionnaire and utilisation output the loaded
    tables allow; care gaps have their own service), disclosure-controlled with ``profile``
    (default ``settings.disclosure_profile``). The questionnaire mix counts the ingested and the form
    answers (``form_rows``, default: read from the app database)."""
    store = store or segment_store(settings)
    answers: ResultStore | None = None
    if outputs is None:
        answers = questionnaire_store(settings, store, form_rows)
        available = set(store.available(period, by)) | set(answers.available(period, by))
        outputs = [o for o in SEGMENT_OUTPUTS if o in available]
        if not outputs:
            return []
    outputs = list(dict.fromkeys(outputs))
    others = [o for o in outputs if o != QUESTIONNAIRE_OUTPUT]
    rows: list[dict] = []
    if others:
        # Every utilisation output reads the same per-patient rows: compute them once for the request.
        with stage_cache(store.warehouse, period_kinds=(period,) if period in PERIOD_KINDS else PERIOD_KINDS):
            rows = store.query(others, period=period, by=by, start=start, end=end, profile=profile)
    if QUESTIONNAIRE_OUTPUT in outputs:
        answers = answers or questionnaire_store(settings, store, form_rows)
        questionnaire = answers.query([QUESTIONNAIRE_OUTPUT], period=period, by=by, start=start, end=end,
                                      profile=profile)  # fmt: skip
        at = outputs.index(QUESTIONNAIRE_OUTPUT)
        before = set(outputs[:at])
        split = sum(1 for r in rows if r["indicator"] in before)
        rows = rows[:split] + questionnaire + rows[split:]
    return rows
