"""Public perception and confidence: survey questions for the area, their change and rank.

The perception section reads the survey rows of the partner indicators extract (through
:func:`analysis.stats.survey.survey_results`) and answers, for each question: what share agree in
the latest wave (with a 95 % interval that allows for the survey's weighting), whether that
moved since the wave before by more than sampling error would, how the area stands among
the force's districts (and whether the intervals overlap, so the order may be chance), and
how it compares with all districts pooled. It also sets a perception measure beside the
matching recorded figure (concern about crime and ASB beside recorded ASB incidents):
the two measure different things and are shown side by side, never combined.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from analysis.core.config import AreaConfig
from analysis.core.errors import ConfigError, DataCoverageError
from analysis.core.findings import (
    ABOVE_COMPARATORS,
    BELOW_COMPARATORS,
    DECREASE,
    INCREASE,
    NO_CHANGE,
    NO_DIRECTION,
    NOT_ASSESSED,
    NOT_SIGNIFICANT,
    NOT_TESTED,
    SIGNIFICANT,
    Finding,
)
from analysis.core.periods import Period
from analysis.core.safe_text import html_from
from analysis.inputs.geography import load_lad_csp
from analysis.present.chart_text import describe
from analysis.present.charts import PALETTE
from analysis.present.page import Section, police_uk_source
from analysis.present.presentable import Chart, Table
from analysis.stats.measures import NOT_ASSESSED as TEST_NOT_ASSESSED
from analysis.stats.measures import SIGNIFICANT_DECREASE, SIGNIFICANT_INCREASE
from analysis.stats.survey import (
    SURVEY_PREFIX,
    proportion_change,
    rank_among,
    survey_results,
    wilson_interval,
)
from analysis.store import query

HIGHER_IS_WORSE = frozenset({"crime_asb_more_problem"})
"""Questions where agreeing is bad news; for every other question agreeing is good news."""

CONCERN_QUESTION = "crime_asb_more_problem"
"""The perception question set beside recorded ASB incidents."""

ALL_DISTRICTS = "All districts surveyed (pooled)"


def higher_is(question_id: str) -> str:
    """'worse' for questions where a higher share agreeing is bad news, else 'better'."""
    return "worse" if question_id in HIGHER_IS_WORSE else "better"


def district_names(config: AreaConfig, root: Path) -> dict[str, str]:
    """GSS code -> name for the force's partnerships and local authorities (survey areas)."""
    lookup = load_lad_csp(config.resolve(config.sources.lad_csp_lookup, root))
    in_force = lookup[lookup["pfa_code"] == config.force.code]
    names = dict(zip(in_force["lad_code"], in_force["lad_name"], strict=True))
    names.update(zip(in_force["csp_code"], in_force["csp_name"], strict=True))
    return names


def survey_source_names(indicators: pd.DataFrame) -> list[str]:
    """The surveys named in the ``source`` column of the survey rows of an indicators extract."""
    rows = indicators[indicators["indicator"].str.startswith(SURVEY_PREFIX, na=False)]
    return sorted(set(rows["source"].dropna().astype(str)))


def survey_waves(results: pd.DataFrame, period_text: str) -> tuple[str, str | None]:
    """The latest wave not after the assessment period, and the wave before it (or None).

    Waves are written like a period (``2024-25``, ``2024``): a wave that ends after the
    assessment period ends (a later survey) is not used for this assessment. Waves that are
    not period labels are compared with ``period_text`` as text, as before. Raises
    DataCoverageError when no wave is that early.
    """
    waves = waves_up_to(results, period_text)
    if not waves:
        raise DataCoverageError("no survey wave up to the assessment period",
                                found=sorted(results["period"].unique()), expected=period_text)
    return waves[-1], (waves[-2] if len(waves) > 1 else None)


def waves_up_to(results: pd.DataFrame, period_text: str) -> list[str]:
    """The survey waves that end by the end of the assessment period, oldest first.

    An assessment never shows a later wave (see :func:`survey_waves`).
    """
    end = Period.parse(period_text).end
    return sorted(str(w) for w in results["period"].unique()
                  if _wave_not_after(str(w), end, period_text))


def _wave_not_after(wave: str, end: date, period_text: str) -> bool:
    """True when survey ``wave`` ends by ``end`` (text order for a label that is no period).

    Text order alone fails for month ranges: '2023-24' sorts after '2022-04..2025-03' although
    that 36-month period contains it.
    """
    try:
        return Period.parse(wave).end <= end
    except ConfigError:
        return wave <= period_text


def pooled_districts(results: pd.DataFrame, question_id: str, wave: str) -> dict[str, float]:
    """All districts' answers to one question pooled: agreeing / respondents, Wilson interval.

    Pooling by respondents is an approximation of the force figure (districts are weighted
    by how many people answered, not by population); the design effect is the largest of
    the districts'.
    """
    rows = results[(results["question_id"] == question_id) & (results["period"] == wave)]
    agreeing, respondents = float(rows["agreeing"].sum()), float(rows["respondents"].sum())
    lower, upper = wilson_interval(agreeing, respondents,
                                   design_effect=float(rows["design_effect"].max()))
    return {"percent": 100 * agreeing / respondents, "lower": 100 * lower,
            "upper": 100 * upper, "respondents": respondents}


def _district_rank(rows: pd.DataFrame, area_name: str, question_id: str) -> dict[str, Any]:
    values = rows.set_index("name")["proportion"]
    intervals = rows.set_index("name")[["lower", "upper"]]
    return rank_among(values, area_name, higher_is=higher_is(question_id), intervals=intervals)


def question_summary(results: pd.DataFrame, area_code: str, names: Mapping[str, str],
                     latest: str, previous: str | None) -> pd.DataFrame:
    """One row per question for the area: latest share, interval, change, rank, pooled figure.

    ``names`` maps district codes to names. Percentages and interval bounds are in per cent
    (0-100). ``change`` is the plain label of the two-proportion test between ``previous``
    and ``latest`` on effective sample sizes (design effect), or 'no earlier wave'.
    ``position`` / ``judgement`` / ``rank_summary`` come from
    :func:`analysis.stats.survey.rank_among` over every district answering in the latest wave
    (``tied``: another district has the same share).
    """
    named = results.assign(name=results["area"].map(names).fillna(results["area"]))
    area_name = names.get(area_code, area_code)
    rows = []
    for question_id, answers in named.groupby("question_id", sort=True):
        now = answers[(answers["area"] == area_code) & (answers["period"] == latest)]
        if now.empty:
            continue
        current = now.iloc[0]
        before = answers[(answers["area"] == area_code) & (answers["period"] == previous)]
        row: dict[str, Any] = {
            "question_id": question_id, "question": current["question"],
            "wave": latest, "percent": float(current["percent"]),
            "lower": 100 * float(current["lower"]), "upper": 100 * float(current["upper"]),
            "respondents": int(current["respondents"]),
            "design_effect": float(current["design_effect"]),
            "previous_wave": previous, "previous_percent": np.nan,
            "change_points": np.nan, "p_value": np.nan, "change": "no earlier wave",
        }
        if not before.empty:
            earlier = before.iloc[0]
            test = proportion_change(float(earlier["proportion"]), float(earlier["respondents"]),
                                     float(current["proportion"]), float(current["respondents"]),
                                     design_effect=float(current["design_effect"]))
            row.update(previous_percent=float(earlier["percent"]),
                       change_points=float(test["difference_points"]),
                       p_value=float(test["p_value"]), change=str(test["label"]))
        districts = answers[answers["period"] == latest]
        rank = _district_rank(districts, area_name, str(question_id))
        pooled = pooled_districts(results, str(question_id), latest)
        row.update(rank=rank["rank"], districts=rank["of"], tied=bool(rank["tied_with"]),
                   position=rank["position"],
                   judgement=rank["judgement"], rank_summary=rank["summary"],
                   pooled_percent=pooled["percent"], pooled_lower=pooled["lower"],
                   pooled_upper=pooled["upper"],
                   overlaps_pooled=bool(row["lower"] <= pooled["upper"]
                                        and pooled["lower"] <= row["upper"]))
        rows.append(row)
    return pd.DataFrame(rows)


def presentable_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The question summary with the headings the page shows (per cent, one decimal)."""
    return pd.DataFrame({
        "Question": summary["question"],
        "Latest %": summary["percent"],
        "95 % interval": [f"{lo:.1f} to {hi:.1f}" for lo, hi in
                          zip(summary["lower"], summary["upper"], strict=True)],
        "Previous %": summary["previous_percent"],
        "Change (points)": summary["change_points"].round(1),
        "Change": summary["change"],
        "Rank among districts": summary["position"],
        "All districts %": summary["pooled_percent"].round(1),
    })


def district_table(results: pd.DataFrame, names: Mapping[str, str], wave: str,
                   question_id: str) -> pd.DataFrame:
    """Every district's answer to one question in one wave with its interval (per cent),
    highest share first, and the pooled figure for all districts last."""
    rows = results[(results["question_id"] == question_id) & (results["period"] == wave)]
    table = pd.DataFrame({
        "District": rows["area"].map(names).fillna(rows["area"]),
        "%": rows["percent"], "Lower 95 %": 100 * rows["lower"],
        "Upper 95 %": 100 * rows["upper"], "Respondents": rows["respondents"].astype(int),
    }).sort_values(["%", "District"], ascending=[False, True])
    pooled = pooled_districts(results, question_id, wave)
    total = {"District": ALL_DISTRICTS, "%": pooled["percent"], "Lower 95 %": pooled["lower"],
             "Upper 95 %": pooled["upper"], "Respondents": int(pooled["respondents"])}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def area_waves(results: pd.DataFrame, area_code: str, waves: Iterable[str]) -> pd.DataFrame:
    """The area's answers by question and wave (per cent with interval) for the chart."""
    rows = results[(results["area"] == area_code) & results["period"].isin(list(waves))]
    return pd.DataFrame({
        "question_id": rows["question_id"], "question": rows["question"],
        "wave": rows["period"], "percent": rows["percent"],
        "lower": 100 * rows["lower"], "upper": 100 * rows["upper"],
    }).reset_index(drop=True)


def plot_waves(waves: pd.DataFrame, area_name: str) -> Figure:
    """One small panel per question, titled with the question's wording (wrapped): the area's
    share agreeing by wave with 95 % intervals."""
    questions = list(dict.fromkeys(waves["question_id"]))
    columns = min(3, len(questions))
    rows = -(-len(questions) // columns)
    fig = Figure(figsize=(3.2 * columns, 2.6 * rows))
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    for ax, question_id in zip(axes, questions, strict=False):
        data = waves[waves["question_id"] == question_id].sort_values("wave")
        ax.errorbar(data["wave"], data["percent"],
                    yerr=[data["percent"] - data["lower"], data["upper"] - data["percent"]],
                    marker="o", color=PALETTE[0], capsize=4, linewidth=1.4)
        ax.set_title(textwrap.fill(str(data["question"].iloc[0]), 40), fontsize=8)
        ax.set_ylim(0, 100)
        ax.set_ylabel("% agreeing")
    for ax in axes[len(questions):]:
        ax.set_visible(False)
    fig.suptitle(f"Survey results by wave, {area_name} (95 % intervals)", fontsize=11,
                 fontweight="bold")
    fig.tight_layout()
    shown = "; ".join(
        f"{rows['question'].iloc[0]}: " + ", ".join(
            f"{wave} {percent:.0f} %" for wave, percent in
            zip(rows.sort_values("wave")["wave"], rows.sort_values("wave")["percent"],
                strict=True))
        for _, rows in waves.groupby("question_id", sort=False))
    return describe(fig, f"Small charts, one per survey question, of the share of residents "
                         f"agreeing in each wave with 95 % intervals: {shown}.")


def recorded_by_wave(counts: pd.DataFrame, waves: Iterable[str],
                     available_months: Iterable[date]) -> pd.DataFrame:
    """Recorded count in each wave's financial year (``2024-25``) from monthly counts.

    ``counts`` has ``month`` and ``count``. A year with a month missing from the published
    data is unknown (NaN) and says so in ``note``: a missing month is never a zero.
    """
    months = pd.to_datetime(counts["month"]).dt.date
    published = set(available_months)
    rows = []
    for wave in waves:
        year = Period.parse(str(wave))
        coverage = year.coverage(published)
        total = float(counts.loc[months.isin(set(year.months)), "count"].sum())
        rows.append({"wave": wave, "recorded": total if coverage.complete else np.nan,
                     "note": "" if coverage.complete else coverage.describe()})
    return pd.DataFrame(rows)


def perception_beside_recorded(summary_waves: pd.DataFrame, recorded: pd.DataFrame
                               ) -> pd.DataFrame:
    """The concern question's share by wave beside the recorded count for the same year."""
    concern = summary_waves[summary_waves["question_id"] == CONCERN_QUESTION]
    table = concern[["wave", "percent", "lower", "upper"]].merge(recorded, on="wave",
                                                                 how="left")
    return table.sort_values("wave").reset_index(drop=True)


def plot_perception_beside_recorded(table: pd.DataFrame, area_name: str,
                                    recorded_label: str) -> Figure:
    """Two panels side by side: concern (per cent, intervals) and the recorded count."""
    fig = Figure(figsize=(8.0, 3.2))
    left, right = fig.subplots(1, 2)
    left.errorbar(table["wave"], table["percent"],
                  yerr=[table["percent"] - table["lower"], table["upper"] - table["percent"]],
                  marker="o", color=PALETTE[1], capsize=4)
    left.set_ylim(0, max(50.0, float(table["upper"].max()) + 5))
    left.set_title("Think crime and ASB is more of a problem", fontsize=9)
    left.set_ylabel("% agreeing")
    known = table.dropna(subset=["recorded"])
    right.bar(known["wave"], known["recorded"], color=PALETTE[0])
    right.set_title(recorded_label, fontsize=9)
    right.set_ylabel("incidents")
    fig.suptitle(f"Perception beside recorded figures, {area_name}", fontsize=11,
                 fontweight="bold")
    fig.tight_layout()
    concern = ", ".join(f"{wave} {percent:.0f} %" for wave, percent
                        in zip(table["wave"], table["percent"], strict=True))
    recorded = ", ".join(f"{wave} {count:,.0f}" for wave, count
                         in zip(known["wave"], known["recorded"], strict=True)) or "none known"
    return describe(fig, "Two charts side by side: the share of residents who think crime and "
                         f"ASB is more of a problem by wave ({concern}), and {recorded_label} "
                         f"in the same years as bars ({recorded}).")


def _share(value: float) -> str:
    return f"{value:.0f} %"


def describe_question(row: Mapping[str, Any], area_name: str) -> str:
    """One sentence for one row of :func:`question_summary`.

    e.g. '33 % of residents surveyed in Kingsmere agree: "Crime and ... (agree)" (95 %
    interval 28.7 % to 37.5 %), up from 22 % in 2023-24, a statistically significant
    increase of 11.0 percentage points.' The significance wording follows the test label.
    """
    sentence = (f'{_share(float(row["percent"]))} of residents surveyed in {area_name} agree: '
                f'"{row["question"]}" (95 % interval {row["lower"]:.1f} % to '
                f'{row["upper"]:.1f} %)')
    if pd.isna(row["previous_percent"]):
        return sentence + "; there is no earlier wave to compare with."
    points = float(row["change_points"])
    moved = "up" if points > 0 else "down" if points < 0 else "unchanged"
    sentence += (f", {moved} from {_share(float(row['previous_percent']))} "
                 f"in {row['previous_wave']}")
    change = str(row["change"])
    if change.startswith("significant"):
        sentence += f", a statistically {change} of {abs(points):.1f} percentage points"
    else:
        sentence += ", not a statistically significant change"
    return sentence + "."


def describe_rank(row: Mapping[str, Any]) -> str:
    """The area's place among the districts for one question, with the overlap caveat.

    e.g. 'Of the 4 districts surveyed on "Crime ...", Kingsmere is second highest of 4
    (second worst of 4); its interval overlaps Holloway Downs, so that part of the order
    may be chance. All districts pooled: 31 %.'
    """
    pooled = f"All districts pooled: {_share(float(row['pooled_percent']))}"
    if row["overlaps_pooled"]:
        pooled += " (the two intervals overlap)"
    return (f'Of the {row["districts"]} districts surveyed on "{row["question"]}", '
            f'{row["rank_summary"]}. {pooled}.')


def describe_perception_beside_recorded(beside: pd.DataFrame, area_name: str) -> str:
    """One sentence setting the concern question's move beside recorded ASB over the waves."""
    first, last = beside.iloc[0], beside.iloc[-1]
    concern = (f"In {area_name} the share of residents who think crime and ASB has become more "
               f"of a problem went from {_share(float(first['percent']))} ({first['wave']}) to "
               f"{_share(float(last['percent']))} ({last['wave']})")
    if pd.isna(first["recorded"]) or pd.isna(last["recorded"]):
        return concern + ("; recorded ASB for the same years is not known because months of "
                          "data are missing.")
    return (concern + f", while recorded ASB incidents went from {int(first['recorded']):,} to "
            f"{int(last['recorded']):,}: the survey and the police records measure different "
            "things.")


# --- the page: what notebook 85 shows, cell by cell -------------------------------------------
CAVEATS = (
    "Survey results are estimates from a sample of residents: each is shown with a 95 % "
    "interval that allows for the survey's weighting (design effect).",
    "A survey measures what residents think; recorded crime and ASB measure what was "
    "reported to the police. The two are shown side by side, never combined.",
    "Anti-social behaviour is counted in incidents and is never added to crime totals.",
)
"""The page's caveats, whatever data it has."""

NO_LATER_WAVE_NOTICE = (
    "<p class='csp-notice'><strong>No survey wave ends by the end of this period.</strong> "
    "The survey results supplied are all later, so this assessment does not use them.</p>")
NO_SURVEY_NOTICE = (
    "<p class='csp-notice'><strong>No survey results are available for this area.</strong> "
    "Perception and confidence need the force's public perception survey, supplied as "
    "survey rows of the partner indicators extract (see docs/data-contract.md, section 6). "
    "Until it is supplied this page cannot show what residents think, how it changed or "
    "how the area compares with the other districts.</p>")
NO_SURVEY_FINDING = Finding(
    "No perception survey results are available for this area, so public perception and "
    "confidence cannot be reported.", NO_DIRECTION, NOT_ASSESSED)
"""The page's one finding without survey results: nothing could be assessed."""

SURVEY_ESTIMATE = "weighted survey estimate (per cent of respondents), not a count"
"""Why a survey percentage is published as it is (it is not a count to control)."""

RECORDED_COUNT = "data.police.uk count (open data)"


@dataclass(frozen=True)
class PerceptionPage:
    """What the perception page shows, in the order of its cells.

    ``sources`` and ``caveats`` are the page header's (survey results, then police.uk).
    ``notice`` and ``no_survey_findings`` say why there are no survey results (empty when
    there are); the lists of tables, charts and their findings are empty without survey
    results. ``key_figures`` are the
    (key, value, label) headline figures :func:`record_key_figures` keeps.
    """

    sources: list[str]
    has_survey: bool
    caveats: list[str] = field(default_factory=lambda: list(CAVEATS))
    notice: list[HTML] = field(default_factory=list)
    summary: list[Table] = field(default_factory=list)
    question_findings: list[Finding] = field(default_factory=list)
    districts: list[Table] = field(default_factory=list)
    rank_findings: list[Finding] = field(default_factory=list)
    waves: list[Chart] = field(default_factory=list)
    beside: list[Table | Chart | HTML] = field(default_factory=list)
    beside_findings: list[Finding] = field(default_factory=list)
    no_survey_findings: list[Finding] = field(default_factory=list)
    key_figures: list[tuple[str, object, str]] = field(default_factory=list)


def question_finding(row: Mapping[str, object], area_name: str) -> Finding:
    """:func:`describe_question`'s sentence as a Finding, with the direction of the change in
    points and the significance of the two-proportion test ('not assessed' when there is no
    earlier wave or the test could not be made)."""
    statement = describe_question(row, area_name)
    question_id = str(row["question_id"])
    theme = str(row["question"])
    if pd.isna(row["previous_percent"]):
        return Finding(statement, NO_DIRECTION, NOT_ASSESSED, (f"survey:{question_id}",), theme)
    points = float(row["change_points"])  # type: ignore[arg-type]  # a number when compared
    direction = INCREASE if points > 0 else DECREASE if points < 0 else NO_CHANGE
    change = str(row["change"])
    significance = (SIGNIFICANT if change in (SIGNIFICANT_INCREASE, SIGNIFICANT_DECREASE)
                    else NOT_ASSESSED if change == TEST_NOT_ASSESSED else NOT_SIGNIFICANT)
    figures = (f"survey:{question_id}", f"survey:{question_id}:previous",
               f"survey:{question_id}:change")
    return Finding(statement, direction, significance, figures, theme)


def rank_finding(row: Mapping[str, object]) -> Finding:
    """:func:`describe_rank`'s sentence as a Finding: above comparators when the area alone
    has the highest share of several districts, below when it has the lowest (a district
    tied with another is never last in rank), otherwise (a middle place, a tie at the top,
    the only district) no direction; a rank is not a test, so no significance is stated."""
    rank, districts = int(row["rank"]), int(row["districts"])  # type: ignore[call-overload]
    several = districts > 1
    direction = (ABOVE_COMPARATORS if rank == 1 and several and not row["tied"]
                 else BELOW_COMPARATORS if rank == districts and several else NO_DIRECTION)
    question_id = str(row["question_id"])
    return Finding(describe_rank(row), direction, NOT_TESTED, (f"survey:{question_id}:rank",),
                   str(row["question"]))


def beside_finding(beside: pd.DataFrame, area_name: str) -> Finding:
    """:func:`describe_perception_beside_recorded`'s sentence as a Finding: it sets two
    different measures side by side, so it states no direction and no test."""
    return Finding(describe_perception_beside_recorded(beside, area_name), NO_DIRECTION,
                   NOT_TESTED)


def survey_key_figures(summary: pd.DataFrame) -> list[tuple[str, object, str]]:
    """The headline figures of each question of :func:`question_summary`, as
    (key, value, label): the latest share, the previous share (when there is an earlier
    wave), the change and the rank among districts."""
    figures: list[tuple[str, object, str]] = []
    for _, row in summary.iterrows():
        key, question = f"survey:{row['question_id']}", row["question"]
        figures.append((key, float(row["percent"]), f"{question}: % agreeing, {row['wave']}"))
        if row["previous_wave"] is not None and row["change"] != "no earlier wave":
            figures.append((f"{key}:previous", float(row["previous_percent"]),
                            f"{question}: % agreeing, {row['previous_wave']}"))
        figures.append((f"{key}:change", str(row["change"]),
                        f"{question}: change since the previous wave"))
        figures.append((f"{key}:rank", str(row["position"]),
                        f"{question}: rank among the force's districts"))
    return figures


def no_survey_page(sources: list[str], *, later_waves_only: bool) -> PerceptionPage:
    """The page without survey results: a notice saying why (``later_waves_only``: every
    wave supplied ends after the period) and the no-survey finding."""
    notice = NO_LATER_WAVE_NOTICE if later_waves_only else NO_SURVEY_NOTICE
    return PerceptionPage(sources=sources, has_survey=False, notice=[HTML(notice)],
                          no_survey_findings=[NO_SURVEY_FINDING])


def survey_page(results: pd.DataFrame, recorded_asb: pd.DataFrame, *, sources: list[str],
                area_code: str, area_name: str, force_name: str, names: Mapping[str, str],
                period_text: str, force_months: Iterable[date]) -> PerceptionPage:
    """The page with survey results (:func:`analysis.stats.survey.survey_results`) for the area.

    ``recorded_asb`` is the area's monthly ASB incidents (``month``, ``count``) set beside
    the concern question; ``force_months`` the months the force's police.uk data holds (a
    year missing one has no recorded figure).
    """
    latest, previous = survey_waves(results, period_text)
    summary = question_summary(results, area_code, names, latest, previous)
    summary_table = Table(
        presentable_summary(summary), "survey_latest",
        f"Survey results for {area_name}: {latest} compared with {previous}",
        source="partner", order="labels",
        kept=dict.fromkeys(["Latest %", "Previous %", "Change (points)", "All districts %"],
                           SURVEY_ESTIMATE)
        | {"Rank among districts": "rank of the survey estimate"},
        formats={"Latest %": "{:.0f}", "Previous %": "{:.0f}", "Change (points)": "{:+.1f}",
                 "All districts %": "{:.1f}"})
    districts = [Table(
        district_table(results, names, latest, question_id), f"districts_{question_id}",
        f"{question}: districts of {force_name}, {latest}",
        source="partner", counts=["Respondents"], order="labels",
        kept=dict.fromkeys(["%", "Lower 95 %", "Upper 95 %"], SURVEY_ESTIMATE),
        formats={"%": "{:.0f}", "Lower 95 %": "{:.1f}", "Upper 95 %": "{:.1f}",
                 "Respondents": "{:,}"})
        for question_id, question in zip(summary["question_id"], summary["question"], strict=True)]
    waves = area_waves(results, area_code, waves_up_to(results, period_text))
    waves_chart = Chart(lambda published: plot_waves(published, area_name), waves,
                        "survey_waves", source="partner",
                        kept=dict.fromkeys(["percent", "lower", "upper"], SURVEY_ESTIMATE))
    recorded = recorded_by_wave(recorded_asb, sorted(waves["wave"].unique()), force_months)
    beside = perception_beside_recorded(waves, recorded)
    return PerceptionPage(
        sources=sources, has_survey=True, summary=[summary_table],
        question_findings=[question_finding(row, area_name) for _, row in summary.iterrows()],
        districts=districts,
        rank_findings=[rank_finding(row) for _, row in summary.iterrows()],
        waves=[waves_chart], beside=beside_items(beside, area_name),
        beside_findings=[] if beside.empty else [beside_finding(beside, area_name)],
        key_figures=survey_key_figures(summary))


def beside_items(beside: pd.DataFrame, area_name: str) -> list[Table | Chart | HTML]:
    """The table and chart of concern beside recorded ASB (:func:`perception_beside_recorded`),
    or a note that the survey has no concern question for the area."""
    if beside.empty:
        return [HTML(html_from("<p>The survey has no '{question}' question for this area.</p>",
                               question=CONCERN_QUESTION))]
    kept = dict.fromkeys(["percent", "lower", "upper"], SURVEY_ESTIMATE)
    table = Table(
        beside.rename(columns={"wave": "Year (wave)", "percent": "% more of a problem",
                               "lower": "Lower 95 %", "upper": "Upper 95 %",
                               "recorded": "Recorded ASB incidents", "note": "Note"}),
        "perception_vs_recorded",
        f"Concern about crime and ASB beside recorded ASB incidents, {area_name}",
        source="partner", order="labels",
        kept=dict.fromkeys(["% more of a problem", "Lower 95 %", "Upper 95 %"], SURVEY_ESTIMATE)
        | {"Recorded ASB incidents": RECORDED_COUNT},
        formats={"% more of a problem": "{:.0f}", "Lower 95 %": "{:.1f}",
                 "Upper 95 %": "{:.1f}", "Recorded ASB incidents": "{:,.0f}"})
    chart = Chart(lambda published: plot_perception_beside_recorded(
        published, area_name, "Recorded ASB incidents (data.police.uk)"),
        beside, "perception_vs_recorded_chart", source="partner",
        kept=kept | {"recorded": RECORDED_COUNT})
    return [table, chart]


def page(section: Section) -> PerceptionPage:
    """Read the section's survey results and recorded ASB and make its page.

    Without survey results for the area up to the period, the page says why
    (:func:`no_survey_page`); the store is read only for what the page shows.
    """
    config = section.config
    force_months = query.force_months(section.store_dir, config.force.name)
    police_uk = police_uk_source(config.force.name, force_months)
    indicators = section.partner("indicators")
    results = survey_results(indicators) if indicators is not None else None
    if results is None:
        return no_survey_page([police_uk], later_waves_only=False)
    held_waves = waves_up_to(results, section.period_text)
    if not held_waves or not (results["area"] == config.csp_code).any():
        return no_survey_page([police_uk], later_waves_only=not held_waves)
    asb = query.monthly_counts(section.store_dir, by=("crime_type",),
                               where="csp_code = $csp AND is_asb", params={"csp": config.csp_code})
    return survey_page(results, asb, sources=[*survey_source_names(indicators), police_uk],
                       area_code=config.csp_code, area_name=config.csp_name,
                       force_name=config.force.name, names=district_names(config, section.root),
                       period_text=section.period_text, force_months=force_months)


def record_key_figures(section: Section, page: PerceptionPage) -> None:
    """Keep the page's headline figures for the executive summary."""
    for key, value, label in page.key_figures:
        section.record(key, value, label=label)
