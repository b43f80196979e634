"""House style for static charts: readable in print, in greyscale and on a phone.

Only matplotlib/seaborn static images are used, so every chart is embedded in the HTML as a
PNG and the page needs no network or JavaScript.
"""

from __future__ import annotations

from typing import cast

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from adjustText import adjust_text  # type: ignore[import-untyped]
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.rcsetup import cycler
from matplotlib.text import Text
from matplotlib.ticker import StrMethodFormatter

from analysis.present.chart_text import describe, month_span, number, series_summary
from analysis.present.label_box import LabelBox
from analysis.present.label_overlaps import faster_overlaps
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


SCALE_RATIO = 5.0
"""Series whose peaks differ more than this many times are drawn on panels of their own, so
the small one is not flattened on the zero line of the large one."""


def needs_panels(series: pd.DataFrame, value_cols: list[str]) -> bool:
    """Whether the largest series' peak is more than :data:`SCALE_RATIO` times the smallest's
    (a series with no values, or only zeros, counts as the smallest)."""
    peaks = [float(series[column].max()) if series[column].notna().any() else 0.0
             for column in value_cols]
    return len(peaks) > 1 and max(peaks) > SCALE_RATIO * max(min(peaks), 0.0) and max(peaks) > 0


def monthly_trend(series: pd.DataFrame, *, month_col: str = "month", value_cols: list[str],
                  title: str, ylabel: str, shade: tuple[pd.Timestamp, pd.Timestamp] | None = None
                  ) -> Figure:
    """Line chart of monthly values; ``shade`` marks the assessment period.

    Missing months stay gaps in the line (NaN), never drop to zero. Series of very different
    size (:func:`needs_panels`) get one panel each with its own y scale, the series named in
    the panel's title; the legend sits below the plot, never over a line.
    """
    panels = needs_panels(series, value_cols)
    rows = len(value_cols) if panels else 1
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] if rows == 1 else 1.2 + 1.7 * rows),
                 layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    x = pd.to_datetime(series[month_col])
    for row, (column, colour) in enumerate(zip(value_cols, PALETTE, strict=False)):
        ax = axes[row if panels else 0]
        ax.plot(x, series[column], marker="o", markersize=3, linewidth=1.6, color=colour,
                label="_" + column if panels else column)
        if panels:
            ax.set_title(column, loc="left", fontsize=9)
    for position, ax in enumerate(axes):
        if shade is not None:
            ax.axvspan(shade[0], shade[1], color="#d9d9d9", alpha=0.5, lw=0,
                       label="assessment period" if position == 0 else "_shade")
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    if panels:
        fig.suptitle(title, fontsize=11, fontweight="bold")
        fig.supylabel(ylabel, fontsize=10)
    else:
        axes[0].set_title(title)
        axes[0].set_ylabel(ylabel)
    if fig.axes[0].get_legend_handles_labels()[0]:
        fig.legend(loc="outside lower center", fontsize=8,
                   ncols=min(4, len(fig.axes[0].get_legend_handles_labels()[0])))
    kind = ("Line charts, one panel per series with its own scale," if panels
            else "Line chart")
    return describe(fig, f"{kind} of {ylabel}, {month_span(x)}"
                    f"{', the assessment period shaded' if shade is not None else ''}. "
                    + "; ".join(series_summary(column, x, series[column])
                                for column in value_cols) + ".")


def coverage_grid(coverage: pd.DataFrame, *, row_col: str, title: str) -> Figure:
    """Month x source grid: present months shaded by row count, missing months hatched.

    ``coverage`` is a grid from :mod:`analysis.store.quality` (``month``, ``row_col``, ``status``,
    ``rows``). A missing month is drawn as a hatched grey cell and labelled as missing in the
    legend, never as a zero.
    """
    wide = coverage.pivot(index=row_col, columns="month", values="rows").astype("float64")
    months = pd.to_datetime(wide.columns)
    fig = Figure(figsize=(FIGSIZE[0], 0.45 * len(wide) + 1.9), layout="constrained")
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
    fig.legend(handles=[Patch(facecolor="#d9d9d9", hatch="///",
                                          edgecolor="#7f7f7f", label="missing month")],
               loc="outside lower right", fontsize=8)
    held = int(wide.notna().to_numpy().sum())
    return describe(fig, f"Grid of months by {row_col}, {month_span(pd.Series(months))}: "
                    f"{len(wide)} rows, each month shaded by its number of rows; {held} "
                    f"month cells held and {int(missing.sum())} missing (hatched).")


LABEL_ITERATIONS = 150
"""How many moves adjustText makes at most to spread labels apart. A count, not adjustText's
default one-second clock: on a clock the labels land wherever the machine's load let them get
to, so the same data drew a different map from one build to the next (and a crowded map cost a
second each time). Labels that have not separated by 150 moves on a demo or an Essex map do not
separate by 500 either (the overlap left was the same)."""


def spread_labels(ax: Axes, texts: list[Text], points: tuple[list[float], list[float]],
                  obstacles: tuple[list[float], list[float]] = ([], [])) -> None:
    """Move ``texts`` (each placed at its point of ``points``) apart so none overlaps another,
    a point or a point of ``obstacles`` (e.g. squares on a map), each joined to its point by
    a thin line when it had to move (adjustText)."""
    if not texts:
        return
    for text in texts:  # names from data are words, never mathtext (a '$' is a dollar)
        text.set_parse_math(False)
    figure = cast(Figure, ax.figure)
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)  # adjustText measures the text on the figure's renderer
    with faster_overlaps():  # the same placement, without adjustText's quadratic step
        _, leaders = adjust_text(
            texts, x=[*points[0], *obstacles[0]], y=[*points[1], *obstacles[1]],
            target_x=points[0], target_y=points[1], ax=ax, expand=(1.15, 1.3),
            iter_lim=LABEL_ITERATIONS, time_lim=None,
            arrowprops={"arrowstyle": "-", "color": "#7f7f7f", "linewidth": 0.5})
    for leader in leaders:  # each line stops at its label's box, found by arithmetic
        label = getattr(leader, "patchA", None)
        if isinstance(leader, FancyArrowPatch) and isinstance(label, Text) \
                and LabelBox.supported(label):
            # matplotlib only asks patchA's contains(), which LabelBox answers
            leader.set_patchA(cast(Patch, LabelBox(label)))


def plot_funnel(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    *,
    label_col: str = "area",
    highlight: object | None = None,
    title: str = "",
    ylabel: str = "Rate per 1,000 population",
    centre_label: str = "Force rate",
) -> Figure:
    """Funnel plot: areas' rates (``points`` with population and rate) against the limits.

    ``limits`` comes from :func:`funnel_limits` around a centre rate, named ``centre_label``
    in the legend (the force's rate, not an average of the areas shown). Every area is named
    beside its dot (names moved apart so none overlaps); the highlighted area is drawn in a
    contrasting colour and its name in bold. The legend sits below the plot. Returns a
    matplotlib Figure (nothing shown or saved).
    """
    require_columns(points, [label_col, "population", "rate"])
    figure = Figure(figsize=(8, 5.8), layout="constrained")
    axes = figure.add_subplot()
    axes.plot(limits["population"], limits["target_rate"], color="#1f77b4", label=centre_label)
    styles = {"95": ("#ff7f0e", "--", "95% limits"), "99_8": ("#d62728", ":", "99.8% limits")}
    for suffix, (colour, dash, name) in styles.items():
        if f"upper_{suffix}" in limits:
            axes.plot(limits["population"], limits[f"upper_{suffix}"], color=colour,
                      linestyle=dash, label=name)
            axes.plot(limits["population"], limits[f"lower_{suffix}"], color=colour,
                      linestyle=dash, label="_" + name)
    others = points[points[label_col] != highlight]
    axes.scatter(others["population"], others["rate"], color="#7f7f7f", zorder=3,
                 label="Other partnerships")
    if highlight is not None:
        mine = points[points[label_col] == highlight]
        axes.scatter(mine["population"], mine["rate"], color="#2ca02c", s=70, zorder=4,
                     label=str(highlight))
    names = [axes.text(row["population"], row["rate"], str(row[label_col]), fontsize=7,
                       fontweight="bold" if row[label_col] == highlight else "normal",
                       zorder=5) for _, row in points.iterrows()]
    axes.set_xlabel("Population")
    axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    figure.legend(loc="outside lower center", fontsize="small", ncols=3)
    spread_labels(axes, names, (points["population"].tolist(), points["rate"].tolist()))
    return describe(figure, funnel_description(points, limits, label_col=label_col,
                                               highlight=highlight, ylabel=ylabel,
                                               centre_label=centre_label))


def funnel_position(population: float, rate: float, limits: pd.DataFrame) -> str:
    """Where a point lies in the funnel: outside which limit, or within the 95 % limits."""
    order = limits.sort_values("population")
    for side, outside in (("upper", rate.__gt__), ("lower", rate.__lt__)):
        for suffix, level in (("99_8", "99.8%"), ("95", "95%")):
            column = f"{side}_{suffix}"
            if column in order and outside(
                    float(np.interp(population, order["population"], order[column]))):
                return f"{'above' if side == 'upper' else 'below'} the {side} {level} limit"
    return "within the 95% limits"


def funnel_description(points: pd.DataFrame, limits: pd.DataFrame, *, label_col: str,
                       highlight: object | None, ylabel: str, centre_label: str) -> str:
    """The funnel plot in words: what is plotted, where the highlighted area lies and the
    highest and lowest areas."""
    text = (f"Funnel plot of {ylabel.lower()} against population for {len(points)} areas, "
            f"around the {centre_label} with 95% and 99.8% control limits.")
    for _, row in points[points[label_col] == highlight].iterrows():
        text += (f" {row[label_col]}: {row['rate']:.1f} with a population of "
                 f"{row['population']:,.0f}, "
                 f"{funnel_position(row['population'], row['rate'], limits)}.")
    if len(points):
        high, low = points.loc[points["rate"].idxmax()], points.loc[points["rate"].idxmin()]
        text += (f" Highest: {high[label_col]} ({high['rate']:.1f}); lowest: "
                 f"{low[label_col]} ({low['rate']:.1f}).")
    return text


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
    figure.legend(loc="outside lower center", fontsize="small", ncols=5)
    return describe(figure, xmr_description(chart, ylabel))


def xmr_description(chart: pd.DataFrame, ylabel: str) -> str:
    """The XmR chart in words: its span, the latest phase's mean and limits and the
    special-cause points."""
    latest = chart[chart["phase"] == chart["phase"].iloc[-1]] if len(chart) else chart
    signals = chart[chart["signal"].fillna(False).astype(bool)]
    try:
        span = month_span(chart.index.to_series())
        named = ", ".join(f"{pd.Timestamp(label):%b %Y}" for label in signals.index)
    except (TypeError, ValueError):  # a quarterly or numbered axis
        span = f"{chart.index[0]} to {chart.index[-1]}" if len(chart) else "no points"
        named = ", ".join(str(label) for label in signals.index)
    text = f"XmR control chart of {ylabel.lower()}, {span}"
    if len(latest) and latest["mean"].notna().any():
        text += (f"; mean {number(round(float(latest['mean'].mean()), 1))}, process limits "
                 f"{number(round(float(latest['lower'].mean()), 1))} to "
                 f"{number(round(float(latest['upper'].mean()), 1))}")
    phases = chart["phase"].nunique() if len(chart) else 0
    if phases > 1:
        text += f" (latest of {phases} phases)"
    count = len(signals)
    text += (f"; {count} special-cause point{'s' if count != 1 else ''}"
             + (f": {named}" if count else "") + ".")
    return text



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
