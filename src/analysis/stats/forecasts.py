"""Forecasts of monthly counts, their back-test, the emerging-trend rule and the five-year view.

A strategic assessment looks forward. For all crime, ASB (its own series, never added to
crime) and each police.uk crime type, this module fits a seasonal exponential smoothing model
to the months held and forecasts the next 12 with 80 % and 95 % prediction intervals, but only
where the data support it:

* **Eligible series.** The months used are the run of consecutive held months ending at the
  period end (a month not published is a gap: a run never spans one, and a configured trend
  break starts a new run). At least :data:`MIN_MONTHS` (36: three seasonal cycles) are needed,
  and a series must average at least :data:`MIN_MEAN` a month (smaller counts are mostly
  chance and an additive model's intervals do not suit them). Nothing after the period end is
  read.
* **Model.** ETS(A,Ad,A) from ``statsmodels`` (:class:`ETSModel`): additive errors, an additive
  damped trend and additive monthly seasonality. Additive, not multiplicative, seasonality
  because small crime types can have months with no crimes (a multiplicative model needs
  every value above 0) and because the additive model's prediction intervals are exact
  formulas (a multiplicative model's are simulated: slower and random). The trend is damped so
  a rise or fall is not projected on for ever. The initial level, trend and seasonal pattern
  come from the first years of the series (Hyndman and Athanasopoulos' heuristic, section
  2.6 of *Forecasting: principles and practice*); the smoothing parameters are estimated by
  maximum likelihood. Forecasts and interval bounds below 0 are shown as 0 (a count cannot be
  negative).
* **Back-test.** The model is refitted without the last :data:`BACKTEST_MONTHS` held months
  and its forecast of them compared with the seasonal naive forecast (each month equals the
  same month a year before). Both are scored by MASE, the mean absolute scaled error: the mean
  absolute error over the 12 months divided by the in-sample mean absolute error of the
  seasonal naive forecast on the months fitted, ``mean|y_t - y_(t-12)|``. A MASE below 1 beats
  a naive forecast made in-sample; the model is worth reading when its MASE is below the
  seasonal naive's on the same months.
* **Emerging.** The model is refitted without the last :data:`EMERGING_MONTHS` months (3); the
  series is *emerging* when at least :data:`EMERGING_MIN_ABOVE` (2) of those months lie above
  the upper :data:`EMERGING_LEVEL` (95 %) prediction interval of that forecast: the latest
  months are higher than the past, its season and its trend would lead one to expect. (A
  single month above a 95 % interval happens by chance about once in 40 months; two of three
  about once in 500 if the months were independent.)

The five-year view (:func:`five_year_table`) totals the same series over the five 12-month
years ending at the period end, stating the months each year holds.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning  # type: ignore[import-untyped]
from statsmodels.tsa.exponential_smoothing.ets import (  # type: ignore[import-untyped]
    ETSModel,
    ETSResults,
)

from analysis.core.errors import ConfigError
from analysis.core.periods import Period, add_months, month_starts, months_between, to_month
from analysis.core.vocabulary import ALL_CRIME, ASB

SEASON = 12
"""Months in a seasonal cycle."""

MIN_MONTHS = 36
"""Consecutive held months (three seasonal cycles) a series needs to be forecast."""

MIN_MEAN = 10.0
"""Mean count per month a series needs to be forecast."""

HORIZON = 12
"""Months forecast after the period end."""

BACKTEST_MONTHS = 12
"""Last held months held out to back-test the model."""

LEVELS = (80, 95)
"""Prediction interval levels (per cent)."""

EMERGING_MONTHS = 3
"""Latest months held out and compared with the forecast made without them."""

EMERGING_MIN_ABOVE = 2
"""How many of those months must lie above the upper interval for a series to be emerging."""

EMERGING_LEVEL = 95
"""The prediction interval (per cent) whose upper bound the emerging rule uses."""

MODEL_NAME = "ETS(A,Ad,A)"
"""The model in the notation of Hyndman and Athanasopoulos."""

YEARS_FOR_LONG_TREND = 5
"""Years (of 12 months each, ending at the period end) the five-year view needs."""


# --- the series -----------------------------------------------------------------------------
def monthly_series(counts: pd.DataFrame, end: date, available_months: Iterable[object]
                   ) -> pd.DataFrame:
    """Wide monthly counts of the area: one column per series, one row per month up to ``end``.

    ``counts`` is long (``month``, ``crime_type``, ``count``; ASB rows included). Columns:
    ``All crime`` (every crime type, ASB excluded), ``Anti-social behaviour`` (incidents, its
    own series) and each crime type, largest first over the last 12 months. Rows run from the
    first held month to ``end``; a month not in ``available_months`` is NaN (not held, never
    0), a held month with no rows for a type is a real 0. Months after ``end`` are not read.
    """
    end = to_month(end)
    held = sorted(m for m in {to_month(m) for m in available_months} if m <= end)
    if not held:
        return pd.DataFrame(columns=[ALL_CRIME, ASB], dtype="float64")
    axis = [add_months(held[0], i) for i in range(months_between(held[0], end))]
    frame = counts.assign(month=month_starts(counts["month"]))
    frame = frame[frame["month"].isin(set(axis))]
    wide = frame.pivot_table(index="month", columns="crime_type", values="count",
                             aggfunc="sum").reindex(axis).fillna(0.0)
    types = [c for c in wide.columns if c != ASB]
    recent = wide.loc[axis[-SEASON:], types].sum().sort_values(ascending=False, kind="stable")
    table = pd.DataFrame({ALL_CRIME: wide[types].sum(axis=1),
                          ASB: wide.get(ASB, 0.0)}, index=axis)
    table = table.join(wide[list(recent.index)]).astype("float64")
    table.loc[[m not in set(held) for m in axis], :] = np.nan
    return table.rename_axis("month")


def held_run(values: pd.Series, end: date, breaks: Sequence[object] = ()) -> pd.Series:
    """The run of consecutive held months of ``values`` (indexed by month, NaN = not held)
    ending at ``end``: it stops at the latest missing month, and starts no earlier than the
    latest of ``breaks`` (months where a recording or publication change starts a new
    phase) on or before ``end``. Empty when ``end`` itself is not held."""
    end = to_month(end)
    known = pd.Series(values.to_numpy(dtype="float64"),
                      index=[to_month(m) for m in values.index])
    start = max((to_month(b) for b in breaks if to_month(b) <= end), default=None)
    run: list[date] = []
    month = end
    while month in known.index and not np.isnan(known[month]) and (start is None
                                                                   or month >= start):
        run.append(month)
        month = add_months(month, -1)
    return known.reindex(run[::-1])


def eligibility(run: pd.Series) -> str:
    """Why ``run`` (from :func:`held_run`) cannot be forecast, or '' when it can."""
    if len(run) < MIN_MONTHS:
        return (f"only {len(run)} consecutive months held up to the period end; "
                f"{MIN_MONTHS} are needed")
    if float(run.mean()) < MIN_MEAN:
        return f"under {MIN_MEAN:.0f} a month on average: too few to forecast"
    return ""


# --- the seasonal naive benchmark -------------------------------------------------------------
def seasonal_naive(history: Sequence[float], horizon: int, season: int = SEASON) -> np.ndarray:
    """The seasonal naive forecast: each future month equals the same month of the last
    season held (``history[-season:]`` repeated)."""
    y = np.asarray(history, dtype="float64")
    if len(y) < season:
        raise ConfigError("a seasonal naive forecast needs a whole season of history",
                          found=len(y), expected=f"at least {season} values")
    return np.resize(y[-season:], horizon)


def seasonal_naive_mae(history: Sequence[float], season: int = SEASON) -> float:
    """In-sample mean absolute error of the seasonal naive forecast, ``mean|y_t - y_(t-m)|``
    over t = m+1..n: the scale of :func:`mase`."""
    y = np.asarray(history, dtype="float64")
    if len(y) <= season:
        raise ConfigError("the MASE scale needs more than a season of history",
                          found=len(y), expected=f"more than {season} values")
    return float(np.mean(np.abs(y[season:] - y[:-season])))


def mase(actual: Sequence[float], forecast: Sequence[float], history: Sequence[float],
         season: int = SEASON) -> float:
    """Mean absolute scaled error: mean ``|actual - forecast|`` divided by
    :func:`seasonal_naive_mae` of ``history`` (the months the forecast was made from). NaN
    when the scale is 0 (a history that repeats exactly each season)."""
    scale = seasonal_naive_mae(history, season)
    error = float(np.mean(np.abs(np.asarray(actual, float) - np.asarray(forecast, float))))
    return error / scale if scale > 0 else float("nan")


# --- the model --------------------------------------------------------------------------------
def fit_ets(history: pd.Series) -> ETSResults:
    """ETS(A,Ad,A) fitted to a monthly series (consecutive months, no gaps).

    statsmodels warns when the optimiser stops early; the warning is caught here (pages stay
    clean) and the fit's ``converged`` state is read by :func:`forecast_frame`.
    """
    y = pd.Series(history.to_numpy(dtype="float64"),
                  index=pd.period_range(pd.Timestamp(to_month(history.index[0])),
                                        periods=len(history), freq="M"))
    model = ETSModel(y, error="add", trend="add", damped_trend=True, seasonal="add",
                     seasonal_periods=SEASON, initialization_method="heuristic")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return model.fit(disp=False)


def converged(fit: ETSResults) -> bool:
    """Whether the optimiser reported convergence for ``fit``."""
    return bool((fit.mle_retvals or {}).get("converged", True))


def forecast_frame(history: pd.Series, horizon: int = HORIZON) -> pd.DataFrame:
    """The model's forecast of the ``horizon`` months after ``history``, with intervals.

    Columns: month, forecast, then ``lower_<level>`` and ``upper_<level>`` for each of
    :data:`LEVELS` (exact intervals of the additive model, widening with the horizon), all
    clipped at 0; ``attrs["converged"]`` says whether the fit converged.
    """
    fit = fit_ets(history)
    n = len(history)
    months = [add_months(to_month(history.index[-1]), i + 1) for i in range(horizon)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prediction = fit.get_prediction(start=n, end=n + horizon - 1)
        values = {"forecast": np.asarray(prediction.predicted_mean, dtype="float64")}
        for level in LEVELS:
            bounds = np.asarray(prediction.pred_int(alpha=1 - level / 100), dtype="float64")
            values[f"lower_{level}"], values[f"upper_{level}"] = bounds[:, 0], bounds[:, 1]
    table = pd.DataFrame({"month": months,
                          **{name: np.where(column < 0, 0.0, column)  # a count is never < 0
                             for name, column in values.items()}})
    table.attrs["converged"] = converged(fit)
    return table


@dataclass(frozen=True)
class Backtest:
    """The model against the seasonal naive forecast on the last held months.

    ``scale`` is the in-sample seasonal naive MAE of the months fitted; ``inside_80`` and
    ``inside_95`` count the held-out months inside each prediction interval.
    """

    months: int
    model_mae: float
    naive_mae: float
    scale: float
    model_mase: float
    naive_mase: float
    inside_80: int
    inside_95: int


def backtest(run: pd.Series, months: int = BACKTEST_MONTHS) -> Backtest:
    """Fit on ``run`` without its last ``months`` values and score the forecast of them
    (the model's and the seasonal naive's) by MASE (see the module docstring)."""
    train, test = run.iloc[:-months], run.to_numpy(dtype="float64")[-months:]
    predicted = forecast_frame(train, months)
    naive = seasonal_naive(train.to_numpy(), months)
    scale = seasonal_naive_mae(train.to_numpy())
    model_mae = float(np.mean(np.abs(test - predicted["forecast"].to_numpy())))
    naive_mae = float(np.mean(np.abs(test - naive)))

    def inside(level: int) -> int:
        lower, upper = predicted[f"lower_{level}"], predicted[f"upper_{level}"]
        return int(((test >= lower.to_numpy()) & (test <= upper.to_numpy())).sum())

    scaled = (lambda mae: mae / scale) if scale > 0 else (lambda mae: float("nan"))
    return Backtest(months=months, model_mae=model_mae, naive_mae=naive_mae, scale=scale,
                    model_mase=scaled(model_mae), naive_mase=scaled(naive_mae),
                    inside_80=inside(80), inside_95=inside(95))


@dataclass(frozen=True)
class Emerging:
    """The emerging-trend test: the latest months against the forecast made without them."""

    months: tuple[date, ...]
    actual: tuple[float, ...]
    upper: tuple[float, ...]

    @property
    def above(self) -> int:
        """How many of the latest months lie above the upper interval."""
        return sum(a > u for a, u in zip(self.actual, self.upper, strict=True))

    @property
    def flagged(self) -> bool:
        """Whether the series is emerging (:data:`EMERGING_MIN_ABOVE` or more above)."""
        return self.above >= EMERGING_MIN_ABOVE


def emerging_test(run: pd.Series, months: int = EMERGING_MONTHS,
                  level: int = EMERGING_LEVEL) -> Emerging:
    """Refit without the last ``months`` of ``run`` and compare them with the upper
    ``level`` % prediction interval of that forecast (see :class:`Emerging`)."""
    predicted = forecast_frame(run.iloc[:-months], months)
    return Emerging(months=tuple(to_month(m) for m in run.index[-months:]),
                    actual=tuple(float(v) for v in run.iloc[-months:]),
                    upper=tuple(float(v) for v in predicted[f"upper_{level}"]))


@dataclass(frozen=True)
class SeriesForecast:
    """One series: the months used, and either why it is not forecast (``reason``) or its
    forecast, back-test and emerging test."""

    name: str
    run: pd.Series
    reason: str = ""
    forecast: pd.DataFrame | None = None
    backtest: Backtest | None = None
    emerging: Emerging | None = None

    @property
    def flagged(self) -> bool:
        """Whether the series is emerging."""
        return self.emerging is not None and self.emerging.flagged


def forecast_series(name: str, values: pd.Series, end: date,
                    breaks: Sequence[object] = ()) -> SeriesForecast:
    """Forecast, back-test and emerging test of one monthly series (NaN = not held) up to
    ``end``, or the reason it is not forecast. Three fits: the whole run, the run without its
    last 12 months and without its last 3."""
    run = held_run(values, end, breaks)
    reason = eligibility(run)
    if reason:
        return SeriesForecast(name, run, reason)
    return SeriesForecast(name, run, forecast=forecast_frame(run), backtest=backtest(run),
                          emerging=emerging_test(run))


def counts_series(monthly: pd.DataFrame, end: date, available_months: Iterable[object]
                  ) -> pd.Series:
    """One monthly series (``month``, ``count`` rows, summed by month) on every month from the
    first held month to ``end``: NaN where the month is not held, 0 where it is held with no
    rows. Months after ``end`` are not read."""
    end = to_month(end)
    held = {m for m in (to_month(m) for m in available_months) if m <= end}
    if not held:
        return pd.Series(dtype="float64")
    axis = [add_months(min(held), i) for i in range(months_between(min(held), end))]
    totals = monthly.assign(month=month_starts(monthly["month"])).groupby("month")["count"].sum()
    series = totals.reindex(axis).fillna(0.0).astype("float64")
    series[[m not in held for m in axis]] = np.nan
    return series


def emerging_signal(values: pd.Series, end: date, breaks: Sequence[object] = ()
                    ) -> Emerging | None:
    """The emerging test of one monthly series (NaN = not held) up to ``end``, under the same
    rule as the forecast (:func:`held_run`, :func:`eligibility`), or None when the series
    cannot be tested. One fit: for callers that need the flag only (the priority matrix)."""
    run = held_run(values, end, breaks)
    return None if eligibility(run) else emerging_test(run)


def forecast_all(wide: pd.DataFrame, end: date,
                 breaks: Mapping[str, Sequence[object]] | None = None) -> list[SeriesForecast]:
    """:func:`forecast_series` for every column of ``wide`` (:func:`monthly_series`);
    ``breaks`` maps a column to its trend breaks (ASB and crime may differ)."""
    return [forecast_series(str(name), wide[name], end, (breaks or {}).get(str(name), ()))
            for name in wide.columns]


def _span(run: pd.Series) -> str:
    if run.empty:
        return "none"
    first, last = to_month(run.index[0]), to_month(run.index[-1])
    return f"{first:%b %Y} to {last:%b %Y} ({len(run)})"


def forecast_summary(results: Sequence[SeriesForecast]) -> pd.DataFrame:
    """One row per series: months used, the last 12 months and the next 12 forecast, the
    back-test (MASE of the model and of the seasonal naive forecast, months inside each
    interval), the emerging test, and why a series is not forecast."""
    rows = []
    for item in results:
        row: dict[str, object] = {"Series": item.name, "Months used": _span(item.run)}
        if item.forecast is None or item.backtest is None or item.emerging is None:
            rows.append({**row, "Not forecast because": item.reason})
            continue
        test, latest = item.backtest, item.emerging
        row.update({
            "Last 12 months": float(item.run.iloc[-SEASON:].sum()),
            "Next 12 months (forecast)": float(item.forecast["forecast"].sum()),
            "MASE (model)": test.model_mase,
            "MASE (seasonal naive)": test.naive_mase,
            "Back-test months inside 80 % / 95 %":
                f"{test.inside_80} / {test.inside_95} of {test.months}",
            f"Latest {EMERGING_MONTHS} months above the upper {EMERGING_LEVEL} %":
                f"{latest.above} of {len(latest.months)}",
            "Emerging": "yes" if latest.flagged else "no",
            "Not forecast because": "" if item.forecast.attrs.get("converged", True)
            else "forecast shown, but the model fit did not converge: read with care",
        })
        rows.append(row)
    return pd.DataFrame(rows)


def fan_data(results: Sequence[SeriesForecast], history_months: int = 24) -> pd.DataFrame:
    """The numbers of the forecast fan chart, long: for each forecast series the last
    ``history_months`` months used (``count``) and the forecast months (``forecast`` and its
    interval bounds), one row per series and month."""
    columns = ["series", "month", "count", "forecast",
               *[f"{side}_{level}" for level in LEVELS for side in ("lower", "upper")]]
    parts = [pd.DataFrame(columns=columns)]
    for item in results:
        if item.forecast is None:
            continue
        past = item.run.iloc[-history_months:]
        parts.append(pd.DataFrame({"series": item.name, "month": list(past.index),
                                   "count": past.to_numpy()}))
        parts.append(item.forecast.assign(series=item.name))
    table = pd.concat(parts, ignore_index=True)[columns]
    return table.astype(dict.fromkeys(columns[2:], "float64"))


# --- the five-year view -----------------------------------------------------------------------
def year_periods(end: date, years: int = YEARS_FOR_LONG_TREND) -> list[Period]:
    """The ``years`` 12-month years ending at ``end``, oldest first: financial years when
    they start in April, calendar years when in January, else 12 months to their last month."""
    end = to_month(end)
    periods = []
    for back in range(years - 1, -1, -1):
        start = add_months(end, -SEASON * back - SEASON + 1)
        if start.month == 4:
            periods.append(Period.financial_year(start.year))
        elif start.month == 1:
            periods.append(Period.calendar_year(start.year))
        else:
            periods.append(Period.rolling_12(add_months(start, SEASON - 1)))
    return periods


def long_trend_gap(wide: pd.DataFrame, end: date, years: int = YEARS_FOR_LONG_TREND) -> str:
    """Why the five-year view cannot be shown ('' when it can): every one of the ``years``
    years ending at ``end`` must hold at least one month."""
    periods = year_periods(end, years)
    held = {to_month(m) for m, row in wide.iterrows() if row.notna().any()}
    empty = [p for p in periods if not held & set(p.months)]
    if not empty:
        return ""
    first = min(held) if held else None
    since = f" (from {first:%b %Y})" if first else ""
    return (f"A five-year view needs data.police.uk months in each of the {years} years to "
            f"{to_month(end):%b %Y} ({periods[0].label} to {periods[-1].label}); the data "
            f"hold {len(held & {m for p in periods for m in p.months})} months{since}.")


def five_year_table(wide: pd.DataFrame, end: date, years: int = YEARS_FOR_LONG_TREND
                    ) -> pd.DataFrame:
    """Annual totals of each series of ``wide`` (:func:`monthly_series`) over the ``years``
    years ending at ``end``: one row per series, one column per year. A year missing months
    is totalled over the months it holds (never annualised) and its heading says how many it
    holds, e.g. '2020/21 (10 of 12 months)'; a year holding none is NaN."""
    index = [to_month(m) for m in wide.index]
    frame = wide.set_axis(index)
    columns = {}
    for period in year_periods(end, years):
        part = frame.reindex(period.months)
        held = int(part.notna().any(axis=1).sum())
        heading = period.label if held == len(period) else \
            f"{period.label} ({held} of {len(period)} months)"
        columns[heading] = part.sum(min_count=1)
    table = pd.DataFrame(columns)
    return table.rename_axis("Series").reset_index()
