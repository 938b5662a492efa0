"""Example programmes modelled on the seed documents, shipped with the package.

* ``helsinki`` — Helsinki's Future Health and Social Services Centre plan and its
  self-assessments 5/2021 and 11/2021 (seed 000): five benefit goals, 13
  spearheads, sub-projects per organisation, the percent meter;
* ``keski_suomi`` — Keski-Suomi's self-assessment (seed 003): three spearheads
  reported under the five benefit goals, the 1–5 meter per month 10/2020–4/2021;
* ``rrp_lansi_uusimaa`` — Länsi-Uusimaa's RRP plan (seed 002): investments 1–4,
  work packages 1–13 with budgets, the national indicators and targets, the
  risk register.

The demo loads all three so that ``valvomo report`` has something to write.
"""

from __future__ import annotations

from pathlib import Path

from valvomo.config import Settings

EXAMPLES_DIR = Path(__file__).parent
EXAMPLES: dict[str, str] = {
    "helsinki": "helsinki.yaml",
    "keski_suomi": "keski_suomi.yaml",
    "rrp_lansi_uusimaa": "rrp_lansi_uusimaa.yaml",
}


def example_path(name: str) -> Path:
    try:
        return EXAMPLES_DIR / EXAMPLES[name]
    except KeyError:
        raise KeyError(f"no example {name!r}; examples: {', '.join(EXAMPLES)}") from None


def load_examples(settings: Settings, *, replace: bool = True) -> list[str]:
    """Migrate the app database and store every example; returns the programme ids."""
    from valvomo.appdb import session_scope, upgrade_to_head
    from valvomo.programme.service import save_document
    from valvomo.programme.yamlio import read_document

    upgrade_to_head(settings)
    loaded = []
    with session_scope(settings) as session:
        for name in EXAMPLES:
            programme = save_document(session, read_document(example_path(name)), replace=replace)
            loaded.append(programme.id)
    return loaded
