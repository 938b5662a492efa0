"""Plot time against contacts from the JSON figures of ``bench/indicators.py`` (one file per county size).

    python bench/plot_performance.py figures-1m.json figures-10m.json [...] --out docs/performance-scaling.svg

One line per engine and workload: the whole registry (Valvomo, staged as materialise runs it), the plain
scan of the columns it reads, and the four peer indicators in Valvomo, Polars and pandas. Server-side
SVG via matplotlib (as web/charts.py draws), log-log axes so that 1 M and 10 M contacts fit one plot.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERIES = (
    ("registry_median_s", "Valvomo, whole registry (40 indicators)", "-", "o"),
    ("scan_median_s", "plain DuckDB scan of the columns read", ":", "s"),
    ("four_indicators_valvomo_median_s", "Valvomo, 4 indicators", "-", "^"),
    ("four_indicators_polars_median_s", "Polars, 4 indicators", "--", "v"),
    ("four_indicators_pandas_median_s", "pandas, 4 indicators", "--", "D"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figures", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    runs = sorted((json.loads(p.read_text()) for p in args.figures), key=lambda f: f["contacts"])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label, style, marker in SERIES:
        points = [(r["contacts"], r[key]) for r in runs if key in r]
        if points:
            ax.plot(*zip(*points, strict=True), linestyle=style, marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("contacts")
    ax.set_ylabel("seconds (wall, median of the repeats)")
    loads = ", ".join(
        f"{r['contacts'] / 1e6:.1f} M: {r['load_average_at_end'][0]:.1f} ({r['repeat']}x)" for r in runs
    )
    ax.set_title(f"Time against contacts, 2 cores\nload average at the end (repeats): {loads}", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, format=args.out.suffix.lstrip(".") or "svg", metadata={"Date": None} if args.out.suffix == ".svg" else None)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
