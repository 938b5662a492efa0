"""Diagnosis code lists of the segment configuration: their format check and their Ibis match.

The chronic-condition list of the utilisation segments and the populations of the
care-gap rules are both lists of ICD-10 and ICPC-2 codes written by hand, so both
are checked the same way when the file is loaded and matched the same way against
``diagnoses``: a listed code matches itself and every longer code that begins with
it (``E11`` matches ``E11.9`` and ``E1165``), within its own coding system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import ibis
import ibis.expr.types as ir

from valvomo.schema import codes

FORMATS = {
    "icd10": (re.compile(r"^[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?$"), "an ICD-10 code such as E11 or E11.9"),
    "icpc2": (re.compile(r"^[A-Z][0-9]{2}$"), "an ICPC-2 code such as T90"),
}
assert set(FORMATS) == set(codes.DIAGNOSIS_SYSTEMS)


def code_problem(system: str, code: str) -> str | None:
    """Why ``code`` is not a valid code of ``system``, or None when it is."""
    pattern, expected = FORMATS[system]
    if not isinstance(code, str) or not pattern.match(code):
        return f"unknown {system} code {code!r}; expected {expected}"
    return None


def matches(diagnoses: ir.Table, code_lists: Iterable[Mapping[str, Iterable[str]]]) -> ir.BooleanValue:
    """Whether a ``diagnoses`` row carries one of the codes (by system) of any of ``code_lists``."""
    conditions = [
        (diagnoses.system == system) & diagnoses.code.startswith(code)
        for code_list in code_lists
        for system, listed in code_list.items()
        for code in listed
    ]
    return ibis.or_(*conditions) if conditions else ibis.literal(False)
