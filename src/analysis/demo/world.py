"""A deterministic, fictional partnership written in the real public formats.

The demo lets anyone build a complete assessment without access to real data, and gives the
tests known answers: ``Demoshire Police`` covers four CSPs on a square of the British National
Grid; the demo area is **Kingsmere**. Everything is written exactly as the real sources are
(data.police.uk street CSVs, ONS lookups, GeoJSON boundaries, mid-year population), so the demo
exercises the same readers as real data.

Planted patterns (asserted by tests and found by later sections):

* Kingsmere's *Violence and sexual offences* rise clearly (about 12 % a year); the force's other
  CSPs rise slowly (3 % a year).
* Kingsmere's *Burglary* is stable (no trend).
* Kingsmere's *Shoplifting* rises late: flat (2 % a year) until the last four months, which
  run 15, 30, 45 and 60 % above that (the emerging trend the crime overview's forecast flags).
* ASB recording falls about 5 % a year everywhere (as real police.uk ASB does).
* A persistent town-centre hotspot (two LSOAs, crime concentrated at a few map points), an
  emerging hotspot (one LSOA whose crime grows fivefold over the last 12 months) and a quiet
  ward with very little crime.
* About 1 % of rows have no location, and every ASB row has a blank Crime ID.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from analysis.core.vocabulary import ASB, BNG, WGS84

FORCE_NAME = "Demoshire Police"
FORCE_SLUG = "demoshire"
FORCE_CODE = "E23900001"

# The 13 crime categories of data.police.uk with a plausible share of a unitary CSP's crime.
CRIME_TYPE_SHARES: dict[str, float] = {
    "Violence and sexual offences": 0.36,
    "Other theft": 0.10,
    "Vehicle crime": 0.09,
    "Criminal damage and arson": 0.09,
    "Public order": 0.09,
    "Shoplifting": 0.07,
    "Burglary": 0.06,
    "Other crime": 0.03,
    "Drugs": 0.03,
    "Bicycle theft": 0.015,
    "Robbery": 0.013,
    "Possession of weapons": 0.01,
    "Theft from the person": 0.012,
}

OUTCOMES: dict[str, float] = {
    "Investigation complete; no suspect identified": 0.40,
    "Unable to prosecute suspect": 0.30,
    "Under investigation": 0.06,
    "Status update unavailable": 0.05,
    "Awaiting court outcome": 0.04,
    "Local resolution": 0.05,
    "Offender given a caution": 0.02,
    "Court result unavailable": 0.03,
    "Further investigation is not in the public interest": 0.02,
    "Action to be taken by another organisation": 0.03,
}

STREETS = (
    "High Street", "Station Road", "Church Lane", "Mill Road", "Victoria Street",
    "Park Avenue", "Market Square", "Queens Road", "London Road", "The Green",
    "Kings Walk", "Riverside Way", "Orchard Close", "Chapel Street", "Bridge Road",
    "Supermarket", "Petrol Station", "Shopping Area", "Parking Area", "Sports/Recreation Area",
)

STREET_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]


@dataclass(frozen=True)
class DemoCsp:
    """One fictional partnership (a unitary authority and its CSP)."""

    lad_code: str
    csp_code: str
    name: str
    crimes_per_month: float
    asb_per_month: float
    population: int
    violence_growth: float  # yearly growth factor of Violence and sexual offences


DEMO_CSPS: tuple[DemoCsp, ...] = (
    DemoCsp("E06900001", "E22900001", "Kingsmere", 1500, 420, 174_000, 1.12),
    DemoCsp("E06900002", "E22900002", "Ashby Fen", 1200, 330, 151_000, 1.03),
    DemoCsp("E06900003", "E22900003", "Holloway Downs", 1700, 470, 209_000, 1.03),
    DemoCsp("E06900004", "E22900004", "Brackenford", 900, 260, 118_000, 1.03),
)
DEMO_AREA = DEMO_CSPS[0]

GRID_ORIGIN = (520_000.0, 260_000.0)  # south-west corner of the force, BNG metres
LSOA_SIZE = 2_000.0  # each LSOA is a 2 km square
LSOAS_PER_SIDE = 10  # 10 x 10 LSOAs per CSP; a ward is half a row (5 LSOAs)
POINTS_PER_LSOA = 8  # anonymised map points per LSOA, as police.uk snaps to map points
NO_LOCATION_SHARE = 0.01
YEARLY_GROWTH_OTHER = 1.02
ASB_YEARLY_FACTOR = 0.95

# Planted places inside Kingsmere (row, column of its LSOA grid).
PERSISTENT_HOTSPOT_LSOAS = ((4, 4), (4, 5))
EMERGING_HOTSPOT_LSOA = (7, 2)
QUIET_WARD_ROW, QUIET_WARD_HALF = 1, 1  # row 1, eastern half: five LSOAs with little crime
LATE_RISE_TYPE = "Shoplifting"  # Kingsmere's emerging rise in the last LATE_RISE_MONTHS
LATE_RISE_MONTHS = 4
LATE_RISE_STEP = 0.15  # each of those months 15 % more than the one before (1.15 ... 1.60)


@dataclass(frozen=True)
class DemoSpec:
    """What to generate: the seed and the months (first month and how many)."""

    seed: int = 20_240_401
    first_month: date = date(2021, 4, 1)
    n_months: int = 48

    @property
    def months(self) -> list[date]:
        """First-of-month dates covered by the demo, oldest first."""
        start = pd.Timestamp(self.first_month)
        return [d.date() for d in pd.date_range(start, periods=self.n_months, freq="MS")]


def _csp_origin(index: int) -> tuple[float, float]:
    """South-west corner of CSP ``index``: the four CSPs tile the force as 2 x 2 squares."""
    side = LSOA_SIZE * LSOAS_PER_SIDE
    return GRID_ORIGIN[0] + (index % 2) * side, GRID_ORIGIN[1] + (index // 2) * side


def geography() -> pd.DataFrame:
    """One row per demo LSOA: codes, names, ward, LAD, CSP and its square on the grid (BNG)."""
    rows = []
    for csp_index, csp in enumerate(DEMO_CSPS):
        x0, y0 = _csp_origin(csp_index)
        for row in range(LSOAS_PER_SIDE):
            for col in range(LSOAS_PER_SIDE):
                lsoa_number = csp_index * LSOAS_PER_SIDE**2 + row * LSOAS_PER_SIDE + col + 1
                ward_in_csp = row * 2 + col // 5  # 20 wards per CSP
                ward_number = csp_index * 20 + ward_in_csp + 1
                rows.append(
                    {
                        "lsoa_code": f"E01{900000 + lsoa_number}",
                        "lsoa_name": f"{csp.name} {ward_in_csp + 1:03d}{'ABCDE'[col % 5]}",
                        "ward_code": f"E05{900000 + ward_number}",
                        "ward_name": f"{csp.name} Ward {ward_in_csp + 1}",
                        "lad_code": csp.lad_code,
                        "lad_name": csp.name,
                        "csp_code": csp.csp_code,
                        "csp_name": csp.name,
                        "grid_row": row,
                        "grid_col": col,
                        "easting": x0 + col * LSOA_SIZE,
                        "northing": y0 + row * LSOA_SIZE,
                    }
                )
    return pd.DataFrame(rows)


def _lsoa_weights(geo: pd.DataFrame, rng: np.random.Generator, month_index: int,
                  n_months: int) -> np.ndarray:
    """Relative crime intensity of each LSOA in one month (planted places included)."""
    weights = rng.lognormal(mean=0.0, sigma=0.35, size=len(geo))
    in_demo = (geo["csp_code"] == DEMO_AREA.csp_code).to_numpy()
    cell = list(zip(geo["grid_row"], geo["grid_col"], strict=True))
    for i, rc in enumerate(cell):
        if not in_demo[i]:
            continue
        if rc in PERSISTENT_HOTSPOT_LSOAS:
            weights[i] *= 6.0
        elif rc == EMERGING_HOTSPOT_LSOA:
            months_into_last_year = month_index - (n_months - 12)
            weights[i] *= 1.0 + 4.0 * max(0, months_into_last_year + 1) / 12
        elif rc[0] == QUIET_WARD_ROW and rc[1] // 5 == QUIET_WARD_HALF:
            weights[i] *= 0.1
    return weights


def map_points(geo: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Fixed anonymised map points inside each LSOA, with a street and a relative popularity.

    Points stay at least 100 m inside their LSOA so a point-in-polygon test after projection
    always agrees with the LSOA code written beside it.
    """
    n = len(geo) * POINTS_PER_LSOA
    lsoa_index = np.repeat(np.arange(len(geo)), POINTS_PER_LSOA)
    margin = 100.0
    east = geo["easting"].to_numpy()[lsoa_index] + rng.uniform(margin, LSOA_SIZE - margin, n)
    north = geo["northing"].to_numpy()[lsoa_index] + rng.uniform(margin, LSOA_SIZE - margin, n)
    popularity = rng.pareto(1.5, n) + 0.2  # a few points take most of an LSOA's crime
    to_wgs84 = Transformer.from_crs(BNG, WGS84, always_xy=True)
    lon, lat = to_wgs84.transform(east, north)
    return pd.DataFrame(
        {
            "lsoa_index": lsoa_index,
            "longitude": np.round(lon, 6),
            "latitude": np.round(lat, 6),
            "location": ["On or near " + STREETS[i] for i in rng.integers(0, len(STREETS), n)],
            "popularity": popularity,
        }
    )


def _expected_counts(csp: DemoCsp, month: date, month_index: int,
                     n_months: int) -> dict[str, float]:
    """Mean number of rows of each category for one CSP-month: size, season and trend."""
    years = month_index / 12
    into_late_rise = month_index - (n_months - LATE_RISE_MONTHS) + 1  # 1 .. LATE_RISE_MONTHS
    season = 1.0 + 0.10 * np.sin(2 * np.pi * (month.month - 4) / 12)  # summer peak
    means = {}
    for crime_type, share in CRIME_TYPE_SHARES.items():
        if crime_type == "Violence and sexual offences":
            trend = csp.violence_growth**years
        elif crime_type == "Burglary" and csp is DEMO_AREA:
            trend = 1.0
        else:
            trend = YEARLY_GROWTH_OTHER**years
        if crime_type == LATE_RISE_TYPE and csp is DEMO_AREA and into_late_rise > 0:
            trend *= 1.0 + LATE_RISE_STEP * into_late_rise
        means[crime_type] = csp.crimes_per_month * share * season * trend
    means[ASB] = csp.asb_per_month * season * ASB_YEARLY_FACTOR**years
    return means


def _crime_ids(rng: np.random.Generator, n: int) -> list[str]:
    """Random 64-character hexadecimal IDs, the shape data.police.uk uses."""
    raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    return [bytes(row).hex() for row in raw]


def street_month(spec: DemoSpec, geo: pd.DataFrame, points: pd.DataFrame,
                 month_index: int) -> pd.DataFrame:
    """All rows of one month's force street file, in the data.police.uk column layout."""
    month = spec.months[month_index]
    rng = np.random.default_rng([spec.seed, month_index])
    weights = _lsoa_weights(geo, rng, month_index, spec.n_months)
    frames = []
    for csp in DEMO_CSPS:
        in_csp = np.flatnonzero((geo["csp_code"] == csp.csp_code).to_numpy())
        lsoa_p = weights[in_csp] / weights[in_csp].sum()
        for category, mean in _expected_counts(csp, month, month_index, spec.n_months).items():
            n = int(rng.poisson(mean))
            lsoa_pick = in_csp[rng.choice(len(in_csp), size=n, p=lsoa_p)]
            frames.append(pd.DataFrame({"lsoa_index": lsoa_pick, "Crime type": category}))
    rows = pd.concat(frames, ignore_index=True)

    # Place each row at one of its LSOA's map points, weighted by the point's popularity.
    point_of_lsoa = points.groupby("lsoa_index").indices
    popularity = points["popularity"].to_numpy()
    chosen = np.empty(len(rows), dtype=np.int64)
    for lsoa_index, idx in rows.groupby("lsoa_index").indices.items():
        candidates = point_of_lsoa[lsoa_index]
        p = popularity[candidates] / popularity[candidates].sum()
        chosen[idx] = rng.choice(candidates, size=len(idx), p=p)
    placed = points.iloc[chosen].reset_index(drop=True)

    is_asb = (rows["Crime type"] == ASB).to_numpy()
    outcome_names = list(OUTCOMES)
    outcome_p = np.array(list(OUTCOMES.values()))
    outcomes = np.asarray(outcome_names, dtype=object)[
        rng.choice(len(outcome_names), size=len(rows), p=outcome_p / outcome_p.sum())
    ]
    ids = np.asarray(_crime_ids(rng, len(rows)), dtype=object)
    lsoa = geo.iloc[rows["lsoa_index"].to_numpy()].reset_index(drop=True)
    frame = pd.DataFrame(
        {
            "Crime ID": np.where(is_asb, "", ids),
            "Month": month.strftime("%Y-%m"),
            "Reported by": FORCE_NAME,
            "Falls within": FORCE_NAME,
            "Longitude": placed["longitude"].map("{:.6f}".format),
            "Latitude": placed["latitude"].map("{:.6f}".format),
            "Location": placed["location"],
            "LSOA code": lsoa["lsoa_code"],
            "LSOA name": lsoa["lsoa_name"],
            "Crime type": rows["Crime type"],
            "Last outcome category": np.where(is_asb, "", outcomes),
            "Context": "",
        },
        columns=STREET_COLUMNS,
    )
    no_location = rng.random(len(frame)) < NO_LOCATION_SHARE
    frame.loc[no_location, ["Longitude", "Latitude", "LSOA code", "LSOA name"]] = ""
    frame.loc[no_location, "Location"] = "No Location"
    # data.police.uk sorts rows by LSOA name with blank locations last; copy that.
    frame["_blank"] = no_location
    frame = frame.sort_values(["_blank", "LSOA name"], kind="stable").drop(columns="_blank")
    return frame.reset_index(drop=True)


OUTCOME_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]
"""The columns of a data.police.uk outcomes file."""

OPEN_OUTCOMES = ("Under investigation", "Status update unavailable")
"""Street outcomes that stand for no outcome recorded yet: no outcomes-file row."""

CHARGED_FIRST = {"Awaiting court outcome": None,
                 "Court result unavailable": "Court result unavailable"}
"""Street outcomes reached through a charge: the outcomes file records 'Suspect charged' first,
then (when there is one) the court stage a month or two later."""


def outcome_events(spec: DemoSpec, street: pd.DataFrame, month_index: int) -> pd.DataFrame:
    """The outcomes-file rows of one month's crimes, each in the month it was recorded.

    Consistent with the street file: a crime's latest outcome row is its *Last outcome
    category* (a charge is recorded as 'Suspect charged', its court stage later). Each outcome
    is recorded 0-2 months after the crime; rows falling after the demo's last month are not
    yet recorded, so those crimes keep their street outcome. Drawn from their own random
    stream, so the street files are unchanged.
    """
    rng = np.random.default_rng([spec.seed, month_index, 424_242])
    crimes = street[(street["Crime ID"] != "") & ~street["Last outcome category"].isin(
        OPEN_OUTCOMES)].reset_index(drop=True)
    lag = rng.choice(3, size=len(crimes), p=[0.5, 0.3, 0.2])
    court_lag = lag + 1 + rng.choice(2, size=len(crimes))
    last = crimes["Last outcome category"]
    charged = last.isin(list(CHARGED_FIRST))
    first = crimes.assign(**{"Outcome type": last.where(~charged, "Suspect charged")},
                          lag=lag)
    later = crimes[charged & last.map(CHARGED_FIRST).notna()]
    second = later.assign(**{"Outcome type": later["Last outcome category"]},
                          lag=court_lag[later.index])
    events = pd.concat([first, second], ignore_index=True)
    events = events[month_index + events["lag"] < spec.n_months]
    labels = [month.strftime("%Y-%m") for month in spec.months]
    events["Month"] = [labels[month_index + int(n)] for n in events["lag"]]
    return events[OUTCOME_COLUMNS].reset_index(drop=True)


def _square(x0: float, y0: float, size: float, to_wgs84: Transformer, steps: int = 4) -> list:
    """A BNG square as a GeoJSON ring in lon/lat, edges densified so they stay straight in BNG."""
    t = np.linspace(0.0, 1.0, steps + 1)[:-1]
    xs = np.concatenate([x0 + t * size, np.full(steps, x0 + size),
                         x0 + size - t * size, np.full(steps, x0)])
    ys = np.concatenate([np.full(steps, y0), y0 + t * size,
                         np.full(steps, y0 + size), y0 + size - t * size])
    lon, lat = to_wgs84.transform(xs, ys)
    ring = [[round(a, 7), round(b, 7)] for a, b in zip(lon, lat, strict=True)]
    return [[*ring, ring[0]]]


def _feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _polygon(properties: dict, rings: list) -> dict:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": rings}}


def write_boundaries(geo: pd.DataFrame, folder: Path) -> None:
    """LSOA, ward and LAD boundaries as GeoJSON in CRS84, named with ONS property keys."""
    to_wgs84 = Transformer.from_crs(BNG, WGS84, always_xy=True)
    folder.mkdir(parents=True, exist_ok=True)
    lsoas = [
        _polygon({"LSOA21CD": r.lsoa_code, "LSOA21NM": r.lsoa_name, "LADCD_ACTIVE": r.lad_code},
                 _square(r.easting, r.northing, LSOA_SIZE, to_wgs84))
        for r in geo.itertuples()
    ]
    wards = []
    for (ward_code, ward_name, lad_code), g in geo.groupby(
        ["ward_code", "ward_name", "lad_code"], sort=True
    ):
        x0, y0 = g["easting"].min(), g["northing"].min()
        # A ward is five LSOAs in a row: a 10 km x 2 km rectangle.
        xs = np.array([x0, x0 + 5 * LSOA_SIZE, x0 + 5 * LSOA_SIZE, x0, x0])
        ys = np.array([y0, y0, y0 + LSOA_SIZE, y0 + LSOA_SIZE, y0])
        lon, lat = to_wgs84.transform(xs, ys)
        ring = [[[round(a, 7), round(b, 7)] for a, b in zip(lon, lat, strict=True)]]
        wards.append(_polygon({"WD25CD": ward_code, "WD25NM": ward_name, "LAD25CD": lad_code},
                              ring))
    lads = []
    for index, csp in enumerate(DEMO_CSPS):
        x0, y0 = _csp_origin(index)
        lads.append(_polygon({"LAD25CD": csp.lad_code, "LAD25NM": csp.name},
                             _square(x0, y0, LSOA_SIZE * LSOAS_PER_SIDE, to_wgs84, steps=20)))
    for name, features in (("lsoa21", lsoas), ("wards", wards), ("lads", lads)):
        (folder / f"{name}.geojson").write_text(json.dumps(_feature_collection(features)))


def write_lookups(geo: pd.DataFrame, folder: Path) -> None:
    """ONS-format lookups: LSOA 2011 and 2021 to ward to LAD, and LAD to CSP to force."""
    folder.mkdir(parents=True, exist_ok=True)
    lsoa11 = pd.DataFrame(
        {
            "FID": range(1, len(geo) + 1),
            "LSOA11CD": geo["lsoa_code"], "LSOA11NM": geo["lsoa_name"],
            "WD19CD": geo["ward_code"], "WD19NM": geo["ward_name"],
            "LAD19CD": geo["lad_code"], "LAD19NM": geo["lad_name"],
        }
    )
    lsoa11.to_csv(folder / "lsoa11_ward_lad.csv", index=False)
    lsoa21 = pd.DataFrame(
        {
            "LSOA21CD": geo["lsoa_code"], "LSOA21NM": geo["lsoa_name"],
            "WD23CD": geo["ward_code"], "WD23NM": geo["ward_name"],
            "LAD23CD": geo["lad_code"], "LAD23NM": geo["lad_name"],
        }
    )
    lsoa21.to_csv(folder / "lsoa21_ward_lad.csv", index=False)
    lad_csp = pd.DataFrame(
        {
            "LAD19CD": [c.lad_code for c in DEMO_CSPS], "LAD19NM": [c.name for c in DEMO_CSPS],
            "CSP19CD": [c.csp_code for c in DEMO_CSPS], "CSP19NM": [c.name for c in DEMO_CSPS],
            "PFA19CD": FORCE_CODE, "PFA19NM": "Demoshire",
        }
    )
    lad_csp.to_csv(folder / "lad_csp_pfa.csv", index=False)


def write_population(folder: Path) -> None:
    """Mid-year estimates by local authority in the ``area_code,population`` layout."""
    folder.mkdir(parents=True, exist_ok=True)
    population = pd.DataFrame(
        {"area_code": [c.lad_code for c in DEMO_CSPS],
         "population": [c.population for c in DEMO_CSPS]}
    )
    population.to_csv(folder / "mid-2023.csv", index=False)


