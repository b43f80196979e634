"""An independent recount of the demo's published numbers from its raw files.

Everything here is plain pandas (and pyproj for the one coordinate change) on the files
``analysis.demo`` writes: the data.police.uk street CSVs, the force crime extract, the
council ASB extract, the indicators sheet and the ONS lookups. None of the ``analysis``
helpers is used, so a bug shared by the report and its helpers cannot hide here. The
definitions (which Home Office codes are violence with injury, what counts as serious
violence, how the ONS rule rounds) are written out again by hand below from the same public
sources the project cites.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
from pyproj import Transformer

AREA_LAD = "E06900001"  # Kingsmere, the demo partnership (config/areas/demo.yaml)
AREA_NAME = "Kingsmere"
FORCE_NAME = "Demoshire Police"
CURRENT, PREVIOUS = "2024/25", "2023/24"
ASB = "Anti-social behaviour"
SUPPRESSED = "[c]"

# Home Office offence codes (Home Office Counting Rules / offence classification, April 2024):
# only the codes the demo's force extract uses are needed.
HOMICIDE = {"1", "4.1", "4.2", "4.10"}
VIOLENCE_WITH_INJURY = {"2", "4.3", "4.7", "5", "5A", "5D", "5E", "8A", "8F", "8G", "8N", "8P",
                        "8S"}
VIOLENCE_WITHOUT_INJURY = {"3A", "3B", "11A", "13", "14", "36", "104", "105A", "105B", "106"}
STALKING_HARASSMENT = {"8L", "8M", "8Q", "8R"}
DEATH_BY_DRIVING = {"4.4", "4.6", "4.8", "4.9", "37.1"}
VIOLENCE_AGAINST_THE_PERSON = (HOMICIDE | VIOLENCE_WITH_INJURY | VIOLENCE_WITHOUT_INJURY
                               | STALKING_HARASSMENT | DEATH_BY_DRIVING)
RAPE = {"19C", "19D", "19E", "19F", "19G", "19H"}
OTHER_SEXUAL = {"17A", "17B", "20A", "20B", "21", "22A", "22B", "23", "70", "71", "72", "73",
                "88A", "88C", "88D", "88E"}
ROBBERY = {"34A", "34B"}
POSSESSION_OF_WEAPONS = {"10A", "10B", "10C", "10D", "81", "90"}
DRUG_TRAFFICKING = {"92A"}
DRUG_POSSESSION = {"92C", "92D", "92E"}
UNDER_25_BANDS = {"0-17", "18-24"}

HATE_STRANDS = {  # label in the force extract -> row label of the published table
    "Race": "Race",
    "Religion/Faith": "Religion or belief",
    "Sexual Orientation": "Sexual orientation",
    "Disability": "Disability",
    "Transgender Identity": "Transgender identity",
}


def financial_year(month: str) -> str:
    """'2024/25' for a 'YYYY-MM' month from April 2024 to March 2025."""
    year, number = int(month[:4]), int(month[5:7])
    start = year if number >= 4 else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def ons_publish(count: int) -> int | str:
    """The ONS rule by hand: 0 to 9 shown as [c], otherwise the nearest 5 (a half goes up)."""
    if count <= 9:
        return SUPPRESSED
    low = count - count % 5
    return low + 5 if count % 5 >= 2.5 else low


def percent_change(previous: float, current: float) -> float:
    """(current - previous) / previous as a percentage, to one decimal place."""
    return round((current - previous) / previous * 100, 1)


def change_row(previous: int, current: int) -> dict[str, object]:
    """The columns every change table shares: both years, # diff. and % diff."""
    return {PREVIOUS: previous, CURRENT: current, "# diff.": current - previous,
            "% diff.": percent_change(previous, current)}


def published_change_row(previous: int, current: int) -> dict[str, object]:
    """A change row of partner counts as published: both years rounded, and the difference
    and percentage of the rounded counts (what a reader of the table can check)."""
    shown_previous, shown_current = ons_publish(previous), ons_publish(current)
    if SUPPRESSED in (shown_previous, shown_current):
        return {PREVIOUS: shown_previous, CURRENT: shown_current}
    return change_row(shown_previous, shown_current)


def by_year(frame: pd.DataFrame, key: str | list[str] | None = None) -> pd.DataFrame:
    """Counts of rows per (key, year) for the two assessment years, years as columns."""
    keys = ([] if key is None else [key] if isinstance(key, str) else key) + ["year"]
    rows = frame[frame["year"].isin([PREVIOUS, CURRENT])]
    counts = rows.groupby(keys).size().unstack("year", fill_value=0) if key else (
        rows.groupby("year").size().to_frame().T)
    return counts.reindex(columns=[PREVIOUS, CURRENT], fill_value=0)


@dataclass
class RawDemo:
    """The raw demo files, read once, with the year and ward of each row worked out."""

    folder: Path

    @cached_property
    def lsoas(self) -> pd.DataFrame:
        """LSOA 2021 code -> ward name and code and local authority code (the ONS lookup)."""
        lookup = pd.read_csv(self.folder / "lookups" / "lsoa21_ward_lad.csv", dtype=str)
        return lookup.set_index("LSOA21CD")[["WD23NM", "WD23CD", "LAD23CD"]]

    @cached_property
    def force_lsoas(self) -> set[str]:
        """Every LSOA of the force's partnerships (LAD -> CSP -> force lookup)."""
        lads = pd.read_csv(self.folder / "lookups" / "lad_csp_pfa.csv", dtype=str)["LAD19CD"]
        return set(self.lsoas.index[self.lsoas["LAD23CD"].isin(set(lads))])

    @cached_property
    def area_lsoas(self) -> set[str]:
        """Kingsmere's LSOAs."""
        return set(self.lsoas.index[self.lsoas["LAD23CD"] == AREA_LAD])

    @cached_property
    def area_wards(self) -> list[str]:
        """Kingsmere's ward names, sorted."""
        return sorted(set(self.lsoas.loc[sorted(self.area_lsoas), "WD23NM"]))

    @cached_property
    def population(self) -> int:
        """Kingsmere's mid-year population."""
        table = pd.read_csv(self.folder / "population" / "mid-2023.csv", dtype={"area_code": str})
        return int(table.loc[table["area_code"] == AREA_LAD, "population"].iloc[0])

    @cached_property
    def street(self) -> pd.DataFrame:
        """Every police.uk street row of the force, with its financial year and ward."""
        files = sorted((self.folder / "police_uk").glob("*/*-street.csv"))
        columns = ["Month", "Longitude", "Latitude", "Location", "LSOA code", "Crime type"]
        frame = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False, usecols=columns)
                           for f in files], ignore_index=True)
        frame["year"] = frame["Month"].map(financial_year)
        frame["ward"] = frame["LSOA code"].map(self.lsoas["WD23NM"])
        frame["ward_code"] = frame["LSOA code"].map(self.lsoas["WD23CD"])
        frame["in_area"] = frame["LSOA code"].isin(self.area_lsoas)
        frame["in_force"] = frame["LSOA code"].isin(self.force_lsoas)
        return frame

    @cached_property
    def crimes(self) -> pd.DataFrame:
        """The force crime extract, with the financial year (of the committed date) and ward."""
        frame = pd.read_csv(self.folder / "partner" / "crimes.csv", dtype=str,
                            keep_default_na=False)
        committed = frame["Committed Date From"]  # dd/mm/yyyy hh:mm
        months = committed.str[6:10] + "-" + committed.str[3:5]
        frame["year"] = months.map(financial_year)
        frame["ward"] = frame["LSOA Code"].map(self.lsoas["WD23NM"])
        return frame

    @cached_property
    def asb(self) -> pd.DataFrame:
        """The council ASB extract, with the financial year (of the report date) and category."""
        frame = pd.read_csv(self.folder / "partner" / "asb.csv", dtype=str, keep_default_na=False)
        stamp = pd.to_datetime(frame["Date Time Reported"], format="%d/%m/%Y %H:%M")
        frame["year"] = stamp.dt.strftime("%Y-%m").map(financial_year)
        frame["stamp"] = stamp
        frame["category"] = frame["ASB Category"].str.removeprefix("ASB - ").str.lower()
        return frame

    @cached_property
    def measures(self) -> dict[str, pd.Series]:
        """The partner measures as row masks of :attr:`crimes` (see :func:`partner_measures`)."""
        return partner_measures(self.crimes)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The indicators sheet as written (labels and area names, not ids)."""
        return pd.read_csv(self.folder / "partner" / "indicators.csv", dtype={"Time Period": str})

    def indicator(self, label: str, geography: str, period: str) -> pd.Series:
        """One row of the indicators sheet."""
        sheet = self.indicators
        rows = sheet[(sheet["Measure"] == label) & (sheet["Geography"] == geography)
                     & (sheet["Time Period"] == period)]
        assert len(rows) == 1, (label, geography, period)
        return rows.iloc[0]

    @cached_property
    def street_bng(self) -> pd.DataFrame:
        """Kingsmere's located police.uk crime rows with British National Grid metres."""
        rows = self.street[self.street["in_area"] & (self.street["Crime type"] != ASB)].copy()
        to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        rows["easting"], rows["northing"] = to_bng.transform(
            rows["Longitude"].astype(float).to_numpy(), rows["Latitude"].astype(float).to_numpy())
        return rows


# --------------------------------------------------------------------------------------------
# Recounts of the snapshot tables: row label -> {column: value}, only the recounted columns.
# --------------------------------------------------------------------------------------------

Recount = dict[str, dict[str, object]]


def crime_type_change(raw: RawDemo) -> Recount:
    """Section 10: police.uk crime by type, Kingsmere's two years and the force's % change."""
    street = raw.street

    def by_type(rows: pd.DataFrame) -> pd.DataFrame:
        counts = by_year(rows, "Crime type")
        counts.loc["All crime"] = counts.drop(index=ASB).sum()
        return counts

    ours, theirs = by_type(street[street["in_area"]]), by_type(street[street["in_force"]])
    recount: Recount = {}
    for label, row in ours.iterrows():
        recount[label] = change_row(int(row[PREVIOUS]), int(row[CURRENT]))
        recount[label]["Force % diff."] = percent_change(int(theirs.loc[label, PREVIOUS]),
                                                         int(theirs.loc[label, CURRENT]))
    return recount


def asb_change(raw: RawDemo) -> Recount:
    """Section 20: police.uk ASB, Kingsmere and the force."""
    street = raw.street[raw.street["Crime type"] == ASB]
    return {name: change_row(int(c[PREVIOUS].iloc[0]), int(c[CURRENT].iloc[0]))
            for name, c in ((AREA_NAME, by_year(street[street["in_area"]])),
                            (FORCE_NAME, by_year(street[street["in_force"]])))}


def asb_categories(raw: RawDemo) -> Recount:
    """Section 20: the council extract by category and type, published (rounded) counts;
    '% of all incidents' is the rounded count's share of the rounded current total."""
    asb = raw.asb
    total = ons_publish(int(by_year(asb)[CURRENT].iloc[0]))
    recount: Recount = {}
    groups = [(f"{c}|All types", asb["category"] == c) for c in sorted(set(asb["category"]))]
    groups += [(f"{c}|{t}", (asb["category"] == c) & (asb["Incident Type"] == t))
               for c, t in sorted(set(zip(asb["category"], asb["Incident Type"], strict=True)))]
    groups.append(("All ASB incidents|All ASB incidents", asb["category"] != ""))
    for key, mask in groups:
        counts = by_year(asb[mask])
        row = published_change_row(int(counts[PREVIOUS].iloc[0]), int(counts[CURRENT].iloc[0]))
        row["% of all incidents"] = round(row[CURRENT] / total * 100, 1)
        recount[key] = row
    return recount


def ranked(counts: pd.DataFrame) -> pd.DataFrame:
    """Rows by current count, largest first, ties by label; with their rank 1..n."""
    order = counts.assign(label=counts.index).sort_values([CURRENT, "label"],
                                                          ascending=[False, True])
    return order.assign(rank=range(1, len(order) + 1))


def ward_change(rows: pd.DataFrame) -> Recount:
    """Rank and change by ward of some police.uk rows (all of Kingsmere's wards listed),
    equal counts in ward-code order, as the pages rank places."""
    counts = by_year(rows, "ward")
    codes = rows.groupby("ward")["ward_code"].first().reindex(counts.index)
    order = counts.assign(code=codes).sort_values([CURRENT, "code"], ascending=[False, True])
    order = order.assign(rank=range(1, len(order) + 1))
    return {ward: {"rank": int(c["rank"]), **change_row(int(c[PREVIOUS]), int(c[CURRENT]))}
            for ward, c in order.iterrows()}


def asb_wards(raw: RawDemo) -> Recount:
    """Section 20: police.uk ASB by ward."""
    street = raw.street
    return ward_change(street[street["in_area"] & (street["Crime type"] == ASB)])


def ward_profile(raw: RawDemo) -> Recount:
    """Section 30: police.uk crime by ward (the demo has no ward populations: no rates)."""
    street = raw.street
    recount = ward_change(street[street["in_area"] & (street["Crime type"] != ASB)])
    for row in recount.values():
        row.update(population="", rate="", rate_lower="", rate_upper="")
    return recount


CELL = 250
"""The partnership's grid squares: 250 m of the British National Grid."""


def top_squares_crime(raw: RawDemo) -> Recount:
    """Section 30: the ten 250 m squares with most police.uk crime this year, their ward,
    LSOA and most common street, and last year's count. Squares are named by their south-west
    corner."""
    rows = raw.street_bng.copy()
    rows["cell_id"] = ("E" + (rows["easting"] // CELL * CELL).astype(int).astype(str)
                       + "N" + (rows["northing"] // CELL * CELL).astype(int).astype(str))
    counts = ranked(by_year(rows, "cell_id")).head(10)
    place = rows.groupby("cell_id")[["ward", "LSOA code"]].first()
    # the street most of a square's rows (every month held) are "On or near", ties by name
    rows["street"] = rows["Location"].str.replace(r"^On or near\s*", "", regex=True).str.strip()
    streets = rows.groupby(["cell_id", "street"]).size().rename("n").reset_index()
    street = streets.sort_values(["cell_id", "n", "street"], ascending=[True, False, True]
                                 ).drop_duplicates("cell_id").set_index("cell_id")["street"]
    return {str(int(c["rank"])): {"cell_id": cell, "ward_name": place.loc[cell, "ward"],
                                  "lsoa_code": place.loc[cell, "LSOA code"],
                                  "street": street.loc[cell],
                                  **change_row(int(c[PREVIOUS]), int(c[CURRENT]))}
            for cell, c in counts.iterrows()}


def yes(frame: pd.DataFrame, column: str) -> pd.Series:
    """A Y/N flag of the force extract as booleans."""
    return frame[column] == "Y"


def code_in(frame: pd.DataFrame, codes: set[str]) -> pd.Series:
    """Rows whose Home Office code is one of ``codes``."""
    return frame["HO Code"].isin(codes)


def serious_violence(crimes: pd.DataFrame) -> pd.Series:
    """Homicide, violence with injury, robbery or knife-flagged (Serious Violence Duty)."""
    return (code_in(crimes, HOMICIDE | VIOLENCE_WITH_INJURY | ROBBERY)
            | yes(crimes, "Knife/Sharp Instrument"))


def partner_measures(c: pd.DataFrame) -> dict[str, pd.Series]:
    """Every partner-extract measure the snapshot publishes, as a row mask of the extract."""
    return {
        "Domestic abuse flagged crime": yes(c, "Domestic Flag"),
        "All recorded crime": c["HO Code"] != "",
        "Violence with injury": code_in(c, VIOLENCE_WITH_INJURY),
        "Domestic abuse violence with injury": (yes(c, "Domestic Flag")
                                                & code_in(c, VIOLENCE_WITH_INJURY)),
        "Rape": code_in(c, RAPE),
        "Other sexual offences": code_in(c, OTHER_SEXUAL),
        "Stalking and harassment": code_in(c, STALKING_HARASSMENT),
        "Robbery": code_in(c, ROBBERY),
        "Possession of weapons": code_in(c, POSSESSION_OF_WEAPONS),
        "Knife or sharp instrument offences": yes(c, "Knife/Sharp Instrument"),
        "Serious violence (all)": serious_violence(c),
        "Serious violence, victim under 25": (serious_violence(c)
                                              & c["Victim Age Band"].isin(UNDER_25_BANDS)),
        "Violence flagged night-time economy": (code_in(c, VIOLENCE_AGAINST_THE_PERSON)
                                                & yes(c, "NTE Flag")),
        "Trafficking of drugs": code_in(c, DRUG_TRAFFICKING),
        "Possession of drugs": code_in(c, DRUG_POSSESSION),
        "Drug offences (all)": code_in(c, DRUG_TRAFFICKING | DRUG_POSSESSION),
        "Child sexual exploitation flag": yes(c, "CSE Flag"),
        "Racially or religiously aggravated": c["HO Code"].isin(
            {"8P", "105B", "8M", "9B", "58J"}),
    }


def true_counts(raw: RawDemo, measure: str, key: str | None = None) -> pd.DataFrame:
    """Unrounded counts of one partner measure per year (and per ``key`` if given)."""
    return by_year(raw.crimes[raw.measures[measure]], key)


def measures_change(raw: RawDemo, measures: list[str]) -> Recount:
    """A change table of partner measures as published (ONS rounding)."""
    recount = {}
    for measure in measures:
        counts = true_counts(raw, measure)
        recount[measure] = published_change_row(int(counts[PREVIOUS].iloc[0]),
                                                int(counts[CURRENT].iloc[0]))
    return recount


def da_change(raw: RawDemo) -> Recount:
    """Section 40: domestic abuse against all crime and violence with injury."""
    return measures_change(raw, ["Domestic abuse flagged crime", "All recorded crime",
                                 "Violence with injury", "Domestic abuse violence with injury"])


def serious_violence_change(raw: RawDemo) -> Recount:
    """Section 50: the serious violence measures of the force extract."""
    return measures_change(raw, [
        "Violence with injury", "Robbery", "Possession of weapons",
        "Knife or sharp instrument offences", "Serious violence (all)",
        "Serious violence, victim under 25", "Violence flagged night-time economy"])


def exploitation_change(raw: RawDemo) -> Recount:
    """Section 70: drugs, weapons and child sexual exploitation in the force extract."""
    return measures_change(raw, ["Trafficking of drugs", "Possession of drugs",
                                 "Drug offences (all)", "Possession of weapons",
                                 "Child sexual exploitation flag"])


def published_wards(counts: pd.DataFrame, columns: list[str]) -> Recount:
    """Ward rows as published: each count rounded or, if 0 to 9, [c] (primary suppression).

    Secondary suppression (a count of 10 or more hidden so a [c] cannot be worked out from a
    published total) is not redone here; the test accepts it where the table has a total.
    """
    return {ward: {column: ons_publish(int(row[column])) for column in columns}
            for ward, row in counts.iterrows()}


def wards_with_total(raw: RawDemo, crimes: pd.DataFrame) -> Recount:
    """Ward table of some partner crimes, both years (every Kingsmere ward, none left out),
    with the published 'All wards' row."""
    counts = by_year(crimes, "ward").reindex(raw.area_wards, fill_value=0)
    recount = published_wards(counts, [PREVIOUS, CURRENT])
    recount["All wards"] = {y: ons_publish(int(counts[y].sum())) for y in (PREVIOUS, CURRENT)}
    return recount


def da_wards(raw: RawDemo) -> Recount:
    """Section 40: domestic abuse by ward."""
    return wards_with_total(raw, raw.crimes[raw.measures["Domestic abuse flagged crime"]])


def hate_crimes(raw: RawDemo) -> pd.DataFrame:
    """The force extract's hate crimes (a non-blank strand list)."""
    return raw.crimes[raw.crimes["Hate Crime Strands"] != ""]


def hate_wards(raw: RawDemo) -> Recount:
    """Section 60: hate crimes (each once) by ward."""
    return wards_with_total(raw, hate_crimes(raw))


def hate_strands(raw: RawDemo) -> Recount:
    """Section 60: each strand (a crime counts in each of its strands) and the total."""
    hate = hate_crimes(raw)
    strands = hate["Hate Crime Strands"].str.split(", ")
    recount = {}
    for label, row_label in HATE_STRANDS.items():
        counts = by_year(hate[strands.map(lambda cell, s=label: s in cell)])
        recount[row_label] = {y: ons_publish(int(counts[y].iloc[0])) for y in (PREVIOUS, CURRENT)}
    total = by_year(hate)
    recount["All hate crime (each crime once)"] = {
        y: ons_publish(int(total[y].iloc[0])) for y in (PREVIOUS, CURRENT)}
    return recount


def hate_total_change(raw: RawDemo) -> Recount:
    """Section 60: all hate crime, both years and the change, as published."""
    total = by_year(hate_crimes(raw))
    return {"All hate crime (each crime once)": published_change_row(
        int(total[PREVIOUS].iloc[0]), int(total[CURRENT].iloc[0]))}


def exploitation_wards(raw: RawDemo) -> Recount:
    """Section 70: this year's drug and weapon offences by ward (no total row)."""
    measures = ["Trafficking of drugs", "Possession of drugs", "Possession of weapons"]
    counts = pd.DataFrame({m: true_counts(raw, m, "ward")[CURRENT] for m in measures})
    return published_wards(counts.reindex(raw.area_wards, fill_value=0), measures)


# --------------------------------------------------------------------------------------------
# Indicators sheet: reoffending, restorative justice, survey
# --------------------------------------------------------------------------------------------

REOFFENDING = {"Adult": "Proven reoffending rate - adults (%)",
               "Youth": "Proven reoffending rate - juveniles (%)"}
AREA_SHEET_NAMES = {AREA_NAME: AREA_NAME, FORCE_NAME: "Demoshire", "England": "England"}


def reoffending_latest(raw: RawDemo) -> Recount:
    """Section 80: the latest cohort's rate, numerator over denominator, to one decimal."""
    recount = {}
    for cohort, label in REOFFENDING.items():
        for geography, sheet_name in AREA_SHEET_NAMES.items():
            row = raw.indicator(label, sheet_name, "2022-23")
            recount[f"{cohort}|{geography}"] = {
                "period": "2022-23", "rate": round(row["Numerator"] / row["Denominator"] * 100, 1)}
    return recount


def rj_referrals(raw: RawDemo) -> Recount:
    """Section 80: restorative-justice referrals as published (ONS rounding)."""
    recount = {}
    for geography in (AREA_NAME, FORCE_NAME):
        for period in ("2023-24", "2024-25"):
            row = raw.indicator("Restorative justice referrals", AREA_SHEET_NAMES[geography],
                                period)
            recount[f"{geography}|{period}"] = {"Value (referrals)": ons_publish(int(row["Value"])),
                                                "Numerator": "", "Denominator": ""}
    return recount


def survey_rows(raw: RawDemo, question_label: str, period: str) -> pd.DataFrame:
    """One survey question's rows (every district) for one wave."""
    sheet = raw.indicators
    return sheet[(sheet["Measure"] == question_label) & (sheet["Time Period"] == period)]


def position_words(position: int, of: int) -> str:
    """'highest of 4', 'second highest of 4', ..., 'lowest of 4'."""
    ordinal = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}
    if position == 1:
        return f"highest of {of}"
    if position == of:
        return f"lowest of {of}"
    return f"{ordinal[position]} highest of {of}"


def survey_question(raw: RawDemo, label: str) -> dict[str, object]:
    """One survey question for Kingsmere: its text, latest and previous %, its place among
    the districts in the latest wave and the pooled % of all districts (agreeing over
    respondents, the unweighted counts the sheet gives)."""
    latest, previous = survey_rows(raw, label, "2024-25"), survey_rows(raw, label, "2023-24")
    ours = latest[latest["Geography"] == AREA_NAME].iloc[0]
    before = previous[previous["Geography"] == AREA_NAME].iloc[0]
    higher = int((latest["Value"] > ours["Value"]).sum())
    return {
        "question": ours["Notes"].rsplit(" [deff", 1)[0],
        "Latest %": float(ours["Value"]), "Previous %": float(before["Value"]),
        "Change (points)": round(float(ours["Value"]) - float(before["Value"]), 1),
        "Rank among districts": position_words(higher + 1, len(latest)),
        "All districts %": round(latest["Numerator"].sum() / latest["Denominator"].sum() * 100,
                                 1),
    }


def survey_latest(raw: RawDemo) -> Recount:
    """Section 85: each survey question's row of the latest-wave table."""
    recount = {}
    for label in SURVEY_LABELS.values():
        row = survey_question(raw, label)
        recount[str(row.pop("question"))] = row
    return recount


# --------------------------------------------------------------------------------------------
# Key figures: section -> figure id -> value
# --------------------------------------------------------------------------------------------


def rate_per_1000(count: int, population: int, decimals: int = 1) -> float:
    """Count per 1,000 residents."""
    return round(count / population * 1000, decimals)


def prc_all_crime(raw: RawDemo, year: str = CURRENT) -> int:
    """Kingsmere's Home Office recorded crime in ``year``, summed over the four quarters of
    the newest table holding that year (plain csv, as published)."""
    for path in sorted((raw.folder / "prc").glob("prc-csp-*.csv"),
                       key=lambda p: "current" not in p.name):  # the current vintage first
        with path.open(newline="", encoding="utf-8") as file:
            rows = [row for row in csv.DictReader(file)
                    if row["CSP Name"] == AREA_NAME and row["Financial Year"] == year]
        if rows:
            assert {row["Financial Quarter"] for row in rows} == {"1", "2", "3", "4"}
            return sum(int(row["Offence Count"]) for row in rows)
    raise AssertionError(f"no recorded crime table holds {year}")


def byar_rate_interval(count: int, population: int) -> str:
    """The 95 % interval of a rate per 1,000 by Byar's approximation, written by hand
    (Eayres, APHO Technical Briefing 3: O(1 - 1/9O - z/3√O)³ and (O+1)(1 - 1/9(O+1) +
    z/3√(O+1))³), as 'lower to upper'."""
    z = 1.959964
    lower = count * (1 - 1 / (9 * count) - z / (3 * count ** 0.5)) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * (count + 1) ** 0.5)) ** 3
    return f"{lower / population * 1000:.1f} to {upper / population * 1000:.1f}"


def asb_rate_position(raw: RawDemo) -> str:
    """Where Kingsmere's police.uk ASB rate per 1,000 falls among the force's partnerships."""
    street = raw.street
    asb = street[street["in_force"] & (street["Crime type"] == ASB)
                 & (street["year"] == CURRENT)]
    counts = asb["LSOA code"].map(raw.lsoas["LAD23CD"]).value_counts()
    population = pd.read_csv(raw.folder / "population" / "mid-2023.csv",
                             dtype={"area_code": str}).set_index("area_code")["population"]
    rates = counts / population.reindex(counts.index)
    return position_words(int((rates > rates[AREA_LAD]).sum()) + 1, len(rates))


def asb_published_change_pct(raw: RawDemo) -> float:
    """Police.uk ASB per month in 2024 against 2022 over the months both years have."""
    street = raw.street
    asb = street[street["in_area"] & (street["Crime type"] == ASB)]
    per_month = asb.groupby("Month").size()
    months = {m[5:] for m in per_month.index if m.startswith("2022")} & {
        m[5:] for m in per_month.index if m.startswith("2024")}
    before = per_month[[f"2022-{m}" for m in months]].mean()
    after = per_month[[f"2024-{m}" for m in months]].mean()
    return round((after - before) / before * 100, 1)


def asb_peak_day_hour(raw: RawDemo) -> str:
    """The hour of the week with most partner ASB incidents this year ('Friday 21:00')."""
    stamps = raw.asb.loc[raw.asb["year"] == CURRENT, "stamp"]
    counts = stamps.groupby([stamps.dt.day_of_week, stamps.dt.hour]).size()
    day, hour = counts.idxmax()
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    return f"{names[day]} {hour:02d}:00"


def asb_shares(raw: RawDemo) -> dict[str, float]:
    """This year's partner ASB: % in each category and % from repeat callers (unrounded
    counts, one decimal)."""
    asb = raw.asb[raw.asb["year"] == CURRENT]
    shares = {f"asb_{c}_pct": round((asb["category"] == c).mean() * 100, 1)
              for c in ("personal", "nuisance", "environmental")}
    shares["asb_repeat_caller_pct"] = round((asb["Repeat Caller"] == "Y").mean() * 100, 1)
    return shares


def top_decile_share(raw: RawDemo) -> float:
    """% of this year's police.uk crime in the busiest 10 % of Kingsmere's 250 m squares
    (the 20 km x 20 km district holds 80 x 80 = 6,400 squares)."""
    rows = raw.street_bng[raw.street_bng["year"] == CURRENT]
    cells = (rows["easting"] // CELL).astype(int).astype(str) + "_" + (
        rows["northing"] // CELL).astype(int).astype(str)
    counts = cells.value_counts()
    squares = (20_000 // CELL) ** 2
    return float(counts.head(squares // 10).sum() / len(rows) * 100)


def weekend_night_violence_share(raw: RawDemo) -> float:
    """% of street violence (violence against the person, not domestic abuse) this year in
    the two LSOAs with most of it that was committed on Friday or Saturday night
    (Friday 22:00 to Sunday 01:59, the hours after midnight counted with the night before)."""
    crimes = raw.crimes
    violence = crimes[code_in(crimes, VIOLENCE_AGAINST_THE_PERSON)
                      & ~yes(crimes, "Domestic Flag") & (crimes["year"] == CURRENT)]
    busiest = violence["LSOA Code"].value_counts().head(2).index
    there = violence[violence["LSOA Code"].isin(busiest)]
    stamp = pd.to_datetime(there["Committed Date From"], format="%d/%m/%Y %H:%M")
    day, hour = stamp.dt.day_of_week, stamp.dt.hour
    night = (((day == 4) & hour.isin([22, 23])) | ((day == 5) & hour.isin([0, 1, 22, 23]))
             | ((day == 6) & hour.isin([0, 1])))
    return round(night.mean() * 100, 1)


def published(raw: RawDemo, measure: str, year: str = CURRENT) -> int | str:
    """One partner measure's count for one year as published."""
    return ons_publish(int(true_counts(raw, measure)[year].iloc[0]))


def true_share(raw: RawDemo, part: str, whole: str) -> float:
    """This year's unrounded count of ``part`` as a % of ``whole``, one decimal."""
    return round(int(true_counts(raw, part)[CURRENT].iloc[0])
                 / int(true_counts(raw, whole)[CURRENT].iloc[0]) * 100, 1)


def indicator_value(raw: RawDemo, label: str, period: str) -> float:
    """Kingsmere's value of one indicator in one period."""
    return float(raw.indicator(label, AREA_NAME, period)["Value"])


def key_figures(raw: RawDemo) -> dict[str, dict[str, object]]:
    """Every key figure the recount can work out from the raw files."""
    crime = crime_type_change(raw)
    asb = asb_change(raw)[AREA_NAME]
    wards = ward_profile(raw)
    months = set(raw.street.loc[raw.street["in_area"], "Month"])
    both_years_complete = all(f"{y}-{m:02d}" in months for y in (2023, 2024) for m in range(4, 13)
                              ) and all(f"{y}-{m:02d}" in months for y in (2024, 2025)
                                        for m in range(1, 4))
    sv = serious_violence_change(raw)
    ex = exploitation_change(raw)
    hate = hate_strands(raw)
    hate_change = hate_total_change(raw)["All hate crime (each crime once)"]
    da = da_change(raw)
    rj = {key: row["Value (referrals)"] for key, row in rj_referrals(raw).items()}
    figures: dict[str, dict[str, object]] = {
        "10_crime_overview": {
            "all_crime_current": crime["All crime"][CURRENT],
            "all_crime_previous": crime["All crime"][PREVIOUS],
            "all_crime_pct_diff": crime["All crime"]["% diff."],
            "all_crime_comparison": "complete" if both_years_complete else "incomplete",
            "all_crime_rate": rate_per_1000(crime["All crime"][CURRENT], raw.population),
            "all_crime_rate_interval": byar_rate_interval(crime["All crime"][CURRENT],
                                                          raw.population),
            "prc_all_crime_current": prc_all_crime(raw),
            "prc_all_crime_rate": rate_per_1000(prc_all_crime(raw), raw.population),
        },
        "20_anti_social_behaviour": {
            "asb_incidents_current": asb[CURRENT],
            "asb_incidents_previous": asb[PREVIOUS],
            "asb_pct_diff": asb["% diff."],
            "asb_rate": rate_per_1000(asb[CURRENT], raw.population),
            "asb_rate_position": asb_rate_position(raw),
            **asb_shares(raw),
            "asb_published_change_pct": asb_published_change_pct(raw),
            "asb_peak_day_hour": asb_peak_day_hour(raw),
        },
        "30_places": {
            "crime_top10pct_share": top_decile_share(raw),
            "most_affected_wards": [w for w, row in wards.items() if row["rank"] <= 3],
        },
        "40_vawg_domestic_abuse": {
            "da_available": bool((raw.crimes["Domestic Flag"] != "").any()),
            "da_current": da["Domestic abuse flagged crime"][CURRENT],
            "da_previous": da["Domestic abuse flagged crime"][PREVIOUS],
            "da_pct_diff": da["Domestic abuse flagged crime"]["% diff."],
            "da_share_pct": true_share(raw, "Domestic abuse flagged crime", "All recorded crime"),
            "da_share_vwi_pct": true_share(raw, "Domestic abuse violence with injury",
                                           "Violence with injury"),
            "rape_current": published(raw, "Rape"),
            "other_sexual_current": published(raw, "Other sexual offences"),
            "stalking_harassment_current": published(raw, "Stalking and harassment"),
        },
        "50_serious_violence": {
            "police_uk_violence_sexual_offences_current":
                crime["Violence and sexual offences"][CURRENT],
            "police_uk_robbery_current": crime["Robbery"][CURRENT],
            "police_uk_possession_of_weapons_current": crime["Possession of weapons"][CURRENT],
            "police_uk_violence_sexual_offences_rate": rate_per_1000(
                crime["Violence and sexual offences"][CURRENT], raw.population, 2),
            **{f"{name}_{part}": sv[measure][column]
               for name, measure in (("knife_crime", "Knife or sharp instrument offences"),
                                     ("violence_with_injury", "Violence with injury"),
                                     ("serious_violence_under25",
                                      "Serious violence, victim under 25"))
               for part, column in (("current", CURRENT), ("previous", PREVIOUS),
                                    ("pct_diff", "% diff."))},
            "violence_weekend_night_share": weekend_night_violence_share(raw),
            "ae_assault_attendances_current": ons_publish(int(indicator_value(
                raw, "A&E attendances - assault", "2024-25"))),
        },
        "60_hate_crime": {
            "hate_available": bool((raw.crimes["Hate Crime Strands"] != "").any()),
            "hate_total_current": hate_change[CURRENT],
            "hate_total_previous": hate_change[PREVIOUS],
            "hate_pct_diff": hate_change["% diff."],
            "hate_race_current": hate["Race"][CURRENT],
            "hate_religion_current": hate["Religion or belief"][CURRENT],
            "hate_sexual_orientation_current": hate["Sexual orientation"][CURRENT],
            "hate_disability_current": hate["Disability"][CURRENT],
            "hate_transgender_current": hate["Transgender identity"][CURRENT],
            "hate_aggravated_current": published(raw, "Racially or religiously aggravated"),
        },
        "70_exploitation_drugs": {
            "drug_offences_police_uk_current": crime["Drugs"][CURRENT],
            "possession_of_weapons_police_uk_current": crime["Possession of weapons"][CURRENT],
            "drug_trafficking_current": ex["Trafficking of drugs"][CURRENT],
            "drug_trafficking_pct_diff": ex["Trafficking of drugs"]["% diff."],
            "drug_possession_current": ex["Possession of drugs"][CURRENT],
            "drug_possession_pct_diff": ex["Possession of drugs"]["% diff."],
            "drug_trafficking_share": true_share(raw, "Trafficking of drugs",
                                                 "Drug offences (all)"),
            **{f"{name}_{when}": ons_publish(int(indicator_value(raw, label, period)))
               for name, label in (("nrm_referrals", "NRM referrals"),
                                   ("prevent_referrals", "Prevent referrals"))
               for when, period in (("current", "2024-25"), ("previous", "2023-24"))},
        },
        "80_offending_reoffending": {
            **{f"{who}_reoffending_{part}": value
               for who, cohort in (("adult", "Adult"), ("youth", "Youth"))
               for part, value in (
                   ("rate", reoffending_latest(raw)[f"{cohort}|{AREA_NAME}"]["rate"]),
                   ("cohort_size", int(raw.indicator(REOFFENDING[cohort], AREA_NAME,
                                                     "2022-23")["Denominator"])),
                   ("cohort_year", "2022-23"))},
            "first_time_entrants_rate": indicator_value(
                raw, "First time entrants to the YJS (per 100,000 aged 10-17)", "2024-25"),
            "rj_referrals_current": rj[f"{AREA_NAME}|2024-25"],
            "rj_referrals_previous": rj[f"{AREA_NAME}|2023-24"],
            "rj_referrals_pct_diff": percent_change(rj[f"{AREA_NAME}|2023-24"],
                                                    rj[f"{AREA_NAME}|2024-25"]),
        },
        "85_public_perception": {},
    }
    for question_id, label in SURVEY_LABELS.items():
        row = survey_question(raw, label)
        figures["85_public_perception"].update({
            f"survey:{question_id}": row["Latest %"],
            f"survey:{question_id}:previous": row["Previous %"],
            f"survey:{question_id}:rank": row["Rank among districts"],
        })
    return figures


SURVEY_LABELS = {
    "crime_asb_more_problem": "PPS: crime and ASB more of a problem",
    "police_good_job": "PPS: police doing a good or excellent job",
    "police_understand_issues": "PPS: police understand local issues",
    "safe_after_dark": "PPS: feel safe after dark",
    "well_informed": "PPS: well informed",
}
"""Survey question id (config/mappings/demo.yaml) -> its label in the indicators sheet."""
