"""``docs/populations.md``, generated from ``POPULATIONS`` (``valvomo docs-populations``)."""

from __future__ import annotations

from pathlib import Path

from valvomo.indicators.populations import POPULATIONS
from valvomo.indicators.populations.base import Population
from valvomo.schema.docs import write_if_changed


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(population: Population) -> list[str]:
    lines = [
        f"## {population.title} (`{population.id}`)",
        "",
        population.definition,
        "",
        f"- Specification: {population.spec}",
        f"- One row: {population.grain}",
        f"- Built by: `{population.build.__module__}.{population.build.__name__}`",
        "- Used by: " + (", ".join(f"`{u}`" for u in population.used_by) or "-"),
        "",
        "| Column | Meaning |",
        "| --- | --- |",
    ]
    lines += [f"| `{_cell(name)}` | {_cell(meaning)} |" for name, meaning in population.columns.items()]
    return [*lines, ""]


def render_population_docs(populations: dict[str, Population] | None = None) -> str:
    """The page: an introduction, then one section per population in registration order."""
    populations = POPULATIONS if populations is None else populations
    lines = [
        "# Populations",
        "",
        "<!-- Generated from the population registry by `valvomo docs-populations`; do not edit by hand. -->",
        "",
        "The shared intermediate tables of the indicator engine (`valvomo.indicators.populations`): who or",
        "what an indicator counts, defined once as a named Ibis stage and read by every indicator and",
        "segment that needs it. Indicators are thin numerator / denominator / grouping over these; within a",
        "materialisation run each is computed once (`indicators.common.stage`). Definitions of the",
        "indicators themselves are in [indicators.md](indicators.md); the layer is described in",
        "[architecture.md](architecture.md).",
        "",
    ]
    for population in populations.values():
        lines += _section(population)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_population_docs(path: Path) -> bool:
    """Write the generated page; returns True when the file changed."""
    return write_if_changed(path, render_population_docs())
