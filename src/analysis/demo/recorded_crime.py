"""The demo's Home Office recorded crime (PRC) open data tables and its most similar group.

Written in the published CSP-level layout (``Financial Year, Financial Quarter, Force Name, CSP
Name, Offence Description, Offence Group, Offence Subgroup, Offence Code, Offence Count``), one
row per financial quarter, partnership and offence code:

* Demoshire's four partnerships are counted **from the demo's own police.uk street files**:
  each quarter's located crimes of each data.police.uk type are split into Home Office
  subgroups (fixed shares, a seeded multinomial draw), so the PRC totals of a partnership and
  quarter equal its police.uk crimes with a location and the planted patterns carry over
  (Kingsmere's violence rises about 12 % a year; its burglary is stable).
* Seven fictional partnerships in two other fictional forces complete a most similar group of
  nine with Kingsmere and Holloway Downs. Their counts are drawn from the same world
  (the demo's crime rate per resident, shares, season and 3 % growth) with one planted
  difference: their **vehicle crime is 40 % lower**, so Kingsmere's vehicle offences are
  higher per 1,000 than the MSG average (as the seed assessment found for Thurrock).
* Label drift: the first financial year is written as an older vintage in its own file, with
  the older labels ("Theft Offences", "Other theft offences", "Rape offences", "Stalking and
  Harassment"); the other years are in the current vintage's file.

The outside partnerships are added to the demo's LAD to CSP lookup and population file, as the
national ONS files hold every partnership.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.offences import load_offence_classification
from analysis.demo.world import (
    CRIME_TYPE_SHARES,
    DEMO_AREA,
    DEMO_CSPS,
    FORCE_NAME,
    YEARLY_GROWTH_OTHER,
    DemoSpec,
    geography,
)

PRC_HEADER = ["Financial Year", "Financial Quarter", "Force Name", "CSP Name",
              "Offence Description", "Offence Group", "Offence Subgroup", "Offence Code",
              "Offence Count"]

SPLITS: dict[str, tuple[tuple[str, float], ...]] = {
    "Violence and sexual offences": (("1/4.1/4.10/4.2", 0.0003), ("4.4", 0.003),
                                     ("8N", 0.30), ("105A", 0.3617), ("8L", 0.23), ("19C", 0.045),
                                     ("20A", 0.06)),
    "Burglary": (("28E", 0.7), ("30C", 0.3)),
    "Vehicle crime": (("45", 0.5), ("48", 0.35), ("126", 0.15)),
    "Other theft": (("49", 1.0),),
    "Shoplifting": (("46", 1.0),),
    "Theft from the person": (("39", 1.0),),
    "Bicycle theft": (("44", 1.0),),
    "Criminal damage and arson": (("58C", 0.93), ("56B", 0.07)),
    "Drugs": (("92A", 0.2), ("92D", 0.3), ("92E", 0.5)),
    "Possession of weapons": (("10C", 1.0),),
    "Public order": (("9A", 0.85), ("66", 0.15)),
    "Robbery": (("34B", 0.9), ("34A", 0.1)),
    "Other crime": (("33", 1.0),),
}
"""Each data.police.uk crime type's Home Office offence codes and their shares (sum 1)."""

OLDER_LABELS = {"Theft offences": "Theft Offences",
                "All other theft offences": "Other theft offences", "Rape": "Rape offences",
                "Stalking and harassment": "Stalking and Harassment"}
"""How the demo's older vintage (its first financial year) writes a few current labels."""

OLDER_VINTAGE_FILE = "prc-csp-demo-older-vintage.csv"
CURRENT_VINTAGE_FILE = "prc-csp-demo-current-vintage.csv"
MSG_FILE = "most_similar_groups.csv"
OUTSIDE_VEHICLE_FACTOR = 0.6


@dataclass(frozen=True)
class OutsideCsp:
    """A fictional partnership outside Demoshire in Kingsmere's most similar group."""

    lad_code: str
    csp_code: str
    name: str
    force: str
    population: int
    crime_factor: float  # its crime rate per resident against Kingsmere's starting rate


OUTSIDE_CSPS: tuple[OutsideCsp, ...] = (
    OutsideCsp("E06900011", "E22900011", "Marsh Ferry", "Northmarch Police", 162_000, 0.95),
    OutsideCsp("E06900012", "E22900012", "Eastwick Vale", "Northmarch Police", 188_000, 1.05),
    OutsideCsp("E06900013", "E22900013", "Corrin Bay", "Northmarch Police", 141_000, 0.90),
    OutsideCsp("E06900014", "E22900014", "Stallbridge", "Westvale Constabulary", 203_000, 1.10),
    OutsideCsp("E06900015", "E22900015", "Harrowdene", "Westvale Constabulary", 176_000, 1.00),
    OutsideCsp("E06900016", "E22900016", "Lower Tarnley", "Westvale Constabulary", 155_000,
               0.85),
    OutsideCsp("E06900017", "E22900017", "Quenby Wharf", "Westvale Constabulary", 194_000,
               1.00),
)
MSG_NAME = "Demo group 1"
MSG_IN_FORCE = (DEMO_AREA.csp_code, "E22900003")  # Kingsmere and Holloway Downs


def _offences() -> pd.DataFrame:
    """Code, description, subgroup and group of every offence code the splits use."""
    table = load_offence_classification().set_index("offence_code")
    codes = [code for split in SPLITS.values() for code, _ in split]
    return table.loc[codes, ["offence_description", "offence_subgroup", "offence_group"]]


def _financial_quarter(month: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The financial year label ('2024/25') and quarter (April-June = 1) of each month."""
    start = month.dt.year - (month.dt.month < 4)
    years = start.astype(str) + "/" + ((start + 1) % 100).map("{:02d}".format)
    return years, ((month.dt.month - 4) % 12) // 3 + 1


def located_crimes(police_uk: Path) -> pd.DataFrame:
    """Crimes with a location in the demo's street files by CSP, financial year and quarter
    and police.uk type (ASB is not crime and is left out)."""
    names = geography().set_index("lsoa_code")["csp_name"]
    frames = [pd.read_csv(f, dtype=str, keep_default_na=False,
                          usecols=["Month", "LSOA code", "Crime type"])
              for f in sorted(police_uk.glob("*/*-street.csv"))]
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[(rows["LSOA code"] != "") & (rows["Crime type"].isin(SPLITS))]
    years, quarters = _financial_quarter(pd.to_datetime(rows["Month"]))
    counted = pd.DataFrame({"financial_year": years, "quarter": quarters,
                            "csp_name": rows["LSOA code"].map(names),
                            "crime_type": rows["Crime type"]})
    return (counted.groupby(["financial_year", "quarter", "csp_name", "crime_type"])
            .size().rename("count").reset_index())


def outside_crimes(spec: DemoSpec, rng: np.random.Generator) -> pd.DataFrame:
    """Crimes of the outside partnerships by financial year, quarter and police.uk type,
    drawn from the demo's rates (see the module doc)."""
    per_resident = DEMO_AREA.crimes_per_month / DEMO_AREA.population
    rows = []
    for index, month in enumerate(spec.months):
        season = 1.0 + 0.10 * np.sin(2 * np.pi * (month.month - 4) / 12)
        trend = YEARLY_GROWTH_OTHER ** (index / 12)
        for csp in OUTSIDE_CSPS:
            for crime_type, share in CRIME_TYPE_SHARES.items():
                factor = OUTSIDE_VEHICLE_FACTOR if crime_type == "Vehicle crime" else 1.0
                mean = csp.population * per_resident * csp.crime_factor * share * season
                rows.append({"month": pd.Timestamp(month), "csp_name": csp.name,
                             "crime_type": crime_type,
                             "count": int(rng.poisson(mean * trend * factor))})
    frame = pd.DataFrame(rows)
    frame["financial_year"], frame["quarter"] = _financial_quarter(frame["month"])
    return (frame.groupby(["financial_year", "quarter", "csp_name", "crime_type"])["count"]
            .sum().reset_index())


def published_rows(crimes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Police.uk-type counts split into Home Office offence rows in the published layout."""
    offences = _offences()
    force_of = {c.name: FORCE_NAME for c in DEMO_CSPS} | {c.name: c.force for c in OUTSIDE_CSPS}
    rows = []
    for item in crimes.itertuples(index=False):
        codes = SPLITS[item.crime_type]
        shares = np.array([share for _, share in codes])
        split = rng.multinomial(int(item.count), shares / shares.sum())
        for (code, _), count in zip(codes, split, strict=True):
            offence = offences.loc[code]
            rows.append([item.financial_year, int(item.quarter), force_of[item.csp_name],
                         item.csp_name, offence["offence_description"],
                         offence["offence_group"], offence["offence_subgroup"], code,
                         int(count)])
    table = pd.DataFrame(rows, columns=PRC_HEADER)
    return table.sort_values(["Financial Year", "Financial Quarter", "Force Name", "CSP Name",
                              "Offence Group", "Offence Subgroup", "Offence Code"],
                             kind="stable").reset_index(drop=True)


def write_recorded_crime(out_dir: Path, spec: DemoSpec) -> None:
    """Write ``prc/`` (the two PRC vintages and the MSG file) from the street files already
    in ``out_dir/police_uk``, and add the outside partnerships to the lookup and populations."""
    rng = np.random.default_rng([spec.seed, 31])
    crimes = pd.concat([located_crimes(out_dir / "police_uk"), outside_crimes(spec, rng)],
                       ignore_index=True)
    table = published_rows(crimes, rng)
    folder = out_dir / "prc"
    folder.mkdir(parents=True, exist_ok=True)
    older = table["Financial Year"] == table["Financial Year"].min()
    old = table[older].copy()
    for column in ("Offence Group", "Offence Subgroup"):
        old[column] = old[column].replace(OLDER_LABELS)
    old.to_csv(folder / OLDER_VINTAGE_FILE, index=False)
    table[~older].to_csv(folder / CURRENT_VINTAGE_FILE, index=False)
    members = [(c.csp_code, c.name) for c in DEMO_CSPS if c.csp_code in MSG_IN_FORCE]
    members += [(c.csp_code, c.name) for c in OUTSIDE_CSPS]
    pd.DataFrame({"group": MSG_NAME, "csp_code": [m[0] for m in members],
                  "csp_name": [m[1] for m in members]}).to_csv(
        folder / MSG_FILE, index=False)
    _add_outside_partnerships(out_dir)


def _add_outside_partnerships(out_dir: Path) -> None:
    """The outside partnerships' rows appended to the LAD → CSP → force lookup and the
    population file (each a fictional unitary authority)."""
    lookup_path = out_dir / "lookups" / "lad_csp_pfa.csv"
    lookup = pd.read_csv(lookup_path, dtype=str)
    forces = {force: f"E239000{10 + i}" for i, force in
              enumerate(dict.fromkeys(c.force for c in OUTSIDE_CSPS))}
    extra = pd.DataFrame({
        "LAD19CD": [c.lad_code for c in OUTSIDE_CSPS], "LAD19NM": [c.name for c in OUTSIDE_CSPS],
        "CSP19CD": [c.csp_code for c in OUTSIDE_CSPS], "CSP19NM": [c.name for c in OUTSIDE_CSPS],
        "PFA19CD": [forces[c.force] for c in OUTSIDE_CSPS],
        "PFA19NM": [c.force.split(" ")[0] for c in OUTSIDE_CSPS],
    })
    pd.concat([lookup, extra], ignore_index=True).to_csv(lookup_path, index=False)
    population_path = out_dir / "population" / "mid-2023.csv"
    population = pd.read_csv(population_path, dtype={"area_code": str})
    extra_population = pd.DataFrame({"area_code": [c.lad_code for c in OUTSIDE_CSPS],
                                     "population": [c.population for c in OUTSIDE_CSPS]})
    pd.concat([population, extra_population], ignore_index=True).to_csv(population_path,
                                                                        index=False)
