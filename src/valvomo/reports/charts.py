"""Charts of the report, drawn with matplotlib.

Each function returns a ``draw(fmt)`` callable giving SVG (inline in HTML) or
PNG (PDF and DOCX) bytes, so a chart is drawn only in the format a renderer
needs. Colours are the Okabe–Ito palette (distinguishable with colour-vision
deficiencies) and every series also differs by marker, so the charts do not
depend on colour alone; the report puts each chart's data in a table beside it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
STEP_COLOURS = ["#d9e6f2", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NOT_ASSESSED_COLOUR = "#bdbdbd"

plt.rcParams.update(
    {
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",
        "svg.hashsalt": "valvomo",
        "figure.dpi": 100,
    }
)


def _save(fig, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def svg_for_html(svg: bytes, label: str, prefix: str) -> str:
    """Inline SVG markup: no XML prolog, labelled as one image for assistive technology.

    matplotlib names its elements ``figure_1``, ``axes_1``, ... in every file;
    several charts on one page would repeat those ids, so each chart's ids
    (and the references to them) get the chart's own prefix.
    """
    text = svg.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    text = re.sub(r"<svg\b", f'<svg role="img" aria-label="{escaped}" focusable="false"', text, count=1)
    return text


def _short(text: str, length: int = 42) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def thin_ticks(ticks: Sequence[tuple[dt.date, str]], most: int = 10) -> list[tuple[dt.date, str]]:
    """Tick marks by date without duplicates, at most ``most`` of them (first and last kept)."""
    unique: dict[dt.date, str] = {}
    for day, label in sorted(ticks):
        unique.setdefault(day, label)
    items = list(unique.items())
    if len(items) <= most:
        return items
    step = -(-len(items) // most)
    kept = items[::step]
    if kept[-1] != items[-1]:
        kept[-1] = items[-1]
    return kept


def distribution_chart(
    categories: Sequence[str],
    counts: Sequence[Sequence[int]],  # per category: counts per step (0..100) then not assessed
    step_labels: Sequence[str],
    not_assessed_label: str,
    xlabel: str,
) -> Callable[[str], bytes]:
    """Horizontal stacked bars: how many measures stand at each meter step, per goal."""

    def draw(fmt: str) -> bytes:
        height = 0.55 * len(categories) + 1.3
        fig, ax = plt.subplots(figsize=(7.2, height))
        positions = list(range(len(categories)))[::-1]
        left = [0] * len(categories)
        colours = [*STEP_COLOURS, NOT_ASSESSED_COLOUR]
        labels = [*step_labels, not_assessed_label]
        hatches = ["", "", "", "", "", "//"]
        for step in range(len(labels)):
            widths = [row[step] for row in counts]
            ax.barh(
                positions, widths, left=left, color=colours[step], label=labels[step],
                edgecolor="white", hatch=hatches[step], linewidth=0.6,
            )
            for y, x0, w in zip(positions, left, widths, strict=True):
                if w:
                    ax.text(x0 + w / 2, y, str(w), ha="center", va="center", fontsize=8,
                            color="white" if step >= 3 and step < 5 else "black")
            left = [a + b for a, b in zip(left, widths, strict=True)]
        ax.set_yticks(positions, [_short(c) for c in categories])
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(ncol=3, fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.18 - 0.1 / max(1, len(categories))))
        return _save(fig, fmt)

    return draw


def progress_lines_chart(
    periods: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    ylabel: str,
    tick_format: Callable[[float], str],
) -> Callable[[str], bytes]:
    """Lines of mean meter value per spearhead across reporting periods."""

    def draw(fmt: str) -> bytes:
        fig, ax = plt.subplots(figsize=(7.2, 3.4))
        xs = list(range(len(periods)))
        for index, (name, values) in enumerate(series):
            points = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None]
            if not points:
                continue
            ax.plot(
                [p[0] for p in points], [p[1] for p in points],
                marker=MARKERS[index % len(MARKERS)], color=PALETTE[index % len(PALETTE)],
                label=_short(name, 50), linewidth=1.6,
            )
        ax.set_xticks(xs, list(periods))
        ax.set_ylim(-4, 104)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: tick_format(v)))
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        if series:
            ax.legend(fontsize=7.5, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), ncol=1 if len(series) < 9 else 2)
        return _save(fig, fmt)

    return draw


def indicator_chart(
    points: Sequence[tuple[dt.date, float | None]],
    value_format: Callable[[float], str],
    *,
    baseline: tuple[dt.date, float] | None,
    targets: Sequence[tuple[dt.date, float, str]],
    series_label: str,
    baseline_label: str,
    path_label: str,
    ticks: Sequence[tuple[dt.date, str]] = (),
) -> Callable[[str], bytes]:
    """The indicator's values over time with its baseline, targets and the path between them."""

    def draw(fmt: str) -> bytes:
        fig, ax = plt.subplots(figsize=(7.2, 3.2))
        shown = [(d, v) for d, v in points if v is not None]
        if shown:
            ax.plot([d for d, _ in shown], [v for _, v in shown], marker="o", color=PALETTE[0],
                    linewidth=1.8, label=series_label)
        if baseline is not None:
            ax.plot([baseline[0]], [baseline[1]], marker="s", color=PALETTE[1], linestyle="none",
                    markersize=7, label=baseline_label)
        if baseline is not None and targets:
            path = [baseline, *[(d, v) for d, v, _ in targets]]
            ax.plot([d for d, _ in path], [v for _, v in path], linestyle="--", color="#666666",
                    linewidth=1.0, label=path_label)
        for index, (deadline, value, label) in enumerate(targets):
            ax.plot([deadline], [value], marker="*", markersize=12, color=PALETTE[2 + index], linestyle="none",
                    label=label)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: value_format(v)))
        if ticks:
            ax.set_xticks([mdates.date2num(day) for day, _ in ticks], [label for _, label in ticks],
                          rotation=30 if len(ticks) > 6 else 0, ha="right" if len(ticks) > 6 else "center")
        else:
            ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
        ax.legend(fontsize=7.5, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        if not shown and baseline is None and not targets:
            ax.text(0.5, 0.5, "–", transform=ax.transAxes, ha="center")
        return _save(fig, fmt)

    return draw
