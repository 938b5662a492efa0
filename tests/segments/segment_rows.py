"""Row builders for the segment tests (canonical tables, the columns the engines read)."""

from __future__ import annotations

import datetime as dt


def contact(cid, patient, day="2024-06-01", *, station="S1", profession="nurse", contact_type="R10", cost=None,
            cancelled=False, service="T11", professional="X1"):  # fmt: skip
    started = dt.datetime.fromisoformat(day).replace(hour=10)
    return {
        "contact_id": cid,
        "patient_id": patient,
        "station_id": station,
        "professional_id": professional,
        "profession": profession,
        "contact_type": contact_type,
        "service_type": service,
        "nature": "SH",
        "urgency": "non_urgent",
        "started_at": started,
        "cancelled_at": started if cancelled else None,
        "cost_eur": cost,
    }


def patient(pid, birth_year=1970, home="S1", municipality="638", language="fi"):
    return {"patient_id": pid, "birth_year": birth_year, "sex": "F", "municipality": municipality,
            "language": language, "home_station_id": home}  # fmt: skip


def diagnosis(cid, code, system="icd10", position=1):
    return {"contact_id": cid, "position": position, "system": system, "code": code}


def lab(pid, test, value, day):
    return {"patient_id": pid, "test": test, "value": float(value), "unit": None,
            "taken_at": dt.datetime.fromisoformat(day).replace(hour=8)}  # fmt: skip


def answers(answer_id, pid, scores, day="2024-05-02", station="S1"):
    """``scores``: {item: score}."""
    return [
        {"answer_id": answer_id, "patient_id": pid, "station_id": station, "professional_id": "N1",
         "answered_on": dt.date.fromisoformat(day), "item": item, "score": score}  # fmt: skip
        for item, score in scores.items()
    ]


def all_items(resources, complexity):
    """Scores of the shipped item set: R1..R5 from ``resources`` and C1..C5 from ``complexity`` (lists of 5)."""
    return {**{f"R{i + 1}": s for i, s in enumerate(resources)}, **{f"C{i + 1}": s for i, s in enumerate(complexity)}}
