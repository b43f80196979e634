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

from analysis.stats.measures import require_columns

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

    ``coverage`` is a grid from :mod:`analysis.store.quality` (``month``, ``row_col``, ``status``,
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


def plot_funnel(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    label_col: str = "area",
    highlight: object | None = None,
    title: str = "",
    ylabel: str = "Rate per 1,000 population",
) -> Figure:
    """Funnel plot: areas' rates (``points`` with population and rate) against the limits.

    ``limits`` comes from :func:`funnel_limits`. The highlighted area is drawn and labelled
    in a contrasting colour. Returns a matplotlib Figure (nothing shown or saved).
    """
    require_columns(points, [label_col, "population", "rate"])
    figure = Figure(figsize=(8, 5), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(limits["population"], limits["target_rate"], color="#1f77b4", label="Peer average")
    styles = {"95": ("#ff7f0e", "--", "95% limits"), "99_8": ("#d62728", ":", "99.8% limits")}
    for suffix, (colour, dash, name) in styles.items():
        if f"upper_{suffix}" in limits:
            axes.plot(limits["population"], limits[f"upper_{suffix}"], color=colour,
                      linestyle=dash, label=name)
            axes.plot(limits["population"], limits[f"lower_{suffix}"], color=colour,
                      linestyle=dash, label="_" + name)
    others = points[points[label_col] != highlight]
    axes.scatter(others["population"], others["rate"], color="#7f7f7f", zorder=3, label="Peers")
    if highlight is not None:
        mine = points[points[label_col] == highlight]
        axes.scatter(mine["population"], mine["rate"], color="#2ca02c", s=70, zorder=4,
                     label=str(highlight))
        for _, row in mine.iterrows():
            axes.annotate(str(highlight), (row["population"], row["rate"]),
                          textcoords="offset points", xytext=(6, 6))
    axes.set_xlabel("Population")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(loc="best", fontsize="small")
    return figure


def plot_xmr(
    chart: pd.DataFrame, *, title: str = "", ylabel: str = "Count", xlabel: str = ""
) -> Figure:
    """Draw an XmR chart from :func:`xmr`'s table: values, mean, limits, signals highlighted.

    The value line breaks at a missing point (it never joins the months either side of a
    gap) and a dotted vertical line marks the start of each new phase, whose mean and limits
    are drawn separately. Returns a matplotlib Figure (nothing is shown or saved).
    """
    figure = Figure(figsize=(8, 4), layout="constrained")
    axes = figure.add_subplot()
    x = chart.index
    axes.plot(x, chart["value"], marker="o", color="#4d4d4d", linewidth=1.2, label="Value")
    starts = chart.index[chart["phase"].diff().fillna(0).to_numpy() != 0]
    for position, start in enumerate(starts):
        axes.axvline(start, color="#7f7f7f", linestyle=":", linewidth=1,
                     label="Phase break" if position == 0 else "_break")
    for _, part in chart.groupby("phase", sort=False):
        axes.plot(part.index, part["mean"], color="#1f77b4", linewidth=1, label="_mean")
        for column in ("upper", "lower"):
            axes.plot(part.index, part[column], color="#d62728", linestyle="--", linewidth=1,
                      label="_limit")
    signals = chart[chart["signal"]]
    axes.scatter(signals.index, signals["value"], color="#ff7f0e", zorder=3, s=50,
                 label="Special cause")
    axes.plot([], [], color="#1f77b4", label="Mean")
    axes.plot([], [], color="#d62728", linestyle="--", label="Process limits")
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.set_xlabel(xlabel)
    axes.legend(loc="best", fontsize="small")
    return figure



def forecast_fans(data: pd.DataFrame, *, title: str, flagged: frozenset[str] = frozenset(),
                  ncols: int = 3) -> Figure:
    """Small multiples, one panel per series: the months held (solid line), the forecast
    (dashed) and its 80 % and 95 % prediction intervals (darker and lighter bands).

    ``data`` is :func:`analysis.stats.forecasts.fan_data` (series, month, count, forecast,
    lower_80, upper_80, lower_95, upper_95). Series in ``flagged`` (emerging) have their panel
    title marked. Each panel has its own scale (the series differ in size); the y axis starts
    at 0.
    """
    require_columns(data, ["series", "month", "count", "forecast", "lower_80", "upper_80",
                           "lower_95", "upper_95"])
    names = list(dict.fromkeys(data["series"]))
    nrows = max(1, -(-len(names) // ncols))
    fig = Figure(figsize=(FIGSIZE[0] + 1, 2.0 * nrows + 0.8), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        part = data[data["series"] == name]
        x = pd.to_datetime(part["month"])
        ahead = part["forecast"].notna().to_numpy()
        ax.fill_between(x[ahead], part["lower_95"][ahead], part["upper_95"][ahead],
                        color=PALETTE[0], alpha=0.15, lw=0, label="95 % interval")
        ax.fill_between(x[ahead], part["lower_80"][ahead], part["upper_80"][ahead],
                        color=PALETTE[0], alpha=0.3, lw=0, label="80 % interval")
        ax.plot(x[~ahead], part["count"][~ahead], color="#404040", linewidth=1.2,
                label="recorded")
        ax.plot(x[ahead], part["forecast"][ahead], color=PALETTE[0], linestyle="--",
                linewidth=1.2, label="forecast")
        emerging = name in flagged
        ax.set_title(f"{name} (emerging)" if emerging else name, fontsize=9,
                     color=PALETTE[1] if emerging else "black", loc="left")
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %y"))
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(4, 10)))
    for ax in axes[len(names):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=8)
    fig.suptitle(title, fontweight="bold", fontsize=11)
    return fig


def annual_totals(table: pd.DataFrame, *, label_col: str, title: str, ncols: int = 3
                  ) -> Figure:
    """Small multiples of yearly totals, one panel per row of ``table`` (its other columns
    are the years, oldest first). A year heading that names fewer months than a year
    ('(10 of 12 months)') is drawn hatched: its total is over the months held only. A year
    with no value has no bar (a gap, not 0)."""
    years = [c for c in table.columns if c != label_col]
    partial = ["months)" in str(year) for year in years]
    short = [str(year).split(" (")[0] for year in years]
    nrows = max(1, -(-len(table) // ncols))
    fig = Figure(figsize=(FIGSIZE[0] + 1, 1.9 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (_, row) in zip(axes, table.iterrows(), strict=False):
        values = pd.to_numeric(row[years], errors="coerce").to_numpy(dtype="float64")
        bars = ax.bar(range(len(years)), values, color=PALETTE[0])
        for bar, is_partial in zip(bars, partial, strict=True):
            if is_partial:
                bar.set_facecolor("#d9d9d9")
                bar.set_hatch("///")
        ax.set_xticks(range(len(years)), short, fontsize=7, rotation=30)
        ax.set_title(str(row[label_col]), fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
    for ax in axes[len(table):]:
        ax.set_visible(False)
    if any(partial):
        fig.legend(handles=[Patch(facecolor="#d9d9d9", hatch="///", edgecolor="#7f7f7f",
                                  label="year with months missing (months held only)")],
                   loc="outside lower center", fontsize=8)
    fig.suptitle(title, fontweight="bold", fontsize=11)
    return fig
