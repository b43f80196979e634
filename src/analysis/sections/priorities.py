"""The priority matrix: score candidate issues, rank them, show why, test the ranking.

A strategic assessment ends by choosing priorities. The seeds did it with a risk matrix
filled in by hand; this module fills it from the data. Each candidate issue (a police.uk
crime type, ASB, a partner flag such as domestic abuse or knife crime, a reoffending rate,
or a local issue an area adds) gets a figure on each dimension (volume, trend, harm, cost,
vulnerability, position against peers, public concern), each figure a 1-5 score by a stated
rule, and the issue a weighted mean of the scores it has. A dimension without a figure is
*missing*: it is left out of that issue's mean (the weights of the others are rescaled), never
scored 0, and the share of the weight that had a figure is shown as the issue's coverage.

Everything that decides the ranking is data, not code: the dimensions, their scales and
weights and the candidate issues are in ``reference/priority_matrix.yaml`` (versioned), and an
area changes them in ``config/priorities/<area>.yaml`` (see ``docs/priorities.md``). Every
score comes with the figure behind it, its source and the rule applied (the audit trail), and
the ranking is re-run with each weight moved up and down to show which priorities are robust.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML

from analysis.core.config import AreaConfig, TrendBreak, breaks_for
from analysis.core.errors import DataCoverageError
from analysis.core.findings import NO_DIRECTION, NOT_TESTED, Finding
from analysis.core.findings import NOT_ASSESSED as FINDING_NOT_ASSESSED
from analysis.core.offences import load_police_uk_crime_types
from analysis.core.periods import (
    DEFAULT_COMPARISON,
    LIKE_FOR_LIKE,
    Period,
    compared_months,
    comparison_period,
    month_starts,
    to_month,
)
from analysis.core.plan import OWNER_FIELDS, AreaPlan, PlanEntry, default_legal_duties, load_plan
from analysis.core.priority_matrix import (
    DIMENSION_NAMES,
    DIMENSIONS,
    IssueSpec,
    PriorityMatrix,
    load_priority_matrix,
)
from analysis.core.safe_text import html_from
from analysis.core.vocabulary import ASB
from analysis.present.page import Section, area_partner_table, police_uk_source, shown_path
from analysis.present.presentable import Table
from analysis.stats.comparators import HIGHER, LOWER, SIMILAR, peer_comparison
from analysis.stats.forecasts import EMERGING_LEVEL, counts_series, emerging_signal
from analysis.stats.harm import (
    HarmAndCost,
    ValueTable,
    coverage_words,
    harm_and_cost,
    value_tables,
)
from analysis.stats.measures import (
    NOT_ASSESSED,
    SIGNIFICANT_DECREASE,
    SIGNIFICANT_INCREASE,
    change_table,
)
from analysis.stats.priority_scores import (
    _number,
    not_assessed_dimensions,
    ranking,
    score_figures,
    sensitivity,
)
from analysis.stats.survey import proportion_change, survey_results
from analysis.store import query
from analysis.store.area import force_populations

CHILD_AGE_BAND = "0-17"


CRIME_TYPE_TABLE = "10_crime_overview__crime_type_change"
SURVEY_TABLE = "85_public_perception__survey_latest"


# --- figures from the store ----------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """Everything the figures are computed from, loaded once through ``analysis.store``.

    ``counts`` is monthly police.uk counts by ``csp_code`` and ``crime_type`` over the force
    (ASB included as its own type); ``populations`` is None when no population is
    configured; ``crimes`` / ``indicators`` are None when the area has no such extract.
    """

    area_code: str
    peer_codes: tuple[str, ...]
    force_code: str
    counts: pd.DataFrame
    available_months: tuple[date, ...]
    populations: pd.DataFrame | None
    crimes: pd.DataFrame | None
    indicators: pd.DataFrame | None
    weights: ValueTable | None = None  # None: the shipped tables (analysis.stats.harm)
    costs: ValueTable | None = None
    trend_breaks: tuple[TrendBreak, ...] = ()  # the area's, for the emerging test

    @property
    def area_population(self) -> float | None:
        """The partnership's population, or None when not configured."""
        if self.populations is None:
            return None
        rows = self.populations[self.populations["area_code"] == self.area_code]
        return float(rows["population"].iloc[0]) if len(rows) else None

    @property
    def partner_months(self) -> set[date]:
        """Months the partner crimes extract spans (first to last month present)."""
        if self.crimes is None or self.crimes.empty:
            return set()
        months = pd.to_datetime(self.crimes["committed_from"]).dt.to_period("M")
        span = pd.period_range(months.min(), months.max(), freq="M")
        return {p.to_timestamp().date() for p in span}


def load_evidence(config: AreaConfig, store_dir: Path, root: Path | None = None, *,
                  period: Period) -> Evidence:
    """Read the store once for the matrix: police.uk counts, population (the release
    nearest ``period``), partner extracts."""
    counts = query.monthly_counts(store_dir, by=("csp_code", "crime_type"),
                                  where="pfa_code = $force", params={"force": config.force.code})
    counts = counts.assign(month=[to_month(m) for m in counts["month"]])
    try:
        populations = force_populations(config, root, period=period)
    except DataCoverageError:
        populations = None
    weights, costs = value_tables(config, root)
    return Evidence(
        area_code=config.csp_code, peer_codes=tuple(config.peers),
        force_code=config.force.code, counts=counts,
        available_months=tuple(query.force_months(store_dir, config.force.name)),
        populations=populations, crimes=area_partner_table(config, store_dir, "crimes"),
        indicators=area_partner_table(config, store_dir, "indicators"),
        weights=weights, costs=costs, trend_breaks=tuple(config.trend_breaks),
    )


def _figure(issue: IssueSpec, dimension: str, value: float = math.nan, *, test: str = "",
            detail: str = "", source: str = "", also_in: str = "", note: str = "") -> dict:
    return {"issue_id": issue.id, "issue": issue.name, "dimension": dimension,
            "value": value, "test": test, "detail": detail, "source": source,
            "also_in": also_in, "note": note}


def _per_1000(value: float, population: float | None) -> float:
    return math.nan if not population else value / population * 1000


def _crime_type_rows(crimes: pd.DataFrame, crime_types: Iterable[str]) -> pd.Series:
    """Partner crimes belonging to data.police.uk crime types (reference mapping)."""
    reference = load_police_uk_crime_types().set_index("crime_type")
    selected = pd.Series(False, index=crimes.index)
    for crime_type in crime_types:
        row = reference.loc[crime_type]
        if isinstance(row["offence_subgroups"], str) and row["offence_subgroups"]:
            selected |= crimes["offence_subgroup"].isin(row["offence_subgroups"].split(";"))
        else:
            selected |= crimes["offence_group"].isin(str(row["offence_groups"]).split(";"))
    return selected.fillna(False).astype(bool)


def partner_selection(issue: IssueSpec, crimes: pd.DataFrame) -> pd.Series:
    """Which partner crime rows belong to an issue (a boolean mask over ``crimes``)."""
    if issue.partner_flag == "hate":
        mask = crimes["hate_strands"].fillna("").str.strip() != ""
    elif issue.partner_flag is not None:
        mask = crimes[issue.partner_flag].fillna(False)
    elif issue.offence_groups:
        mask = crimes["offence_group"].isin(issue.offence_groups)
    else:
        mask = _crime_type_rows(crimes, issue.police_uk_crime_types or [])
    return mask.fillna(False).astype(bool)


def _monthly(crimes: pd.DataFrame) -> pd.DataFrame:
    return (crimes.assign(month=month_starts(crimes["committed_from"])).groupby("month").size()
            .rename("count").reset_index())


@dataclass(frozen=True)
class FigureRules:
    """The matrix settings that decide whether a figure can be given (see the YAML)."""

    min_weighted_share: float = 0.8
    min_months_held: int = 6

    @classmethod
    def of(cls, matrix: PriorityMatrix) -> FigureRules:
        """The rules of a loaded matrix (defaults plus the area's override)."""
        return cls(matrix.min_weighted_share, matrix.min_months_held)


def _months_held(period: Period, months: Iterable[date]) -> list[date]:
    held = set(months)
    return [m for m in period.months if m in held]


def _annualise_note(period: Period, held: list[date], rules: FigureRules) -> str:
    """Why a count over the months held cannot be annualised ('' when it can)."""
    needed = min(rules.min_months_held, len(period))
    if not held:
        return f"no month of {period.label} is held"
    if len(held) < needed:
        return (f"only {len(held)} of {len(period)} months of {period.label} held; at least "
                f"{needed} are needed to annualise")
    return ""


def _per_year_words(period: Period, held: list[date]) -> str:
    """'' for a whole year held; else how the figure was annualised (an estimate)."""
    if len(held) == 12 and len(period) == 12:
        return ""
    return f" a year, annualised from the {len(held)} months of {period.label} held (an estimate)"


def _change_figures(issue: IssueSpec, monthly: pd.DataFrame, current: Period,
                    previous: Period, months: Iterable[date], *, unit: str, source: str,
                    also_in: str, population: float | None,
                    rules: FigureRules = FigureRules()) -> list[dict]:
    """Volume (per 1,000 a year, over the months held) and trend (exact Poisson test)."""
    months = sorted(set(months))
    frame = monthly.assign(issue=issue.name)
    row = change_table(frame, current, previous, "issue", total_label=None,
                       available_months=months).iloc[0] if len(frame) else None
    counts = monthly.assign(month=[to_month(m) for m in monthly["month"]])
    held = _months_held(current, months)
    in_current = int(counts.loc[counts["month"].isin(set(held)), "count"].sum())
    not_annualised = _annualise_note(current, held, rules)
    if not_annualised:
        volume = _figure(issue, "volume", source=source, note=not_annualised)
    elif not population:
        volume = _figure(issue, "volume", source=source, note="no population is configured")
    else:
        rate = _per_1000(in_current, population) * 12 / len(held)
        volume = _figure(issue, "volume", rate,
                         detail=f"{in_current:,} {unit} in {current.label}, "
                                f"{_number(rate)} per 1,000{_per_year_words(current, held)}",
                         source=source, also_in=also_in)
    if row is None or row["significance"] == NOT_ASSESSED:
        if not _months_held(previous, months):
            why = f"the comparison period ({previous.label}) is not held"
        elif not held:
            why = f"no month of {current.label} is held"
        else:
            why = (f"{current.label} and {previous.label} do not hold the same months "
                   "(or have no records), so no test")
        trend = _figure(issue, "trend", source=source, note=why)
    else:
        basis = "" if row["basis"] != LIKE_FOR_LIKE else (
            f", like for like on the {len(compared_months(current, previous, months).pairs)} "
            "months held in both periods")
        trend = _figure(issue, "trend", float(row["pct_diff"]), test=str(row["significance"]),
                        detail=f"{int(row['previous']):,} -> {int(row['current']):,} {unit} "
                               f"({_number(float(row['pct_diff']))} %{basis}), "
                               f"{row['significance']}",
                        source=source, also_in=also_in)
    return [volume, trend]


def _weighted_figures(issue: IssueSpec, rows: pd.DataFrame, *, key_col: str,
                      classification: str, evidence: Evidence, source: str,
                      per_year: float = 1.0, per_year_words: str = "",
                      rules: FigureRules = FigureRules()) -> list[dict]:
    """The harm (severity-weighted days) and cost (£) figures per 1,000 residents of the same
    crimes, from one :func:`analysis.stats.harm.harm_and_cost` (the computation the overview
    uses), or missing.

    Both are left out, with the reason, when no population is configured or the issue has
    no crimes; each is left out when fewer than ``rules.min_weighted_share`` of its crimes
    have a value in the table used. ``per_year`` scales a figure over the months held to a
    year.
    """
    population = evidence.area_population
    if not population:
        return [_figure(issue, dimension, source=source, note="no population is configured")
                for dimension in ("harm", "cost")]
    if rows.empty:
        return [_figure(issue, dimension, source=source, note="no crimes in the period")
                for dimension in ("harm", "cost")]
    result = harm_and_cost(rows, key_col=key_col, classification=classification,
                           population=population, weights=evidence.weights,
                           costs=evidence.costs)
    return [_weighted_figure(issue, dimension, result, source=source, per_year=per_year,
                             per_year_words=per_year_words, rules=rules)
            for dimension in ("harm", "cost")]


def _weighted_figure(issue: IssueSpec, dimension: str, result: HarmAndCost, *, source: str,
                     per_year: float, per_year_words: str, rules: FigureRules) -> dict:
    """The harm or cost figure (``dimension``) of one :class:`HarmAndCost` of an issue's
    crimes, or missing (see :func:`_weighted_figures`)."""
    row = result.table.iloc[0]
    harm = dimension == "harm"
    table = result.weights if harm else result.costs
    crimes = int(row["crimes"])
    covered = int(row["crimes_weighted" if harm else "crimes_costed"])
    coverage = coverage_words(covered, crimes, "weighted" if harm else "costed")
    if crimes == 0:
        return _figure(issue, dimension, source=source, note="no crimes in the period")
    if covered == 0:
        return _figure(issue, dimension, source=source,
                       note=f"none of the {crimes:,} crimes can be valued: "
                            f"{table.missing_reason()}")
    value = float(row["severity_days_per_1000" if harm else "cost_gbp_per_1000"]) * per_year
    unit = result.severity_unit if harm else f"per 1,000 residents ({result.cost_unit})"
    shown = f"£{_number(value)}" if not harm else _number(value)
    detail = f"{shown} {unit}{per_year_words}; {coverage}"
    if covered / crimes < rules.min_weighted_share:
        return _figure(issue, dimension, detail=detail, source=source,
                       note=f"only {coverage}, under the {100 * rules.min_weighted_share:.0f} % "
                            f"needed ({table.missing_reason()} for the rest)")
    return _figure(issue, dimension, value, detail=detail, source=source)


CIRCULAR = {
    "domestic_abuse": ("domestic_abuse",),
    "child_sexual_exploitation": ("child_sexual_exploitation", "child_victim"),
}
"""For a flag issue, the parts of the vulnerability measure it contains by definition."""


def _vulnerability_figure(issue: IssueSpec, rows: pd.DataFrame) -> dict:
    """Share of the issue's crimes with a child victim or a DA or CSE flag, leaving out the
    parts that are the issue itself (a flag's share of itself is 100 % by definition; every
    child sexual exploitation crime has a child victim)."""
    source = "partner crimes extract"
    own = CIRCULAR.get(issue.partner_flag or "", ())
    parts = {"child_victim": "a victim under 18", "domestic_abuse": "domestic abuse",
             "child_sexual_exploitation": "child sexual exploitation"}
    kept = [name for name in parts if name not in own]
    if not kept:
        return _figure(issue, "vulnerability", source=source,
                       note="circular for this issue: every part of the measure is the issue "
                            "itself")
    if rows.empty:
        return _figure(issue, "vulnerability", source=source, note="no crimes in the period")
    flags = {"child_victim": rows["victim_age_band"].fillna("") == CHILD_AGE_BAND,
             "domestic_abuse": rows["domestic_abuse"].fillna(False).astype(bool),
             "child_sexual_exploitation":
                 rows["child_sexual_exploitation"].fillna(False).astype(bool)}
    vulnerable = pd.concat([flags[name] for name in kept], axis=1).any(axis=1)
    share = 100 * float(vulnerable.sum()) / len(rows)
    without = (f"; {' and '.join(parts[name] for name in parts if name in own)} left out as "
               "circular") if own else ""
    return _figure(issue, "vulnerability", share,
                   detail=f"{int(vulnerable.sum()):,} of {len(rows):,} crimes "
                          f"({_number(share)} %) with {' or '.join(parts[n] for n in kept)}"
                          f"{without}", source=source)


def _peer_figure(issue: IssueSpec, evidence: Evidence, selected: pd.DataFrame,
                 current: Period) -> dict:
    """The area's rate against its peers' pooled rate (configured peers, else the force's
    other partnerships), from police.uk counts over the months of the period held for the
    whole force: every partnership is counted over the same months, so the ratio is fair
    even when the period is incomplete."""
    source = "data.police.uk (force-wide)"
    if evidence.populations is None:
        return _figure(issue, "peer_position", source=source, note="no population is configured")
    held = _months_held(current, evidence.available_months)
    if not held:
        return _figure(issue, "peer_position", source=source,
                       note=f"no month of {current.label} is held")
    csps = evidence.populations[evidence.populations["area_level"] == "CSP"]
    peers = [c for c in evidence.peer_codes if c in set(csps["area_code"])] or \
        [c for c in csps["area_code"] if c != evidence.area_code]
    if not peers:
        return _figure(issue, "peer_position", source=source, note="no peer partnership")
    in_period = selected[selected["month"].isin(set(held))]
    totals = in_period.groupby("csp_code")["count"].sum()
    members = csps[csps["area_code"].isin([evidence.area_code, *peers])].copy()
    members["count"] = members["area_code"].map(totals).fillna(0).astype("int64")
    result = peer_comparison(members, evidence.area_code, area_col="area_code")
    over = "" if len(held) == len(current) else \
        f"; over the {len(held)} months of {current.label} held for every partnership"
    return _figure(issue, "peer_position", float(result["ratio"]),
                   test=str(result["significance"]),
                   detail=f"{_number(float(result['rate']))} per 1,000 against the peers' "
                          f"{_number(float(result['peer_rate']))} ({result['significance']}; "
                          f"{result['position']}{over})", source=source)


def _missing(issue: IssueSpec, dimensions: Iterable[str], note: str, source: str = ""
             ) -> list[dict]:
    return [_figure(issue, d, source=source, note=note) for d in dimensions]


def police_uk_figures(issue: IssueSpec, evidence: Evidence, current: Period,
                      previous: Period, rules: FigureRules = FigureRules()) -> list[dict]:
    """Figures for a police.uk crime type (or ASB): counts, trend and peers from police.uk;
    harm, cost and vulnerability from the partner crimes extract when there is one, else
    harm and cost from the crime-type values over the months held."""
    types = [ASB] if issue.asb else issue.police_uk_crime_types
    selected = evidence.counts[evidence.counts["crime_type"].isin(types)]
    area = selected[selected["csp_code"] == evidence.area_code]
    monthly = area.groupby("month", as_index=False)["count"].sum()
    also_in = CRIME_TYPE_TABLE if len(types) == 1 else ""
    unit = "incidents" if issue.asb else "crimes"
    figures = _change_figures(issue, monthly, current, previous, evidence.available_months,
                              unit=unit, source="data.police.uk", also_in=also_in,
                              population=evidence.area_population, rules=rules)
    _mark_emerging(figures[1], monthly, evidence, current, asb=issue.asb)
    figures.append(_peer_figure(issue, evidence, selected, current))
    if issue.asb:
        return figures + _missing(issue, ("harm", "cost", "vulnerability"),
                                  "ASB incidents have no severity weight, unit cost or victim "
                                  "details")
    if evidence.crimes is None:
        source = "data.police.uk crime-type weights"
        held = _months_held(current, evidence.available_months)
        not_annualised = _annualise_note(current, held, rules)
        if not_annualised:
            return figures + _missing(issue, ("harm", "cost"), not_annualised, source) + \
                _missing(issue, ["vulnerability"],
                         "needs victim details from a partner crimes extract")
        in_period = area[area["month"].isin(set(held))]
        figures += _weighted_figures(
            issue, in_period, key_col="crime_type", classification="police_uk_crime_type",
            evidence=evidence, source=source, per_year=12 / len(held),
            per_year_words=_per_year_words(current, held), rules=rules)
        return figures + _missing(issue, ["vulnerability"],
                                  "needs victim details from a partner crimes extract")
    return figures + _partner_detail_figures(issue, evidence, current, rules)


def _mark_emerging(trend: dict, monthly: pd.DataFrame, evidence: Evidence, current: Period,
                   *, asb: bool) -> None:
    """Add to a police.uk trend figure whether the issue's monthly series is emerging (the
    crime overview's rule, :func:`analysis.stats.forecasts.emerging_signal`; None when it
    cannot be tested), saying so in the figure's detail when it is."""
    values = counts_series(monthly, current.end, evidence.available_months)
    breaks = [b.month for b in breaks_for(list(evidence.trend_breaks), "asb" if asb else "crime")]
    signal = emerging_signal(values, current.end, breaks) if len(values) else None
    trend["emerging"] = None if signal is None else signal.flagged
    if signal is not None and signal.flagged:
        trend["detail"] = "; ".join(part for part in (
            trend["detail"], f"emerging: {signal.above} of the last {len(signal.months)} "
            f"months above the forecast's upper {EMERGING_LEVEL} % interval") if part)


def _partner_detail_figures(issue: IssueSpec, evidence: Evidence, current: Period,
                            rules: FigureRules = FigureRules()) -> list[dict]:
    """Harm, cost (offence codes) and vulnerability (victims) from the partner crimes, or
    missing when the extract does not cover the whole period."""
    if not current.coverage(evidence.partner_months).complete:
        return _missing(issue, ("harm", "cost", "vulnerability"),
                        f"the partner crimes extract does not cover all of {current.label}",
                        "partner crimes extract")
    rows = _partner_rows(issue, evidence, current)
    per_year = 12 / len(current)
    figures = _weighted_figures(issue, rows, key_col="offence_code",
                                classification="ho_offence_code", evidence=evidence,
                                source="partner crimes extract (offence codes)",
                                per_year=per_year,
                                per_year_words=_per_year_words(current, current.months),
                                rules=rules)
    return [*figures, _vulnerability_figure(issue, rows)]


def _partner_rows(issue: IssueSpec, evidence: Evidence, period: Period) -> pd.DataFrame:
    """The partnership's partner crime rows of an issue in ``period``, one count each."""
    crimes = evidence.crimes if evidence.crimes is not None else pd.DataFrame()
    if crimes.empty:
        return crimes
    mine = crimes[partner_selection(issue, crimes) & (crimes["csp_code"] == evidence.area_code)]
    months = pd.to_datetime(mine["committed_from"]).dt.to_period("M").dt.to_timestamp().dt.date
    return mine[months.isin(set(period.months))].assign(count=1)


def partner_figures(issue: IssueSpec, evidence: Evidence, current: Period,
                    previous: Period, rules: FigureRules = FigureRules()) -> list[dict]:
    """Figures for an issue selected from the partner crimes extract (a flag or groups).

    The months an extract holds are inferred from its first and last record, so a count is
    given only for a period the extract covers whole (never annualised from part of it).
    """
    dims = ("volume", "trend", "harm", "cost", "vulnerability")
    if evidence.crimes is None:
        return _missing(issue, dims, "no partner crimes extract for this area")
    crimes = evidence.crimes
    mine = crimes[partner_selection(issue, crimes) & (crimes["csp_code"] == evidence.area_code)]
    figures = _change_figures(issue, _monthly(mine), current, previous,
                              evidence.partner_months, unit="crimes",
                              source="partner crimes extract", also_in="",
                              population=evidence.area_population,
                              rules=replace(rules, min_months_held=12))
    figures += _partner_detail_figures(issue, evidence, current, rules)
    return figures + _missing(issue, ["peer_position"],
                              "the partner extract covers this partnership only")


def indicator_figures(issue: IssueSpec, evidence: Evidence, period_text: str) -> list[dict]:
    """Figures for a rate in the indicators extract (e.g. proven reoffending): trend between
    the latest two periods and position against the force, both two-proportion tests."""
    source = "partner indicators extract"
    not_counts = _missing(issue, ("volume", "harm", "cost", "vulnerability"),
                          "a rate, not a count of crimes", source)
    rows = None if evidence.indicators is None else evidence.indicators[
        (evidence.indicators["indicator"] == issue.indicator)
        & (evidence.indicators["period"].astype(str) <= period_text)
        & evidence.indicators["denominator"].notna()]
    area = None if rows is None else rows[rows["area"] == evidence.area_code].sort_values("period")
    if rows is None or area is None or area.empty:
        return not_counts + _missing(issue, ("trend", "peer_position"),
                                     f"no '{issue.indicator}' figures for this area", source)
    latest = area.iloc[-1]
    p2, n2 = float(latest["numerator"]) / float(latest["denominator"]), float(latest["denominator"])
    figures = list(not_counts)
    if len(area) > 1:
        earlier = area.iloc[-2]
        p1, n1 = float(earlier["numerator"]) / float(earlier["denominator"]), \
            float(earlier["denominator"])
        test = proportion_change(p1, n1, p2, n2)
        pct = 100 * (p2 / p1 - 1) if p1 else math.nan
        figures.append(_figure(issue, "trend", pct, test=str(test["label"]),
                               detail=f"{100 * p1:.1f} % ({earlier['period']}) -> "
                                      f"{100 * p2:.1f} % ({latest['period']}), {test['label']}",
                               source=source))
    else:
        figures += _missing(issue, ["trend"], "only one period", source)
    force = rows[(rows["area"] == evidence.force_code) & (rows["period"] == latest["period"])]
    if force.empty:
        figures += _missing(issue, ["peer_position"], "no force figure", source)
    else:
        f = force.iloc[0]
        pf, nf = float(f["numerator"]) / float(f["denominator"]), float(f["denominator"])
        test = proportion_change(pf, nf, p2, n2)
        label = {SIGNIFICANT_INCREASE: HIGHER, SIGNIFICANT_DECREASE: LOWER}.get(
            str(test["label"]), SIMILAR)
        figures.append(_figure(issue, "peer_position", p2 / pf, test=label,
                               detail=f"{100 * p2:.1f} % against the force's {100 * pf:.1f} % "
                                      f"({latest['period']}; {label})", source=source))
    return figures


def concern_figure(issue: IssueSpec, evidence: Evidence, period_text: str) -> dict:
    """The share agreeing with the issue's survey question in the latest wave, or missing."""
    source = "perception survey (partner indicators extract)"
    if issue.concern_question is None:
        return _figure(issue, "public_concern", note="no survey question matches this issue")
    if evidence.indicators is None:
        return _figure(issue, "public_concern", source=source, note="no survey results")
    results = survey_results(evidence.indicators)
    rows = results[(results["question_id"] == issue.concern_question)
                   & (results["area"] == evidence.area_code)
                   & (results["period"].astype(str) <= period_text)].sort_values("period")
    if rows.empty:
        return _figure(issue, "public_concern", source=source,
                       note=f"no '{issue.concern_question}' result for this area")
    latest = rows.iloc[-1]
    return _figure(issue, "public_concern", float(latest["percent"]),
                   detail=f"{latest['percent']:.0f} % agree ({latest['period']}, "
                          f"{int(latest['respondents'])} respondents)",
                   source=source, also_in=SURVEY_TABLE)


def collect_figures(matrix: PriorityMatrix, evidence: Evidence, current: Period,
                    period_text: str, previous: Period | None = None, *,
                    comparison: str = DEFAULT_COMPARISON) -> pd.DataFrame:
    """One row per issue and dimension: the figure (or why it is missing) and its source.

    ``previous`` is the comparison period of the trend (the report's, ``Section.previous``);
    by default :func:`analysis.core.periods.comparison_period` of ``current`` under ``comparison``
    (the area config's rule).
    """
    previous = previous or comparison_period(current, comparison)
    rules = FigureRules.of(matrix)
    rows: list[dict] = []
    for issue in matrix.issues:
        if issue.source == "police_uk":
            rows += police_uk_figures(issue, evidence, current, previous, rules)
        elif issue.source == "partner":
            rows += partner_figures(issue, evidence, current, previous, rules)
        else:
            rows += indicator_figures(issue, evidence, period_text)
        rows.append(concern_figure(issue, evidence, period_text))
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("float64")
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    return (frame.assign(_order=frame["dimension"].map(order))
            .sort_values(["issue_id", "_order"], kind="stable").drop(columns="_order")
            .reset_index(drop=True))


# --- presentation --------------------------------------------------------------------------
def presentable_ranking(table: pd.DataFrame, robustness: pd.DataFrame) -> pd.DataFrame:
    """The ranking as the page shows it: rank, issue, each dimension's score, weighted score,
    coverage, rank range under the sensitivity test, whether the priority is robust, and the
    dimensions left out of the issue's score and why."""
    merged = table.merge(robustness.drop(columns="rank"), on="issue_id", how="left")
    shown = pd.DataFrame({"Rank": merged["rank"], "Issue": merged["issue"]})
    for name in DIMENSIONS:
        shown[DIMENSION_NAMES[name]] = merged[name]
    shown["Weighted score"] = merged["score"].round(2)
    shown["Evidence (share of comparable weight)"] = (100 * merged["coverage"]).round(0)
    shown["Rank range (weights ±)"] = [
        "–" if pd.isna(b) else (f"{b}" if b == w else f"{b} to {w}")
        for b, w in zip(merged["best_rank"], merged["worst_rank"], strict=True)]
    shown["Robust"] = np.where(merged["robust"], "yes", "no")
    shown.loc[merged["rank"].isna(), "Robust"] = "too little evidence to rank"
    shown["Left out (why)"] = merged["left_out"].replace("", "–")
    return shown


def presentable_audit(audit: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """The audit trail with readable headings, issues in rank order (``table`` from
    :func:`ranking`): issue, dimension, figure, value scored, score, rule, source, and the
    report table where the same figure also appears."""
    order = {issue_id: i for i, issue_id in enumerate(table["issue_id"])}
    rows = audit.assign(_order=audit["issue_id"].map(order)).sort_values("_order", kind="stable")
    return pd.DataFrame({
        "Issue": rows["issue"],
        "Dimension": rows["dimension"].map(DIMENSION_NAMES),
        "Figure": [d if d else "–" for d in rows["detail"]],
        "Value": rows["value"].round(3),
        "Score": rows["score"],
        "Rule applied": rows["rule"],
        "Source": rows["source"].replace("", "–"),
        "Also in table": rows["also_in"].replace("", "–"),
    }).reset_index(drop=True)


def dimension_scales(matrix: PriorityMatrix) -> pd.DataFrame:
    """Each dimension's weight, figure and scale in words (the page shows the rules)."""
    rows = []
    for name in DIMENSIONS:
        spec = matrix.dimensions[name]
        if spec.kind == "bands":
            c = [_number(x) for x in spec.cutoffs or []]
            scale = (f"1: below {c[0]}; 2: {c[0]} to under {c[1]}; 3: {c[1]} to under {c[2]}; "
                     f"4: {c[2]} to under {c[3]}; 5: {c[3]} or more")
        elif spec.kind == "change":
            large = _number(float(spec.large or 0))
            scale = (f"5: significant increase of {large} % or more; 4: smaller significant "
                     f"increase; 3: no significant change; 2: smaller significant decrease; "
                     f"1: significant decrease of {large} % or more")
        else:
            ratio = float(spec.large or 0)
            scale = (f"5: significantly higher, ratio {ratio:g} or more; 4: significantly "
                     f"higher; 3: not significantly different; 2: significantly lower; "
                     f"1: significantly lower, ratio {1 / ratio:.2f} or less")
        rows.append({"Dimension": DIMENSION_NAMES[name], "Weight": spec.weight,
                     "Figure": spec.figure, "Scale": scale})
    return pd.DataFrame(rows)


NOT_AGREED = "to be agreed"
"""What an owner field shows when the area's plan file does not fill it in for a priority."""


def plan_on_a_page(table: pd.DataFrame, robustness: pd.DataFrame, audit: pd.DataFrame,
                   matrix: PriorityMatrix, plan: AreaPlan | None = None,
                   duties: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The top ``top_n`` ranked issues (ties at the cut included) in the seeds' plan-on-a-page
    shape: rank, priority, the partnership's fields from ``plan`` (outcome sought, lead and
    supporting partners, resources, the Police and Crime Plan link; left out when the area
    has no plan file, ``plan`` None; 'to be agreed' when the file leaves one empty), the legal
    duty (the plan's, else ``duties``, by default ``reference/legal_duties.csv``), the measures
    to watch (the matrix's, then the plan's), why (the figures that scored 4 or 5), the
    weighted score and its robustness."""
    duties = default_legal_duties() if duties is None else duties
    ranked = table[table["rank"].notna() & (table["rank"] <= matrix.top_n)]
    robust = robustness.set_index("issue_id")
    measures = {issue.id: issue.measures for issue in matrix.issues}
    rows = []
    for _, row in ranked.iterrows():
        evidence = audit[(audit["issue_id"] == row["issue_id"]) & (audit["score"] >= 4)]
        why = "; ".join(f"{DIMENSION_NAMES[d]}: {detail}" for d, detail in
                        zip(evidence["dimension"], evidence["detail"], strict=True))
        sens = robust.loc[row["issue_id"]]
        stability = ("holds under every tested weighting" if sens["robust"] else
                     f"rank moves between {sens['best_rank']} and {sens['worst_rank']}"
                     if not pd.isna(sens["best_rank"]) else "not ranked under every weighting")
        entry = (plan.priorities.get(row["issue_id"], PlanEntry()) if plan is not None
                 else PlanEntry())
        owned = {} if plan is None else {
            heading: ("; ".join(entry.supporting) if name == "supporting"
                      else getattr(entry, name)) or NOT_AGREED
            for name, heading in OWNER_FIELDS.items()}
        rows.append({
            "Rank": int(row["rank"]), "Priority": row["issue"], **owned,
            "Legal duty": entry.legal_duty or duties.get(row["issue_id"], "–"),
            "Measures to watch": "; ".join([*measures.get(row["issue_id"], []),
                                            *entry.measures]) or "–",
            "Why (evidence)": why or "no dimension scored 4 or more",
            "Weighted score": round(float(row["score"]), 2),
            "Stability": stability,
        })
    return pd.DataFrame(rows)


def plan_notice(plan_file: str | None, area: str) -> str:
    """What the page says above the plan: which file holds the partnership's entries, or,
    without one, which fields the partnership fills in and where (escaped HTML)."""
    fields = ", ".join(OWNER_FIELDS.values())
    if plan_file:
        return html_from("<p class='csp-notice'>Outcomes, partners, resources and the link to "
                         "the Police and Crime Plan are the partnership's, from "
                         "<code>{file}</code>; rank, evidence, legal duty defaults and measures "
                         "come from the data and the priority matrix.</p>", file=plan_file)
    return html_from("<p class='csp-notice'><strong>The partnership has not filled in its plan "
                     "yet.</strong> The table shows the evidence columns only. The partnership "
                     "fills in, for each priority: {fields}, and may change the legal duty and "
                     "add measures, in <code>{file}</code> (see the README).</p>",
                     fields=fields, file=f"config/plan/{area}.yaml")


def describe_priorities(plan: pd.DataFrame, table: pd.DataFrame,
                        not_assessed: Iterable[str] = ()) -> list[str]:
    """Findings: the top priorities in order, which are robust, issues too thin to rank and
    the dimensions no issue could be scored on (``not_assessed``, from
    :func:`not_assessed_dimensions`), which the ranking leaves out for every issue."""
    skipped = [DIMENSION_NAMES[name] for name in not_assessed]
    skipped_text = ("Not assessed for any issue, so left out of every score: "
                    + ", ".join(skipped) + " (see the audit trail for why).") if skipped else ""
    assessed = [DIMENSION_NAMES[name] for name in DIMENSIONS if name not in set(not_assessed)]
    if len(assessed) == 1:
        skipped_text += (f" The ranking rests on one dimension only ({assessed[0]}): read it "
                         "as indicative.")
    if plan.empty:
        return ["No issue had enough evidence to be ranked.", *([skipped_text] if skipped
                                                                 else [])]
    robust = plan[plan["Stability"] == "holds under every tested weighting"]
    sentences = [
        "The matrix ranks as top priorities: "
        + "; ".join(f"{r['Rank']}. {r['Priority']} (score {r['Weighted score']:.2f})"
                    for _, r in plan.iterrows()) + ".",
        ("Robust under every tested weighting: " + ", ".join(robust["Priority"]) + "."
         if len(robust) else "None of the top priorities holds its place under every tested "
         "weighting: read the ranking as indicative."),
    ]
    unranked = table[table["rank"].isna()]["issue"]
    if len(unranked):
        sentences.append("Too little evidence to rank: " + ", ".join(unranked) + ".")
    if skipped:
        sentences.append(skipped_text)
    return sentences


# --- the page: what notebook 90 shows, cell by cell ----------------------------------------
CAVEATS = (
    "The matrix is a guide for the partnership's discussion, not a decision: it ranks "
    "issues on the evidence in the data, and local knowledge may outweigh it.",
    "A dimension without a figure is missing: it is left out of that issue's score, never "
    "counted as zero; the share of the weight that had a figure is shown as evidence.",
    "Harm (severity-weighted days) and cost (£ at 2015/16 prices) come from the same "
    "computation as the crime overview; each is scored only when enough of the issue's "
    "crimes have a value in the table used, and the share is shown beside it.",
    "A count over an incomplete period is annualised from the months held (an "
    "estimate); the position against peers uses the same months for every partnership.",
    "Anti-social behaviour is counted in incidents and is never added to crime totals.",
)
"""The page's caveats after the line saying which months the period holds."""

NOTHING_RANKED_NOTICE = (
    "<p class='csp-notice'><strong>No issue has enough evidence to be ranked for {period}."
    "</strong> The figures behind each dimension are missing (see the audit trail below for "
    "the reason, e.g. months missing from the published data), so no plan on a page can be "
    "drawn from the data.</p>")


@dataclass(frozen=True)
class PriorityInputs:
    """What the priorities page is scored from: the matrix (defaults and the area's
    changes), the evidence from the store, the periods compared, and the page header's
    ``sources`` and ``caveats``."""

    matrix: PriorityMatrix
    evidence: Evidence
    current: Period
    previous: Period
    period_text: str
    area_name: str
    sources: list[str]
    caveats: list[str]
    plan: AreaPlan | None = None
    plan_file: str | None = None
    area: str = ""


def priority_sources(matrix: PriorityMatrix, evidence: Evidence, force_name: str,
                     override: str | None) -> list[str]:
    """The page's data sources: police.uk (months held), the partner extracts the area has,
    the population release and the matrix version, with the area's override file
    (``override``, as partners should see its path) when there is one."""
    extracts = [f"Partner {name} extract" for name, frame in
                (("crimes", evidence.crimes), ("indicators", evidence.indicators))
                if frame is not None]
    population = ("none configured" if evidence.populations is None
                  else evidence.populations["population_vintage"].iloc[0])
    matrix_line = f"Priority matrix version {matrix.version} (reference/priority_matrix.yaml)"
    if override:
        matrix_line += f" with the area's changes in {override}"
    return [police_uk_source(force_name, list(evidence.available_months)), *extracts,
            f"Population: {population}", matrix_line]


def priority_inputs(section: Section) -> PriorityInputs:
    """Load the area's matrix and evidence for the section's period (one store read)."""
    config, current = section.config, section.period
    matrix, override = load_priority_matrix(config.name, section.root)
    plan, plan_file = load_plan(config.name, [issue.id for issue in matrix.issues], section.root)
    evidence = load_evidence(config, section.store_dir, section.root, period=current)
    shown_override = shown_path(str(override), section.root) if override else None
    shown_plan = shown_path(str(plan_file), section.root) if plan_file else None
    return PriorityInputs(
        matrix=matrix, evidence=evidence, current=current, previous=section.previous,
        period_text=section.period_text, area_name=config.csp_name,
        sources=priority_sources(matrix, evidence, config.force.name, shown_override),
        caveats=[current.coverage(evidence.available_months).describe(), *CAVEATS],
        plan=plan if plan_file else None, plan_file=shown_plan, area=config.name)


def scales_table(matrix: PriorityMatrix) -> Table:
    """The dimensions, weights and scales (:func:`dimension_scales`) as the page shows them."""
    return Table(dimension_scales(matrix), "dimension_scales",
                 f"Dimensions, weights and scales (matrix version {matrix.version}; issues "
                 f"need {matrix.min_coverage:.0%} of the weight to be ranked)",
                 source="process")


@dataclass(frozen=True)
class PrioritiesPage:
    """The scored matrix as the page shows it: the plan on a page (or a notice that nothing
    could be ranked), the ranking, the audit trail, the findings and the headline figures
    (key, value, label) :func:`record_key_figures` keeps."""

    plan: list[Table | HTML]
    ranking: Table
    audit: Table
    findings: list[Finding]
    key_figures: list[tuple[str, object, str]]


TOP_THREE = 3  # the priorities the force overview lists for each partnership


def priority_key_figures(table: pd.DataFrame, matrix: PriorityMatrix
                         ) -> list[tuple[str, object, str]]:
    """The weighted score of each top-``top_n`` issue of :func:`ranking` (ties at the cut
    included), the top three as one line (what the force overview lists for each
    partnership; left out when nothing could be ranked), then the matrix version."""
    top = table[table["rank"].notna() & (table["rank"] <= matrix.top_n)]
    figures: list[tuple[str, object, str]] = [
        (f"priority:{row['issue_id']}", round(float(row["score"]), 2),
         f"Priority {row['rank']}: {row['issue']} (weighted score)")
        for _, row in top.iterrows()]
    first_three = top[top["rank"] <= TOP_THREE]
    listed = "; ".join(f"{int(row['rank'])}. {row['issue']}" for _, row in first_three.iterrows())
    listing = [("top_priorities", listed, "Top three priorities")] if listed else []
    return [*figures, *listing, ("matrix_version", matrix.version, "Priority matrix version")]


def priority_findings(plan: pd.DataFrame, table: pd.DataFrame,
                      not_assessed: Iterable[str] = (), *,
                      top_figures: Iterable[str] = ()) -> list[Finding]:
    """:func:`describe_priorities`'s sentences as Findings, in its order.

    A ranking is not a test and states no direction: every finding has no direction and
    'no test stated', except that nothing could be ranked (an empty ``plan``: the first
    sentence) and the dimensions no issue could be scored on (``not_assessed``: the last
    sentence) are 'not assessed'. The top priorities (the first sentence of a plan) rest on
    ``top_figures``, the keys of :func:`priority_key_figures`.
    """
    not_assessed = list(not_assessed)
    sentences = describe_priorities(plan, table, not_assessed)
    findings = []
    for at, sentence in enumerate(sentences):
        nothing_ranked = plan.empty and at == 0
        dimensions_left_out = bool(not_assessed) and at == len(sentences) - 1
        significance = (FINDING_NOT_ASSESSED if nothing_ranked or dimensions_left_out
                        else NOT_TESTED)
        figures = tuple(top_figures) if at == 0 and not plan.empty else ()
        table = "plan_on_a_page" if at == 0 and not plan.empty else "ranking"
        findings.append(Finding(sentence, NO_DIRECTION, significance, figures, table=table))
    return findings


def priorities_page(inputs: PriorityInputs) -> PrioritiesPage:
    """Score, rank and test the matrix on the inputs' evidence and make the page's tables
    and findings (see :func:`collect_figures` to :func:`plan_on_a_page`)."""
    matrix, period_label = inputs.matrix, inputs.current.label
    figures = collect_figures(matrix, inputs.evidence, inputs.current, inputs.period_text,
                              inputs.previous)
    audit = score_figures(figures, matrix)
    table = ranking(audit, matrix)
    robustness = sensitivity(audit, matrix)
    plan = plan_on_a_page(table, robustness, audit, matrix, inputs.plan)
    linked = (inputs.plan.police_and_crime_plan if inputs.plan is not None else None)
    plan_items: list[Table | HTML] = (
        [HTML(html_from(NOTHING_RANKED_NOTICE, period=period_label))] if plan.empty else
        [HTML(plan_notice(inputs.plan_file, inputs.area or "<area>")),
         Table(plan, "plan_on_a_page",
               f"Plan on a page: top priorities for {inputs.area_name}, {period_label}"
               + (f" (Police and Crime Plan: {linked})" if linked else ""),
               source="process", formats={"Weighted score": "{:.2f}"})])
    ranking_table = Table(
        presentable_ranking(table, robustness), "ranking",
        f"Priority matrix ranking, {inputs.area_name}, {period_label}", source="process",
        formats={name: "{:.0f}" for name in ["Rank", *DIMENSION_NAMES.values()]}
        | {"Weighted score": "{:.2f}", "Evidence (share of comparable weight)": "{:.0f} %"})
    audit_table = Table(presentable_audit(audit, table), "audit_trail",
                        f"Priority matrix audit trail, {inputs.area_name}, {period_label}",
                        source="process")
    key_figures = priority_key_figures(table, matrix)
    findings = priority_findings(plan, table, not_assessed_dimensions(audit),
                                 top_figures=[key for key, _, _ in key_figures
                                              if key.startswith("priority:")])
    return PrioritiesPage(plan=plan_items, ranking=ranking_table, audit=audit_table,
                          findings=findings, key_figures=key_figures)


def record_key_figures(section: Section, page: PrioritiesPage) -> None:
    """Keep the page's headline figures for the executive summary."""
    for key, value, label in page.key_figures:
        section.record(key, value, label=label)
