"""Segments, Lorenz/Gini, questionnaire scores and care gaps against independent plain-Python references."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from segment_rows import all_items, answers, contact, diagnosis, lab, patient

from valvomo.indicators.registry import Query
from valvomo.indicators.runner import compute
from valvomo.segments.caregaps import gap_patients, load_rules
from valvomo.segments.questionnaire import answer_scores, load_questionnaire
from valvomo.segments.registry import SEGMENT_REGISTRY

PHYSICAL, REMOTE = ("R10", "R20"), ("R50", "R56")
FIRST = dt.date(2023, 7, 1)
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

contact_rows = st.lists(
    st.tuples(
        st.integers(0, 11),  # patient
        st.integers(0, 548),  # day after FIRST
        st.sampled_from(PHYSICAL + REMOTE + ("R60",)),
        st.booleans(),  # cancelled
        st.one_of(st.none(), st.integers(0, 40).map(lambda c: c * 12.5)),  # cost, with ties
        st.booleans(),  # chronic diagnosis
    ),
    min_size=1,
    max_size=40,
)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _quarter(day: dt.date) -> tuple[str, int]:
    q = (day.month - 1) // 3 + 1
    return f"{day.year}Q{q}", day.year * 12 + q * 3 - 1


def reference_segments(events):
    """{period: {patient: (segment, contacts)}} by the definition in docs/utilisation-segments.md."""
    realised = [e for e in events if not e["cancelled"] and e["type"] != "R60"]
    periods = {_quarter(e["day"]) for e in realised}
    out = {}
    for label, last in periods:
        window = [e for e in realised if last - 11 <= _month_index(e["day"]) <= last]
        users: dict[str, dict] = {}
        for e in window:
            u = users.setdefault(e["patient"], {"contacts": 0, "cents": 0, "costed": 0, "chronic": False})
            u["contacts"] += 1
            if e["cost"] is not None:
                u["cents"] += round(e["cost"] * 100)
                u["costed"] += 1
            u["chronic"] |= e["chronic"]
        by_cost = any(u["costed"] for u in users.values())
        ranked = sorted(users, key=lambda p: (-(users[p]["cents"] if by_cost else users[p]["contacts"]), p))
        top = set(ranked[: (len(users) + 9) // 10])
        out[label] = {
            p: ("high_need" if p in top else "regular" if u["chronic"] or u["contacts"] >= 3 else "episodic", u["contacts"])
            for p, u in users.items()
        }
    return out


def reference_gini(values):
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    return 2 * sum((i + 1) * x for i, x in enumerate(xs)) / (n * total) - (n + 1) / n


def _tables(raw):
    events, contacts, diagnoses = [], [], []
    for i, (p, day, ctype, cancelled, cost, chronic) in enumerate(raw):
        d = FIRST + dt.timedelta(days=day)
        pid = f"P{p:02d}"
        events.append({"patient": pid, "day": d, "type": ctype, "cancelled": cancelled, "cost": cost, "chronic": chronic})
        contacts.append(contact(f"C{i:03d}", pid, d.isoformat(), contact_type=ctype, cost=cost, cancelled=cancelled))
        if chronic:
            diagnoses.append(diagnosis(f"C{i:03d}", "I10"))
    return events, {"contacts": contacts, "diagnoses": diagnoses}


@SETTINGS
@given(contact_rows)
def test_segment_mix_and_gini_match_the_reference(make_sources, raw):
    events, tables = _tables(raw)
    # chronic diagnoses count on realised patient contacts only, in the reference as in the engine
    sources = make_sources(tables)
    expected = reference_segments(events)
    query = Query(period="quarter")
    mix = compute("utilisation_segment_mix", sources, query, registry=SEGMENT_REGISTRY)
    got = {(r["period"], r["bin"]): (r["numerator"], r["denominator"]) for r in mix}
    want = {}
    for period, people in expected.items():
        for segment in {s for s, _ in people.values()}:
            want[(period, segment)] = (sum(1 for s, _ in people.values() if s == segment), len(people))
    assert got == want
    gini = {r["period"]: r["value"] for r in compute("gini_contacts", sources, query, registry=SEGMENT_REGISTRY)}
    assert set(gini) == set(expected)
    for period, people in expected.items():
        assert abs(gini[period] - reference_gini([c for _, c in people.values()])) < 1e-9


@SETTINGS
@given(st.lists(st.lists(st.integers(1, 5), min_size=10, max_size=10), min_size=1, max_size=8))
def test_questionnaire_scores_match_the_reference(make_sources, sessions):
    rows = [r for i, s in enumerate(sessions) for r in answers(f"A{i}", f"P{i}", all_items(s[:5], s[5:]))]
    sources = make_sources({"questionnaire_answers": rows})
    qset = load_questionnaire()
    got = sources.backend.to_pyarrow(answer_scores(sources.table("questionnaire_answers"), qset)).to_pylist()
    names = {(s.resources, s.complexity): s.id for s in qset.segments}
    expected = {}
    for i, s in enumerate(sessions):
        resources, complexity = (Fraction(sum(s[:5]), 5) - 1) / 4, (Fraction(sum(s[5:]), 5) - 1) / 4
        level = lambda x: "high" if x >= Fraction(1, 2) else "low"  # noqa: E731
        expected[f"A{i}"] = (round(float(resources), 12), round(float(complexity), 12),
                             names[(level(resources), level(complexity))])  # fmt: skip
    assert {r["answer_id"]: (r["resources"], r["complexity"], r["segment"]) for r in got} == expected


@SETTINGS
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.one_of(st.none(), st.integers(0, 800)), st.integers(1990, 2010)),
        min_size=1,
        max_size=10,
    )
)
def test_no_hba1c_gaps_match_the_reference(make_sources, people):
    index = dt.date(2024, 12, 31)
    contacts, diagnoses, patients, labs, born = [], [], [], [], {}
    for p, lab_days_back, birth_year in people:
        pid = f"P{p}"
        if pid in born:
            continue
        born[pid] = (birth_year, lab_days_back)
        contacts.append(contact(f"d{pid}", pid, "2024-01-15"))
        diagnoses.append(diagnosis(f"d{pid}", "E11.9"))
        patients.append(patient(pid, birth_year))
        if lab_days_back is not None:
            labs.append(lab(pid, "HbA1c", 50, (index - dt.timedelta(days=lab_days_back)).isoformat()))
    sources = make_sources({"contacts": contacts, "diagnoses": diagnoses, "patients": patients, "lab_results": labs})
    rows = sources.backend.to_pyarrow(gap_patients(sources, load_rules(), index)).to_pylist()
    got = sorted(r["patient_id"] for r in rows if r["rule"] == "t2d_no_hba1c_12m")
    window_start = dt.date(2023, 12, 31)  # (index - 12 months, index]
    expected = sorted(
        pid
        for pid, (birth_year, back) in born.items()
        if 2024 - birth_year >= 18 and (back is None or index - dt.timedelta(days=back) <= window_start)
    )
    assert got == expected
