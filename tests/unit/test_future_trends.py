"""The forecast part of the crime overview: findings, the five-year items and the charts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure

from analysis.core.findings import INCREASE, NO_CHANGE, SIGNIFICANT
from analysis.core.periods import add_months
from analysis.core.vocabulary import ALL_CRIME, ASB
from analysis.present import future_trends
from analysis.present.charts import annual_totals, forecast_fans
from analysis.present.presentable import Chart, Table
from analysis.stats import forecasts as fc

END = date(2025, 3, 1)
MONTHS = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


def _result(name: str, actual: tuple[float, ...]) -> fc.SeriesForecast:
    run = pd.Series([50.0] * 36, index=[add_months(END, i - 35) for i in range(36)])
    return fc.SeriesForecast(name, run, emerging=fc.Emerging(tuple(MONTHS), actual,
                                                             (60.0, 60.0, 60.0)))


def test_a_finding_for_each_emerging_series() -> None:
    results = [_result("Shoplifting", (70.0, 75.0, 50.0)), _result(ASB, (70.0, 50.0, 50.0)),
               fc.SeriesForecast("Robbery", pd.Series(dtype="float64"), "too few")]
    findings = future_trends.emerging_findings(results, "Kingsmere")
    assert len(findings) == 1
    assert findings[0].statement == (
        "Shoplifting in Kingsmere is an emerging trend: 2 of the last 3 months (Jan 2025 to "
        "Mar 2025, 195 crimes) were above the upper 95 % interval of the forecast made from "
        "the months before.")
    assert (findings[0].direction, findings[0].significance) == (INCREASE, SIGNIFICANT)
    assert findings[0].theme == "Shoplifting"


def test_none_emerging_is_said_once_and_nothing_when_nothing_was_tested() -> None:
    calm = future_trends.emerging_findings([_result(ALL_CRIME, (50.0, 50.0, 50.0))], "K")
    assert len(calm) == 1 and calm[0].direction == NO_CHANGE
    untested = fc.SeriesForecast(ALL_CRIME, pd.Series(dtype="float64"), "too few")
    assert future_trends.emerging_findings([untested], "K") == []


def _wide(n_months: int) -> pd.DataFrame:
    months = [add_months(END, i - n_months + 1) for i in range(n_months)]
    return pd.DataFrame({ALL_CRIME: 100.0, ASB: 30.0, "Burglary": 10.0}, index=months)


def test_fewer_than_five_years_is_one_sentence_without_a_heading() -> None:
    items = future_trends.long_trend_items(_wide(48), END, "Kingsmere")
    assert len(items) == 1 and isinstance(items[0], Markdown)
    text = items[0].data.replace("\\", "")  # the sentence is Markdown-escaped
    assert "##" not in text and text.startswith("A five-year view needs")


def test_five_years_give_a_heading_a_chart_and_the_table() -> None:
    wide = _wide(60)
    wide.loc[date(2021, 6, 1)] = np.nan
    heading, chart, table = future_trends.long_trend_items(wide, END, "Kingsmere")
    assert heading.data.startswith("## Five-year trend")
    assert "2021/22 (11 of 12 months)" in heading.data
    assert isinstance(chart, Chart) and isinstance(table, Table)
    assert table.frame.set_index("Series").loc[ALL_CRIME, "2021/22 (11 of 12 months)"] == 1100
    figure = chart.draw(table.frame)
    assert isinstance(figure, Figure)
    assert sum(ax.get_visible() for ax in figure.axes) == 3


def test_fan_chart_has_a_panel_per_series_and_marks_the_emerging() -> None:
    values = np.random.default_rng(1).poisson(100, 36).astype(float)
    run = pd.Series(values, index=[add_months(END, i - 35) for i in range(36)])
    results = [fc.forecast_series(name, run, END) for name in ("All crime", "Shoplifting")]
    figure = forecast_fans(fc.fan_data(results), title="t", flagged=frozenset({"Shoplifting"}))
    titles = [ax.get_title(loc="left") for ax in figure.axes if ax.get_visible()]
    assert titles == ["All crime", "Shoplifting (emerging)"]


def test_annual_totals_hatches_a_partial_year() -> None:
    table = pd.DataFrame({"Series": ["All crime"], "2023/24": [10.0],
                          "2024/25 (6 of 12 months)": [5.0]})
    bars = annual_totals(table, label_col="Series", title="t").axes[0].patches
    assert [bar.get_hatch() for bar in bars] == [None, "///"]


def test_nothing_forecast_when_every_series_has_gaps() -> None:
    values = pd.Series([50.0] * 40, index=[add_months(END, i - 39) for i in range(40)])
    values.iloc[-6] = np.nan  # a month not published
    results = [fc.forecast_series(name, values, END) for name in (ALL_CRIME, ASB)]
    summary = future_trends.summary_item(results, "K", END)
    assert list(summary.formats) == [] and "Last 12 months" not in summary.frame
    assert summary.frame["Not forecast because"].str.startswith("only 5 consecutive").all()
    assert isinstance(future_trends.fans_item(results, "K"), Markdown)
    assert isinstance(future_trends.emerging_item(results), Markdown)
    assert future_trends.emerging_findings(results, "K") == []
