"""The programme plans of the tests, written once: a programme with one benefit goal and one spearhead
(the least the YAML schema accepts), to which a test adds its measures and indicator links.

Importable from every test folder (``pythonpath = ["tests"]`` in pyproject.toml)."""

from __future__ import annotations

import textwrap


def plan_yaml(
    programme_id: str,
    name: str,
    *,
    start: str,
    end: str,
    cadence: str,
    periods: list[str],
    measures: str = "",
    indicators: str = "",
) -> str:
    """The YAML text of a one-goal, one-spearhead programme.

    ``measures`` is the spearhead's ``measures:`` list and ``indicators`` the top-level ``indicators:``
    list, each written without indentation (they are indented here)."""
    text = textwrap.dedent(
        f"""\
        programme:
          id: {programme_id}
          name: {name}
          organisation: Testialue
          start: {start}
          end: {end}
          cadence: {cadence}
          periods: [{", ".join(periods)}]
        benefit_goals:
          - number: 1
        spearheads:
          - number: 1
            name: Kärki
            goal: 1
        """
    )
    if measures:
        text += "    measures:\n" + textwrap.indent(measures, "      ")
    if indicators:
        text += "indicators:\n" + textwrap.indent(indicators, "  ")
    return text
