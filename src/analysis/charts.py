"""House style for static charts: readable in print, in greyscale and on a phone.

Only matplotlib/seaborn static images are used, so every chart is embedded in the HTML as a
PNG and the page needs no network or JavaScript.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

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
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
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
