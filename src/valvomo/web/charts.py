"""Server-side SVG charts for the dashboard (issue 3, point 3).

Every chart is drawn with matplotlib's SVG backend and returned as inline SVG
markup that
- carries its own text alternative: ``role="img"`` with ``aria-labelledby``
  pointing at a ``<title>`` and a ``<desc>`` (the page also shows the data table);
- scales: a ``viewBox`` and ``width="100%"`` instead of a fixed pixel size, so it
  follows the column width in print and at 200 % zoom; text stays text
  (``svg.fonttype = none``);
- reads without colour: the Okabe–Ito palette (safe for the common colour-vision
  deficiencies), and every series also differs by marker, dash or hatch so that
  a greyscale print keeps them apart.

The functions take already-translated labels and a ``value_format`` callable, so
this module knows nothing of languages or of indicator arithmetic: values come
from ResultStore rows, after disclosure control (``None`` = redacted or missing,
drawn as a gap, never as zero). The only statistics here are the funnel-plot
control limits, which are a display device around the county value.

The sparkline is written by hand (a polyline in a 100 × 24 box): it has no axes
and runs a dozen times per overview page, where matplotlib's ~40 ms per figure
would dominate the response time.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import re
import textwrap
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

# Okabe & Ito (2008), ordered so that the first four keep >= 3:1 contrast on white
# (WCAG 1.4.11, non-text contrast); orange and sky blue are used for fills only.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#AA3377", "#000000", "#E69F00", "#56B4E9")
FILL_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#D55E00")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo")
MARKERS = ("o", "s", "^", "D", "v", "P")
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)))
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#c8c8c8"
TARGET_COLOUR = "#009E73"
COUNTY_COLOUR = "#000000"

ValueFormat = Callable[[float], str]

# rcParams are process-global; the lock keeps concurrent requests (uvicorn runs sync
# handlers in a thread pool) from rendering with each other's settings.
_RENDER_LOCK = threading.Lock()
_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 11,
    "axes.edgecolor": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "text.color": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "hatch.linewidth": 0.8,
}

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def percent_format(decimals: int = 0) -> ValueFormat:
    """A plain ``66 %`` formatter for shares, used when the caller passes none."""
    return lambda share: f"{share * 100:.{decimals}f} %"



def _chart_id(kind: str, *parts: object) -> str:
    digest = hashlib.sha1(repr((kind, parts)).encode("utf-8")).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _new_figure(width: float = 7.2, height: float = 3.4) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasSVG(figure)
    return figure


def _accessible_svg(raw: str, chart_id: str, title: str, desc: str) -> str:
    """Strip the XML prologue and metadata, make the root scalable and labelled.

    matplotlib names its groups ``figure_1``, ``axes_1``, ... in every figure; those
    ids are dropped and the few that are referenced (clip paths, markers) are
    prefixed with the chart id, so several charts can share one HTML page. Groups given a gid
    ``vlv-…`` (the funnel plot's parts) keep it as their class, for tests and styles.
    """
    body = _METADATA.sub("", _PROLOGUE.sub("", raw, count=1))
    referenced = {match.group(2) for match in _REFERENCE.finditer(body)}
    body = _ID.sub(
        lambda m: f' id="{chart_id}-{m.group(1)}"' if m.group(1) in referenced
        else f' class="{m.group(1)}"' if m.group(1).startswith("vlv-") else "", body
    )
    body = _REFERENCE.sub(lambda m: f"{m.group(1)}{chart_id}-{m.group(2)}", body)
    opening = _SVG_OPEN.search(body)
    viewbox = _VIEWBOX.search(opening.group(0)).group(1)
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="{viewbox}" width="100%" preserveAspectRatio="xMidYMid meet" class="chart" '
        f'role="img" focusable="false" id="{chart_id}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{html.escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{html.escape(desc)}</desc>'
    )
    return body[: opening.start()] + root + body[opening.end() :]


def _render(figure: Figure, chart_id: str, title: str, desc: str) -> str:
    buffer = io.StringIO()
    # The salt makes matplotlib's internal ids (clip paths, markers) unique per chart,
    # so that several inline SVGs on one page do not share ids.
    with matplotlib.rc_context({"svg.hashsalt": chart_id, "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _accessible_svg(buffer.getvalue(), chart_id, title, desc)


def _style_axes(axes, value_format: ValueFormat | None) -> None:
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)
    if value_format is not None:
        axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: value_format(v)))


def _nan(values: Sequence[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


@dataclass(frozen=True)
class TargetLine:
    """A target drawn as a dashed horizontal line, with its deadline marked on the x axis."""

    value: float
    label: str  # e.g. "Tavoite 80 % 4/2025 mennessä"
    deadline: str | None = None  # a category label (period) or None


def trend_chart(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    desc: str,
    category_labels: Sequence[str] | None = None,
    targets: Sequence[TargetLine] = (),
    value_format: ValueFormat | None = None,
    y_label: str = "",
    y_range: tuple[float, float] | None = None,
    deadline_text: str = "",
) -> str:
    """Lines over periods, one per series, with target lines and deadline markers.

    ``categories`` are period labels (the x positions); a target's deadline that is
    not among them is noted at the right edge with an arrow instead of a marker.
    """
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure()
        axes = figure.add_subplot()
        x = np.arange(len(categories))
        for index, (name, values) in enumerate(series.items()):
            axes.plot(
                x,
                _nan(values),
                color=PALETTE[index % len(PALETTE)],
                linestyle=DASHES[index % len(DASHES)],
                marker=MARKERS[index % len(MARKERS)],
                markersize=5,
                linewidth=2,
                label=name,
            )
        for target in targets:
            axes.axhline(target.value, color=TARGET_COLOUR, linestyle=(0, (6, 3)), linewidth=1.6)
            axes.annotate(
                target.label,
                xy=(0, target.value),
                xycoords=("axes fraction", "data"),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=9,
                color=TEXT_COLOUR,
            )
            if target.deadline is not None and target.deadline in categories:
                position = list(categories).index(target.deadline)
                axes.axvline(position, color=TARGET_COLOUR, linestyle=":", linewidth=1.4)
                axes.annotate(
                    deadline_text or target.deadline,
                    xy=(position, 1),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, -12),
                    textcoords="offset points",
                    fontsize=9,
                    color=TEXT_COLOUR,
                )
            elif target.deadline is not None and len(categories):
                axes.annotate(
                    f"→ {deadline_text or target.deadline}",
                    xy=(1, target.value),
                    xycoords=("axes fraction", "data"),
                    xytext=(-4, 3),
                    textcoords="offset points",
                    ha="right",
                    fontsize=9,
                    color=TEXT_COLOUR,
                )
        axes.set_xticks(x, list(category_labels or categories), rotation=0 if len(categories) <= 8 else 45)
        if y_range is not None:
            axes.set_ylim(*y_range)
        axes.set_ylabel(y_label)
        _style_axes(axes, value_format)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=9, loc="best")
        return _render(figure, _chart_id("trend", categories, series, targets, title), title, desc)


def sparkline(values: Sequence[float | None], *, title: str, desc: str) -> str:
    """A 100 × 24 polyline of the recent periods, last point marked; gaps stay gaps."""
    chart_id = _chart_id("spark", tuple(values), title)
    known = [v for v in values if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 24" width="100%" class="sparkline" '
        f'role="img" focusable="false" id="{chart_id}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{html.escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{html.escape(desc)}</desc>',
    ]
    if known:
        low, high = min(known), max(known)
        span = (high - low) or 1.0
        step = 96 / max(len(values) - 1, 1)
        segments: list[list[str]] = [[]]
        last = None
        for index, value in enumerate(values):
            if value is None:
                segments.append([])
                continue
            point = (2 + index * step, 21 - (value - low) / span * 18)
            segments[-1].append(f"{point[0]:.1f},{point[1]:.1f}")
            last = point
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{PALETTE[0]}" '
                    'stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round"/>'
                )
        if last is not None:
            parts.append(f'<circle cx="{last[0]:.1f}" cy="{last[1]:.1f}" r="2.2" fill="{PALETTE[0]}"/>')
    parts.append("</svg>")
    return "".join(parts)


def binomial_limit(proportion: float, denominator: int, probability: float) -> float:
    """The ``probability`` quantile of a Binomial(n, p) share, interpolated as in
    Spiegelhalter (2005), "Funnel plots for comparing institutional performance":
    r = smallest count with F(r) >= probability; alpha = (F(r) - probability) /
    (F(r) - F(r-1)); limit = (r - alpha) / n.
    """
    n = int(denominator)
    if n <= 0:
        raise ValueError("a funnel limit needs a positive denominator")
    if proportion <= 0.0 or proportion >= 1.0:
        return min(max(proportion, 0.0), 1.0)
    k = np.arange(n, dtype=float)
    # log pmf by the ratio recursion pmf(k+1)/pmf(k) = (n-k)/(k+1) * p/(1-p): exact enough and O(n)
    increments = np.log(n - k) - np.log(k + 1) + math.log(proportion / (1 - proportion))
    log_pmf = n * math.log1p(-proportion) + np.concatenate(([0.0], np.cumsum(increments)))
    cdf = np.cumsum(np.exp(log_pmf - log_pmf.max()))
    cdf /= cdf[-1]
    r = int(np.searchsorted(cdf, probability, side="left"))
    r = min(r, n)
    below = cdf[r - 1] if r > 0 else 0.0
    alpha = (cdf[r] - probability) / (cdf[r] - below) if cdf[r] > below else 0.0
    return min(max((r - alpha) / n, 0.0), 1.0)


FUNNEL_LEVELS = (("95", 0.025, 0.975), ("99.8", 0.001, 0.999))


def funnel_position(value: float | None, denominator: int | None, county: float | None) -> str:
    """Where a unit falls against the county's limits: ``above_998``, ``above_95``,
    ``within``, ``below_95``, ``below_998``, or ``unknown`` when it cannot be placed."""
    if value is None or county is None or not denominator or denominator <= 0:
        return "unknown"
    if value > binomial_limit(county, denominator, 0.999):
        return "above_998"
    if value < binomial_limit(county, denominator, 0.001):
        return "below_998"
    if value > binomial_limit(county, denominator, 0.975):
        return "above_95"
    if value < binomial_limit(county, denominator, 0.025):
        return "below_95"
    return "within"


@dataclass(frozen=True)
class FunnelPoint:
    label: str  # short station name, printed next to the point
    value: float | None  # share after disclosure control; None = redacted
    denominator: int | None  # rounded denominator as shown in the table


FUNNEL_MARKER_SIZE = 46  # scatter area in points²: radius sqrt(46) / 2 ≈ 3.4 pt
LABEL_FONT_SIZE = 9
# A label's box is estimated from its font size and its length, wide enough for a browser font
# wider than matplotlib's DejaVu: the width of a character and the extent above and below the
# baseline, in font sizes. The funnel-label test measures the SVG with the same figures.
LABEL_CHAR_EM = 0.62
LABEL_ASCENT_EM = 0.95
LABEL_DESCENT_EM = 0.3

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, y up


def label_box(x: float, baseline: float, text: str, fontsize: float = LABEL_FONT_SIZE) -> Box:
    """The estimated box of a left-aligned label whose baseline starts at (x, baseline), y up."""
    return (x, baseline - LABEL_DESCENT_EM * fontsize, x + LABEL_CHAR_EM * fontsize * len(text),
            baseline + LABEL_ASCENT_EM * fontsize)


def boxes_overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_hits_box(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether the segment p–q passes through the box (Liang–Barsky clipping)."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for edge_p, edge_q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if edge_p == 0:
            if edge_q < 0:
                return False
            continue
        t = edge_q / edge_p
        if edge_p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _distance_to_box(point: tuple[float, float], box: Box) -> float:
    dx = max(box[0] - point[0], 0.0, point[0] - box[2])
    dy = max(box[1] - point[1], 0.0, point[1] - box[3])
    return math.hypot(dx, dy)


def polyline_hits_box(points: Sequence[tuple[float, float]], box: Box) -> bool:
    return any(segment_hits_box(points[i], points[i + 1], box) for i in range(len(points) - 1))


def funnel_chart(
    points: Sequence[FunnelPoint],
    county_value: float,
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    county_label: str,
    limit_labels: tuple[str, str],
    value_format: ValueFormat | None = None,
) -> str:
    """Share against denominator with the county value and its 95 % / 99.8 % binomial
    limits, so that a small station's chance deviation is not over-read. Station names are
    placed clear of each other, of the points and of the lines (``_place_funnel_labels``); the
    y axis leaves room for a whole marker at 0 % and 100 %."""
    value_format = value_format or percent_format()
    placed = [p for p in points if p.value is not None and p.denominator]
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure(7.2, 4.2)
        axes = figure.add_subplot()
        largest = max([p.denominator for p in placed] + [20])
        grid = np.unique(np.geomspace(5, largest * 1.15, 60).astype(int))
        for (name, low, high), style, label in zip(
            FUNNEL_LEVELS, ("--", ":"), limit_labels, strict=True
        ):
            lower = [binomial_limit(county_value, int(n), low) for n in grid]
            upper = [binomial_limit(county_value, int(n), high) for n in grid]
            axes.plot(grid, lower, color=PALETTE[0], linestyle=style, linewidth=1.3, label=label, gid="vlv-limit")
            axes.plot(grid, upper, color=PALETTE[0], linestyle=style, linewidth=1.3, gid="vlv-limit")
            del name
        axes.axhline(county_value, color=COUNTY_COLOUR, linewidth=1.4, label=county_label, gid="vlv-county")
        positions = []
        for point in placed:
            position = funnel_position(point.value, point.denominator, county_value)
            positions.append(position)
            outside = position.endswith("998")
            axes.scatter(
                [point.denominator],
                [point.value],
                s=FUNNEL_MARKER_SIZE,
                marker="D" if outside else "o",
                color=PALETTE[1] if outside else PALETTE[0],
                edgecolors=TEXT_COLOUR,
                linewidths=0.6,
                zorder=3,
                clip_on=False,
                gid="vlv-point",
            )
        values = [p.value for p in placed] + [county_value]
        low = max(min(values) - 0.12, 0.0)
        high = min(max(values) + 0.12, 1.0)
        axes.set_ylim(low, high)
        axes.set_xlim(0, largest * 1.15)
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        _style_axes(axes, value_format)
        legend = axes.legend(frameon=False, fontsize=9, loc="lower right")
        axes.patch.set_gid("vlv-plot-area")
        _pad_for_markers(figure, axes, min(values), max(values))
        _place_funnel_labels(figure, axes, legend, placed, positions)
        return _render(figure, _chart_id("funnel", tuple(points), county_value, title), title, desc)


def _points_per_unit(figure: Figure) -> float:
    return 72.0 / figure.dpi  # display units (pixels) to points


def _pad_for_markers(figure: Figure, axes, lowest: float, highest: float) -> None:
    """Lay the figure out, then widen the y range so that the markers of the lowest and highest
    values lie wholly inside the plot area (a station at 100 % is not cut by the top edge), and
    freeze the layout so the labels placed next keep their positions."""
    radius = math.sqrt(FUNNEL_MARKER_SIZE) / 2 + 2.0  # points, with the edge and a little air
    for _ in range(3):
        figure.draw_without_rendering()
        height = axes.bbox.height * _points_per_unit(figure)
        low, high = axes.get_ylim()
        fraction = radius / height
        # the new limits put ``fraction`` of the axis height between the extreme values and the edges
        new_high = max(high, (highest - fraction * low) / (1 - fraction))
        new_low = min(low, (lowest - fraction * new_high) / (1 - fraction))
        if (new_high, new_low) == (high, low):
            break
        axes.set_ylim(new_low, new_high)
    figure.draw_without_rendering()
    figure.set_layout_engine("none")


def _place_funnel_labels(figure: Figure, axes, legend, points: Sequence[FunnelPoint], positions: Sequence[str],
                         fontsize: float = LABEL_FONT_SIZE) -> None:
    """Greedy label placement: points outside the limits first, then the larger stations; each
    label takes the first candidate position around its point whose estimated box stays inside
    the plot area and clear of the labels placed before, of every marker, of the limit and county
    lines and of the legend. A station within the limits whose label finds no room keeps its point
    unlabelled (the table below the chart names every station); a station outside the 95 % limits is
    always named: from farther, with a leader line, and if nothing else is free across a limit line
    (never over another label, a marker or the legend)."""
    scale = _points_per_unit(figure)

    def to_points(xy) -> tuple[float, float]:
        return (float(xy[0]) * scale, float(xy[1]) * scale)

    frame = axes.bbox
    area: Box = (frame.x0 * scale + 1, frame.y0 * scale + 1, frame.x1 * scale - 1, frame.y1 * scale - 1)
    lines = [[to_points(xy) for xy in line.get_transform().transform(line.get_xydata())] for line in axes.lines]
    legend_box = legend.get_window_extent()
    obstacles: list[Box] = [(legend_box.x0 * scale, legend_box.y0 * scale, legend_box.x1 * scale,
                             legend_box.y1 * scale)]
    radius = math.sqrt(FUNNEL_MARKER_SIZE) / 2 + 1.0
    centres = [to_points(axes.transData.transform((p.denominator, p.value))) for p in points]
    obstacles += [(x - radius, y - radius, x + radius, y + radius) for x, y in centres]
    rank = {"above_998": 0, "below_998": 0, "above_95": 1, "below_95": 1}
    order = sorted(range(len(points)), key=lambda i: (rank.get(positions[i], 2), -(points[i].denominator or 0)))
    line_height = fontsize * (LABEL_ASCENT_EM + LABEL_DESCENT_EM)
    for index in order:
        point, (x, y) = points[index], centres[index]
        width = LABEL_CHAR_EM * fontsize * len(point.label)
        gap = radius + 1.5
        middle = y - (LABEL_ASCENT_EM - LABEL_DESCENT_EM) * fontsize / 2  # baseline that centres the text
        candidates = []
        for step in range(0, 5):
            far = step * line_height
            candidates += [
                (x + gap, middle + far), (x + gap, middle - far),
                (x - gap - width, middle + far), (x - gap - width, middle - far),
                (x - width / 2, y + gap + LABEL_DESCENT_EM * fontsize + far),
                (x - width / 2, y - gap - LABEL_ASCENT_EM * fontsize - far),
            ]
        if rank.get(positions[index], 2) == 0:  # outliers may sit farther, with a leader line
            candidates += [(x + dx, middle + dy) for dy in (-3 * line_height, 3 * line_height, -5 * line_height,
                                                          5 * line_height)
                           for dx in (gap + 12, -gap - 12 - width)]
        spot = _free_spot(candidates, point.label, fontsize, (x, y), index, centres, area, obstacles, lines)
        if spot is None and rank.get(positions[index], 2) <= 1:
            # A station outside the 95 % limits is always named: farther spots, and if none is clear, one that may cross a limit
            # line (never another label, a marker or the legend).
            wider = [(x + dx, middle + dy) for dy in [k * line_height for k in range(-8, 9)]
                     for dx in (gap + 24, gap + 60, -gap - 24 - width, -gap - 60 - width)]
            spot = (_free_spot(wider, point.label, fontsize, (x, y), index, centres, area, obstacles, lines)
                    or _free_spot(candidates + wider, point.label, fontsize, (x, y), index, centres, area,
                                  obstacles, [], nearest=False))
        if spot is None:
            continue
        (bx, baseline), box = spot
        far = _distance_to_box((x, y), box) > 1.5 * line_height or any(
            _distance_to_box(c, box) <= _distance_to_box((x, y), box) for j, c in enumerate(centres) if j != index
        )  # a leader line whenever the label is far from its point or nearer another one
        axes.annotate(
            point.label, (point.denominator, point.value),
            xytext=((bx - x), (baseline - y)), textcoords="offset points",
            fontsize=fontsize, ha="left", va="baseline", annotation_clip=False, gid="vlv-label",
            arrowprops={"arrowstyle": "-", "color": GRID_COLOUR, "linewidth": 0.6} if far else None,
        )
        obstacles.append(box)


def _free_spot(candidates, label: str, fontsize: float, centre, index: int, centres, area: Box,
               obstacles: list[Box], lines, *, nearest: bool = True) -> tuple[tuple[float, float], Box] | None:
    """The first candidate (x, baseline) whose label box lies inside ``area``, clear of ``obstacles`` and of
    ``lines``, and (with ``nearest``) nearer its own point than any other station's point; ``None`` when
    there is none."""
    for bx, baseline in candidates:
        box = label_box(bx, baseline, label, fontsize)
        if not (area[0] <= box[0] and box[2] <= area[2] and area[1] <= box[1] and box[3] <= area[3]):
            continue
        if any(boxes_overlap(box, other) for other in obstacles):
            continue
        if any(polyline_hits_box(line, box) for line in lines):
            continue
        own = _distance_to_box(centre, box)
        if nearest and any(_distance_to_box(c, box) <= own for j, c in enumerate(centres) if j != index):
            continue  # nearer another station's point: it would read as that one's name
        return (bx, baseline), box
    return None


def comparison_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    desc: str,
    reference: float | None = None,
    reference_label: str = "",
    value_format: ValueFormat | None = None,
    redacted_text: str = "<8",
) -> str:
    """Horizontal bars, one per unit in the given (already sorted) order, with the
    county value as a reference line; redacted units get a text, not a bar."""
    value_format = value_format or percent_format()
    height = 1.2 + 0.38 * max(len(labels), 1)
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure(7.2, height)
        axes = figure.add_subplot()
        y = np.arange(len(labels))[::-1]
        known = _nan(values)
        axes.barh(y, np.nan_to_num(known, nan=0.0), color=PALETTE[0], height=0.62)
        scale = np.nanmax(known) if np.isfinite(known).any() else 1.0
        for position, value in zip(y, values, strict=True):
            text = redacted_text if value is None else value_format(value)
            axes.annotate(text, (0 if value is None else value, position), xytext=(4, 0),
                          textcoords="offset points", va="center", fontsize=9)
        if reference is not None:
            axes.axvline(reference, color=COUNTY_COLOUR, linestyle="--", linewidth=1.4, label=reference_label)
            axes.legend(frameon=False, fontsize=9, loc="lower right")
            scale = max(scale, reference)
        axes.set_yticks(y, list(labels))
        axes.set_xlim(0, scale * 1.18 if scale > 0 else 1)
        axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _pos: value_format(v)))
        axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
        axes.set_axisbelow(True)
        return _render(figure, _chart_id("bars", tuple(labels), tuple(values), reference, title), title, desc)


def histogram(
    bins: Sequence[str],
    shares: Sequence[float | None],
    *,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    value_format: ValueFormat | None = None,
    redacted_text: str = "<8",
) -> str:
    """Waiting-time bins as adjacent bars, each labelled with its share."""
    value_format = value_format or percent_format()
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure(7.2, 3.4)
        axes = figure.add_subplot()
        x = np.arange(len(bins))
        known = _nan(shares)
        axes.bar(x, np.nan_to_num(known, nan=0.0), width=0.92, color=PALETTE[0], edgecolor="white")
        for position, share in zip(x, shares, strict=True):
            text = redacted_text if share is None else value_format(share)
            axes.annotate(text, (position, 0 if share is None else share), xytext=(0, 3),
                          textcoords="offset points", ha="center", fontsize=9)
        top = np.nanmax(known) if np.isfinite(known).any() else 1.0
        axes.set_ylim(0, top * 1.2 if top > 0 else 1)
        axes.set_xticks(x, list(bins))
        axes.set_xlabel(x_label)
        axes.set_ylabel(y_label)
        _style_axes(axes, value_format)
        return _render(figure, _chart_id("hist", tuple(bins), tuple(shares), title), title, desc)


def stacked_shares(
    categories: Sequence[str],
    stacks: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    desc: str,
    category_labels: Sequence[str] | None = None,
    value_format: ValueFormat | None = None,
    y_label: str = "",
) -> str:
    """Stacked bars of shares per period (the channel mix); each layer has its own
    colour and hatch, and a redacted layer leaves a gap rather than a wrong height."""
    value_format = value_format or percent_format()
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        figure = _new_figure(7.2, 3.4)
        axes = figure.add_subplot()
        x = np.arange(len(categories))
        bottom = np.zeros(len(categories))
        for index, (name, values) in enumerate(stacks.items()):
            heights = np.nan_to_num(_nan(values), nan=0.0)
            axes.bar(
                x,
                heights,
                bottom=bottom,
                width=0.7,
                label=name,
                color=FILL_PALETTE[index % len(FILL_PALETTE)],
                hatch=HATCHES[index % len(HATCHES)],
                edgecolor="white",
                linewidth=0.8,
            )
            bottom = bottom + heights
        shown = [textwrap.fill(str(c), 22) for c in (category_labels or categories)]  # names, wrapped
        rotated = len(categories) > 8
        axes.set_xticks(x, shown, rotation=45 if rotated else 0, ha="right" if rotated else "center",
                        rotation_mode="anchor")  # fmt: skip
        axes.set_ylim(0, max(1.0, float(bottom.max()) if len(bottom) else 1.0))
        axes.set_ylabel(y_label)
        _style_axes(axes, value_format)
        # above the bars: below them the legend would overlap labels that are rotated or wrapped
        axes.legend(frameon=False, fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                    ncols=max(len(stacks), 1))
        return _render(figure, _chart_id("stack", tuple(categories), stacks, title), title, desc)
