"""Violence against women and girls (VAWG) and domestic abuse from the partner crime extract.

police.uk has no domestic-abuse flag, no Home Office offence code and nothing about victims,
so everything here needs the force's crime extract: the domestic-abuse flag, the offence
classification (rape, other sexual offences, stalking and harassment are Home Office
subgroups) and the victim's sex and age band. A blank flag is unknown, never "not domestic".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.periods import Period, month_starts
from analysis.present.narrative import describe_change
from analysis.stats.measures import NOT_ASSESSED, change_table, require_columns
from analysis.stats.partner_counts import NOT_RECORDED, extract_months, monthly_counts

TIME = "committed_from"
ALL_CRIME = "All recorded crime"
DOMESTIC_ABUSE = "Domestic abuse flagged crime"
VIOLENCE_WITH_INJURY = "Violence with injury"
DA_VIOLENCE_WITH_INJURY = "Domestic abuse violence with injury"
VAWG_SUBGROUPS = ("Rape", "Other sexual offences", "Stalking and harassment")
"""Home Office offence subgroups shown for VAWG (the seeds' table 3.1 classification)."""

SEXES = ("female", "male", "unknown")
AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
ALL_VICTIMS = "All victims"
TOTAL = "Total"


def _flag(crimes: pd.DataFrame) -> pd.Series:
    return crimes["domestic_abuse"].astype("boolean")


def has_domestic_abuse_flag(crimes: pd.DataFrame) -> bool:
    """True when at least one crime carries a known domestic-abuse flag (it was mapped)."""
    require_columns(crimes, ["domestic_abuse"])
    return bool(_flag(crimes).notna().any())


def domestic_abuse_change(crimes: pd.DataFrame, current: Period, previous: Period
                          ) -> pd.DataFrame:
    """DA-flagged crime, all crime and violence with injury, this period and last.

    Rows (``measure``): :data:`DOMESTIC_ABUSE`, :data:`ALL_CRIME`,
    :data:`VIOLENCE_WITH_INJURY`, :data:`DA_VIOLENCE_WITH_INJURY`, with the change columns
    of :func:`analysis.stats.measures.change_table` (coverage: the months the extract spans).
    """
    require_columns(crimes, [TIME, "domestic_abuse", "offence_subgroup"])
    flagged = _flag(crimes).fillna(False).to_numpy(dtype=bool)
    injury = (crimes["offence_subgroup"] == VIOLENCE_WITH_INJURY).fillna(False).to_numpy(bool)
    selections = {DOMESTIC_ABUSE: flagged, ALL_CRIME: np.ones(len(crimes), dtype=bool),
                  VIOLENCE_WITH_INJURY: injury, DA_VIOLENCE_WITH_INJURY: flagged & injury}
    counts = pd.concat(
        [monthly_counts(crimes[chosen], TIME).assign(measure=name)
         for name, chosen in selections.items()], ignore_index=True)
    order = {name: i for i, name in enumerate(selections)}
    counts = counts.iloc[np.argsort(counts["measure"].map(order).to_numpy(), kind="stable")]
    for name in selections:  # a measure with no crime at all is still a row (of zeros)
        if name not in set(counts["measure"]):
            counts = pd.concat([counts, pd.DataFrame(
                {"month": [current.start], "measure": [name], "count": [0]})])
    return change_table(counts, current, previous, "measure", total_label=None,
                        available_months=extract_months(crimes[TIME]))


def domestic_abuse_shares(crimes: pd.DataFrame, current: Period, previous: Period
                          ) -> pd.DataFrame:
    """The share of crime, and of violence with injury, flagged domestic abuse.

    Shares use crimes with a known flag as the base; crimes with a blank flag are counted in
    ``flag_unknown``. Rows: ``of`` = all recorded crime / violence with injury, for each period.
    Columns: of, period, crimes, flagged, flag_unknown, share_percent (NaN with no base).
    """
    require_columns(crimes, [TIME, "domestic_abuse", "offence_subgroup"])
    months = month_starts(crimes[TIME])
    flag = _flag(crimes)
    injury = (crimes["offence_subgroup"] == VIOLENCE_WITH_INJURY).fillna(False)
    rows = []
    for label, base in ((ALL_CRIME, pd.Series(True, index=crimes.index)),
                        (VIOLENCE_WITH_INJURY, injury)):
        for period in (previous, current):
            chosen = flag[(base & months.isin(period.months)).to_numpy()]
            known = int(chosen.notna().sum())
            flagged = int(chosen.fillna(False).sum())
            rows.append({"of": label, "period": period.label, "crimes": len(chosen),
                         "flagged": flagged, "flag_unknown": len(chosen) - known,
                         "share_percent": flagged / known * 100 if known else np.nan})
    return pd.DataFrame(rows)


def domestic_abuse_by_group(crimes: pd.DataFrame, current: Period, previous: Period
                            ) -> pd.DataFrame:
    """DA-flagged crime by Home Office offence group, this period and last, with the total.

    Groups are ordered by this period's count (largest first); columns as
    :func:`analysis.stats.measures.change_table` with ``offence_group``.
    """
    flagged = crimes[_flag(crimes).fillna(False).to_numpy(dtype=bool)]
    counts = monthly_counts(flagged, TIME, ("offence_group",))
    size = counts[counts["month"].isin(current.months)].groupby("offence_group")["count"].sum()
    counts = counts.assign(_size=-counts["offence_group"].map(size).fillna(0))
    counts = counts.sort_values(["_size", "offence_group", "month"]).drop(columns="_size")
    return change_table(counts, current, previous, "offence_group",
                        total_label="All domestic abuse flagged crime",
                        available_months=extract_months(crimes[TIME]))


def vawg_offences(crimes: pd.DataFrame, current: Period, previous: Period) -> pd.DataFrame:
    """Rape, other sexual offences and stalking and harassment, this period and last.

    Every subgroup of :data:`VAWG_SUBGROUPS` is a row (0 when there is none); columns as
    :func:`analysis.stats.measures.change_table` with ``offence_subgroup`` and ``of_which_da``
    (DA-flagged crimes this period).
    """
    require_columns(crimes, [TIME, "offence_subgroup", "domestic_abuse"])
    chosen = crimes[crimes["offence_subgroup"].isin(VAWG_SUBGROUPS).fillna(False)
                    .to_numpy(dtype=bool)]
    counts = monthly_counts(chosen, TIME, ("offence_subgroup",))
    zeros = pd.DataFrame({"month": current.start, "offence_subgroup": list(VAWG_SUBGROUPS),
                          "count": 0})
    counts = pd.concat([zeros, counts], ignore_index=True)
    rank = {name: i for i, name in enumerate(VAWG_SUBGROUPS)}
    counts = counts.iloc[np.argsort(counts["offence_subgroup"].map(rank).to_numpy(),
                                    kind="stable")]
    table = change_table(counts, current, previous, "offence_subgroup", total_label=None,
                         available_months=extract_months(crimes[TIME]))
    now = chosen[month_starts(chosen[TIME]).isin(current.months).to_numpy()]
    da = now[_flag(now).fillna(False).to_numpy(dtype=bool)]["offence_subgroup"].value_counts()
    table["of_which_da"] = table["offence_subgroup"].map(da).fillna(0).astype("int64")
    return table


def victim_profile(crimes: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Victims of ``crimes`` in ``period`` by age band (rows) and sex (columns), true counts.

    Rows: the age bands, then "not recorded" when some have none, then :data:`ALL_VICTIMS`;
    columns: ``age_band``, female, male, unknown (sex recorded as unknown), not recorded
    (blank sex), :data:`TOTAL`. Crimes against no person (blank age and sex) are left out.
    Publish through the disclosure rule with the last row and ``Total`` as totals.
    """
    require_columns(crimes, [TIME, "victim_age_band", "victim_sex"])
    now = crimes[month_starts(crimes[TIME]).isin(period.months).to_numpy()]
    person = now["victim_age_band"].notna() | now["victim_sex"].notna()
    victims = now[person.to_numpy(dtype=bool)]
    age = victims["victim_age_band"].astype("string").fillna(NOT_RECORDED)
    sex = victims["victim_sex"].astype("string").fillna(NOT_RECORDED)
    table = pd.crosstab(age, sex)
    rows = [*AGE_BANDS, *[a for a in table.index if a not in AGE_BANDS]]
    columns = [*SEXES, *[s for s in table.columns if s not in SEXES]]
    table = table.reindex(index=rows, columns=columns, fill_value=0).astype("int64")
    if NOT_RECORDED in table.index and not table.loc[NOT_RECORDED].any():
        table = table.drop(index=NOT_RECORDED)
    table[TOTAL] = table.sum(axis=1)
    table.loc[ALL_VICTIMS] = table.sum(axis=0)
    return table.rename_axis(index="age_band", columns=None).reset_index()


def share_female(profile: pd.DataFrame) -> float:
    """Per cent of victims recorded as female among those with a recorded sex (0-100)."""
    total = profile[profile["age_band"] == ALL_VICTIMS].iloc[0]
    known = sum(int(total[s]) for s in SEXES if s in total.index and s != "unknown")
    return float(total["female"]) / known * 100 if known else np.nan


def key_findings(change: pd.DataFrame, shares: pd.DataFrame, offences: pd.DataFrame,
                 female_percent: float, *, area_name: str, current: Period) -> list[str]:
    """Plain-English findings from the computed figures (no claim the tests did not make)."""
    rows = change.set_index("measure")
    share = shares.set_index(["of", "period"])["share_percent"]
    now = current.label
    findings = [describe_change(rows.loc[DOMESTIC_ABUSE],
                                f"Domestic abuse flagged crime in {area_name}")]
    findings.append(
        f"Domestic abuse was {share[(ALL_CRIME, now)]:.1f} % of all recorded crime in {now} "
        f"and {share[(VIOLENCE_WITH_INJURY, now)]:.1f} % of violence with injury.")
    for _, row in offences.iterrows():
        if row["significance"] not in (NOT_ASSESSED,):
            findings.append(describe_change(row, str(row["offence_subgroup"])))
    if not np.isnan(female_percent):
        findings.append(f"{female_percent:.0f} % of domestic abuse victims with a recorded sex "
                        "were female.")
    return findings
