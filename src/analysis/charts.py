"""House style for static charts: readable in print, in greyscale and on a phone.

Only matplotlib/seaborn static images are used, so every chart is embedded in the HTML as a
PNG and the page needs no network or JavaScript.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.rcsetup import cycler

PALETTE = ("#1f4e79", "#c55a11", "#548235", "#7f6000", "#7030a0", "#595959")
FIGSIZE = (8.0, 3.6)


def apply_house_style() -> None:
    """Set fonts, grid and colours once per notebook (idempotent)."""
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.prop_cycle": cycler(color=PALETTE),
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "legend.frameon": False,
            "svg.hashsalt": "csp",  # deterministic output
        }
    )


def monthly_trend(series: pd.DataFrame, *, month_col: str = "month", value_cols: list[str],
                  title: str, ylabel: str, shade: tuple[pd.Timestamp, pd.Timestamp] | None = None
                  ) -> Figure:
    """Line chart of monthly values; ``shade`` marks the assessment period.

    Missing months stay gaps in the line (NaN), never drop to zero.
    """
    fig = Figure(figsize=FIGSIZE)
    ax = fig.subplots()
    x = pd.to_datetime(series[month_col])
    for column, colour in zip(value_cols, PALETTE, strict=False):
        ax.plot(x, series[column], marker="o", markersize=3, linewidth=1.6, color=colour,
                label=column)
    if shade is not None:
        ax.axvspan(shade[0], shade[1], color="#d9d9d9", alpha=0.5, lw=0,
                   label="assessment period")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.legend(loc="lower left", fontsize=8, ncols=min(3, len(value_cols) + 1))
    fig.tight_layout()
    return fig


def coverage_grid(coverage: pd.DataFrame, *, row_col: str, title: str) -> Figure:
    """Month x source grid: present months shaded by row count, missing months hatched.

    ``coverage`` is a grid from :mod:`analysis.quality` (``month``, ``row_col``, ``status``,
    ``rows``). A missing month is drawn as a hatched grey cell and labelled as missing in the
    legend, never as a zero.
    """
    wide = coverage.pivot(index=row_col, columns="month", values="rows").astype("float64")
    months = pd.to_datetime(wide.columns)
    fig = Figure(figsize=(FIGSIZE[0], 0.45 * len(wide) + 1.6))
    ax = fig.subplots()
    image = ax.imshow(wide.to_numpy(), aspect="auto", cmap="Blues", interpolation="nearest")
    missing = wide.isna().to_numpy()
    for row, column in zip(*missing.nonzero(), strict=True):
        ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, facecolor="#d9d9d9",
                                           hatch="///", edgecolor="#7f7f7f", linewidth=0))
    ticks = [i for i, month in enumerate(months) if month.month in (1, 4, 7, 10)]
    ax.set_xticks(ticks, [months[i].strftime("%b %Y") for i in ticks], rotation=45, ha="right")
    ax.set_yticks(range(len(wide)), wide.index)
    ax.grid(False)
    ax.set_title(title, loc="left")
    fig.colorbar(image, ax=ax, label="rows per month", fraction=0.03)
    ax.legend(handles=[Patch(facecolor="#d9d9d9", hatch="///",
                                         edgecolor="#7f7f7f", label="missing month")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    return fig
