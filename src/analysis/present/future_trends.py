"""Future and emerging trends, and the five-year view, for the end of the crime overview.

From the area's monthly police.uk counts (:mod:`analysis.stats.forecasts`): the rule stated
for the page, the table of what was forecast and why a series was not, the forecast fans,
the emerging test month by month, a finding for each emerging series, and the five-year
annual totals where five years are held (otherwise one sentence saying what is needed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import Markdown

from analysis.core.config import AreaConfig, breaks_for
from analysis.core.findings import INCREASE, NO_CHANGE, NOT_SIGNIFICANT, SIGNIFICANT, Finding
from analysis.core.periods import Period
from analysis.core.safe_text import markdown_from
from analysis.core.vocabulary import ASB
from analysis.present.chart_text import describe, month_span
from analysis.present.charts import annual_totals, forecast_fans
from analysis.present.narrative import in_words
from analysis.present.presentable import Chart, Table
from analysis.stats import forecasts as fc

if TYPE_CHECKING:
    from analysis.present.presentable import PageItem


def rule_text() -> Markdown:
    """The rules of the forecast and of the emerging flag, as the page states them (from the
    constants of :mod:`analysis.stats.forecasts`, so the page cannot say other than what
    the code does)."""
    return Markdown(
        f"**The rule.** A series is forecast only when it holds at least {fc.MIN_MONTHS} "
        "consecutive months up to the end of the period (three seasonal cycles; a month with no "
        "published data, or a configured trend break, starts the count again, so a series "
        "with a missing month inside that window is not forecast) and averages at least "
        f"{fc.MIN_MEAN:.0f} a month. The model is {fc.MODEL_NAME}: exponential smoothing with "
        "additive errors, a damped trend and additive monthly seasonality. The forecast "
        f"covers the next {fc.HORIZON} months with 80 % and 95 % prediction intervals (shown "
        "as 0 where they would fall below 0). It is back-tested by refitting without the last "
        f"{fc.BACKTEST_MONTHS} months held and forecasting them: **MASE** is the mean absolute "
        "error of those 12 forecasts divided by the mean absolute error of the seasonal naive "
        "forecast (each month equal to the same month a year before) within the months "
        "fitted. The seasonal naive forecast's own MASE on the same months is beside it: "
        "the model adds something where its MASE is the lower. A series is **emerging** when, "
        f"refitted without its last {fc.EMERGING_MONTHS} months, at least "
        f"{fc.EMERGING_MIN_ABOVE} of those months lie above the upper {fc.EMERGING_LEVEL} % "
        "prediction interval: higher than its past, season and trend lead one to expect. "
        "Nothing after the end of the period is read. ASB is a series of its own, never "
        "added to crime.")


@dataclass(frozen=True)
class FuturePart:
    """What the forecast and five-year part of the page shows, and the emerging series."""

    rule: Markdown
    summary: Table
    fans: Chart | Markdown
    emerging: Table | Markdown
    findings: list[Finding]
    long_trend: list[PageItem]
    flagged: tuple[str, ...]


def summary_item(results: Sequence[fc.SeriesForecast], area_name: str, end: date) -> Table:
    """The forecast table (:func:`analysis.stats.forecasts.forecast_summary`)."""
    table = fc.forecast_summary(results)
    formats = {"Last 12 months": "{:,.0f}", "Next 12 months (forecast)": "{:,.0f}",
               "MASE (model)": "{:.2f}", "MASE (seasonal naive)": "{:.2f}"}
    return Table(
        table, "forecast_summary",
        f"Forecast of the 12 months after {end:%b %Y}, its back-test and the emerging test, "
        f"{area_name} (crimes; ASB in incidents)",
        source="open", counts=[c for c in ("Last 12 months",) if c in table],
        formats={column: fmt for column, fmt in formats.items() if column in table})


def fans_item(results: Sequence[fc.SeriesForecast], area_name: str) -> Chart | Markdown:
    """The fan chart of every forecast series, or a sentence when none could be forecast."""
    data = fc.fan_data(results)
    if data.empty:
        return Markdown("No series holds enough consecutive months to be forecast.")
    flagged = frozenset(item.name for item in results if item.flagged)
    title = f"Recorded and forecast per month, {area_name}"
    return Chart(lambda shown: describe(forecast_fans(shown, title=title, flagged=flagged),
                                        fans_description(shown, flagged)),
                 data, "forecast_fans", source="open", counts=["count"])


def fans_description(data: pd.DataFrame, flagged: frozenset[str]) -> str:
    """What the fan chart shows, for its alt text: the series, the months recorded and
    forecast, and which series are flagged as emerging."""
    series = list(dict.fromkeys(data["series"]))
    recorded = data.loc[data["count"].notna(), "month"]
    forecast = data.loc[data["forecast"].notna(), "month"]
    emerging = [name for name in series if name in flagged]
    return (f"One panel per series ({', '.join(series)}): the counts recorded "
            f"{month_span(recorded)} and the forecast {month_span(forecast)} with its 80 % and "
            f"95 % prediction intervals. Flagged as emerging: "
            f"{', '.join(emerging) if emerging else 'none'}.")


def emerging_item(results: Sequence[fc.SeriesForecast]) -> Table | Markdown:
    """Month by month, the latest months of each forecast series against the upper interval
    of the forecast made without them."""
    rows = [{"Series": item.name, "Month": f"{month:%b %Y}", "Recorded": actual,
             f"Upper {fc.EMERGING_LEVEL} % of the forecast without these months": upper,
             "Above": "yes" if actual > upper else "no",
             "Emerging": "yes" if item.flagged else "no"}
            for item in results if item.emerging is not None
            for month, actual, upper in zip(item.emerging.months, item.emerging.actual,
                                            item.emerging.upper, strict=True)]
    if not rows:
        return Markdown("No series could be tested for an emerging trend.")
    upper = f"Upper {fc.EMERGING_LEVEL} % of the forecast without these months"
    return Table(pd.DataFrame(rows), "emerging_test",
                 f"The emerging test: the last {fc.EMERGING_MONTHS} months against the forecast "
                 "made without them", source="open", counts=["Recorded"],
                 formats={"Recorded": "{:,.0f}", upper: "{:,.1f}"})


def emerging_findings(results: Sequence[fc.SeriesForecast], area_name: str) -> list[Finding]:
    """A finding for each emerging series (a rise beyond the 95 % interval: significant), or
    one saying none is emerging when some series were tested."""
    tested = [item for item in results if item.emerging is not None]
    findings = []
    for item in tested:
        if not item.flagged or item.emerging is None:
            continue
        test = item.emerging
        unit = "incidents" if item.name == ASB else "crimes"
        findings.append(Finding(
            f"{item.name} in {area_name} is an emerging trend: {test.above} of the last "
            f"{len(test.months)} months ({test.months[0]:%b %Y} to {test.months[-1]:%b %Y}, "
            f"{sum(test.actual):,.0f} {unit}) were above the upper {fc.EMERGING_LEVEL} % "
            "interval of the forecast made from the months before.",
            INCREASE, SIGNIFICANT, theme=item.name))
    if tested and not findings:
        findings.append(Finding(
            f"No crime type, all crime or ASB in {area_name} is an emerging trend: none has "
            f"{fc.EMERGING_MIN_ABOVE} of its last {fc.EMERGING_MONTHS} months above the upper "
            f"{fc.EMERGING_LEVEL} % interval of its forecast.",
            NO_CHANGE, NOT_SIGNIFICANT))
    return findings


def long_trend_items(wide: pd.DataFrame, end: date, area_name: str) -> list[PageItem]:
    """The five-year view with its heading and method (chart and table of annual totals), or
    one sentence saying what it needs when fewer than five years are held."""
    gap = fc.long_trend_gap(wide, end)
    if gap:
        return [Markdown(markdown_from("{gap}", gap=gap))]
    table = fc.five_year_table(wide, end)
    years = [c for c in table.columns if c != "Series"]
    partial = [c for c in years if "months)" in c]
    missing = (f" Years missing months ({in_words(partial)}) are totalled over the months "
               "held, never annualised, and drawn hatched." if partial else "")
    heading = Markdown(
        "## Five-year trend\n\nAnnual totals of all crime, ASB (incidents, never added to "
        "crime) and each crime type over the five 12-month years to the end of the period."
        + missing)
    title = f"Annual totals, {area_name}"
    return [heading,
            Chart(lambda shown: annual_totals(shown, label_col="Series", title=title), table,
                  "five_year_chart", source="open", counts=years),
            Table(table, "five_year_totals", f"{title}: the five years to {end:%b %Y}",
                  source="open", counts=years, formats=dict.fromkeys(years, "{:,.0f}"))]


def series_breaks(config: AreaConfig, names: Iterable[str]) -> dict[str, list[date]]:
    """Each series' configured trend breaks (ASB's own, crime's for the others)."""
    return {name: [b.month for b in breaks_for(config.trend_breaks,
                                               "asb" if name == ASB else "crime")]
            for name in names}


def future_part(area_counts: pd.DataFrame, available_months: Iterable[date], current: Period,
                config: AreaConfig) -> FuturePart:
    """Everything the forecast and five-year part of the page shows, from the area's monthly
    police.uk counts (``month``, ``crime_type``, ``count``) up to the end of ``current``."""
    wide = fc.monthly_series(area_counts, current.end, available_months)
    results = fc.forecast_all(wide, current.end, series_breaks(config, wide.columns))
    return FuturePart(
        rule=rule_text(),
        summary=summary_item(results, config.csp_name, current.end),
        fans=fans_item(results, config.csp_name),
        emerging=emerging_item(results),
        findings=emerging_findings(results, config.csp_name),
        long_trend=long_trend_items(wide, current.end, config.csp_name),
        flagged=tuple(item.name for item in results if item.flagged),
    )
