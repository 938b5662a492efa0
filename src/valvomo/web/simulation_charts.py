"""Charts of simulation results: estimates with their intervals, drawn like ``web.charts`` draws.

Two pictures a planner needs: each station's 7-day share under the baseline and
the scenario as a dot with its 95 % interval, against the 80 % target; and the
backlog of waiting needs week by week, as a line with a band for its interval.
Built on ``valvomo.web.charts``' figure, palette and accessible-SVG helpers, so
the charts scale, carry a text alternative and read without colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np

from valvomo.web.charts import (
    _RC,
    _RENDER_LOCK,
    DASHES,
    GRID_COLOUR,
    MARKERS,
    PALETTE,
    TARGET_COLOUR,
    ValueFormat,
    _chart_id,
    _new_figure,
    _render,
    _style_axes,
    percent_format,
)


def interval_dots(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[dict]]],
    *,
    title: str,
    desc: str,
    target: float | None = None,
    target_label: str = "",
    value_format: ValueFormat | None = None,
) -> str:
    """One row per label; each series a marker at its mean with a whisker from low to high."""
    value_format = value_format or percent_format()
    height = 1.4 + 0.5 * max(len(labels), 1)
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure(7.2, height)
        axes = figure.add_subplot()
        y = np.arange(len(labels))[::-1].astype(float)
        offsets = np.linspace(-0.18, 0.18, max(len(series), 1)) if len(series) > 1 else [0.0]
        for number, ((name, estimates), offset) in enumerate(zip(series, offsets, strict=True)):
            means = np.array([e.get("mean") if e.get("mean") is not None else np.nan for e in estimates], dtype=float)
            lows = np.array([e.get("low") if e.get("low") is not None else np.nan for e in estimates], dtype=float)
            highs = np.array([e.get("high") if e.get("high") is not None else np.nan for e in estimates], dtype=float)
            errors = np.vstack([np.clip(means - lows, 0, None), np.clip(highs - means, 0, None)])
            axes.errorbar(means, y + offset, xerr=np.nan_to_num(errors), fmt=MARKERS[number % len(MARKERS)],
                          color=PALETTE[number % len(PALETTE)], capsize=3, linestyle="none", label=name)  # fmt: skip
        if target is not None:
            axes.axvline(target, color=TARGET_COLOUR, linestyle="--", linewidth=1.4, label=target_label)
        axes.set_yticks(y, list(labels))
        axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: value_format(v)))
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)
        axes.legend(frameon=False, fontsize=9, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3)
        return _render(figure, _chart_id("sim-dots", tuple(labels), repr(series), target, title), title, desc)


def band_lines(
    x: Sequence[float],
    series: Sequence[tuple[str, Sequence[dict]]],
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    value_format: ValueFormat,
) -> str:
    """Lines of the means with a shaded band from low to high (one per series)."""
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure(7.2, 3.4)
        axes = figure.add_subplot()
        for number, (name, points) in enumerate(series):
            colour = PALETTE[number % len(PALETTE)]
            mean = np.array([p.get("mean") if p.get("mean") is not None else np.nan for p in points], dtype=float)
            low = np.array([p.get("low") if p.get("low") is not None else np.nan for p in points], dtype=float)
            high = np.array([p.get("high") if p.get("high") is not None else np.nan for p in points], dtype=float)
            axes.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
            axes.plot(x, mean, color=colour, linestyle=DASHES[number % len(DASHES)], linewidth=1.8, label=name)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        _style_axes(axes, value_format)
        axes.legend(frameon=False, fontsize=9)
        return _render(figure, _chart_id("sim-band", tuple(x), repr(series), title), title, desc)
