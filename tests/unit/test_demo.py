"""The demo generator: real formats, determinism and the planted patterns."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import demo
from analysis.demo import world
from analysis.stats.measures import poisson_change_test

SPEC = demo.DemoSpec()


@pytest.fixture(scope="module")
def year_of_months() -> dict[date, pd.DataFrame]:
    """The first and last 12 months of the demo (enough to see the planted trends)."""
    geo = world.geography()
    points = world.map_points(geo, np.random.default_rng([SPEC.seed, 999_999]))
    wanted = list(range(12)) + list(range(SPEC.n_months - 12, SPEC.n_months))
    return {SPEC.months[i]: world.street_month(SPEC, geo, points, i) for i in wanted}


def test_geography_shape() -> None:
    geo = world.geography()
    assert len(geo) == 400 and geo["lsoa_code"].is_unique
    assert geo.groupby("csp_code")["ward_code"].nunique().eq(20).all()
    assert geo["lsoa_code"].str.fullmatch(r"E01\d{6}").all()


def test_files_have_the_police_uk_layout(year_of_months: dict) -> None:
    month = next(iter(year_of_months.values()))
    assert list(month.columns) == world.STREET_COLUMNS
    asb = month["Crime type"] == world.ASB
    assert (month.loc[asb, "Crime ID"] == "").all()
    assert (month.loc[~asb, "Crime ID"].str.len() == 64).all()
    no_location = month["Location"] == "No Location"
    assert 0 < no_location.mean() < 0.03
    assert (month.loc[no_location, "LSOA code"] == "").all()
    assert set(month["Crime type"]) == set(world.CRIME_TYPE_SHARES) | {world.ASB}


def test_same_seed_same_rows() -> None:
    geo = world.geography()
    rng = np.random.default_rng
    first = world.street_month(SPEC, geo, world.map_points(geo, rng([1, 2])), 5)
    second = world.street_month(SPEC, geo, world.map_points(geo, rng([1, 2])), 5)
    pd.testing.assert_frame_equal(first, second)


def _kingsmere_yearly(frames: dict[date, pd.DataFrame], crime_type: str) -> tuple[int, int]:
    totals = []
    for months in (SPEC.months[:12], SPEC.months[-12:]):
        totals.append(sum(
            int(((frames[m]["Crime type"] == crime_type)
                 & frames[m]["LSOA name"].str.startswith("Kingsmere")).sum())
            for m in months
        ))
    return totals[0], totals[1]


def test_planted_violence_rise_is_clear(year_of_months: dict) -> None:
    first, last = _kingsmere_yearly(year_of_months, "Violence and sexual offences")
    assert last / first > 1.3  # about 1.12 ** 3 = 1.40 over three years
    assert poisson_change_test(last, first) < 0.001


def test_planted_burglary_is_stable(year_of_months: dict) -> None:
    first, last = _kingsmere_yearly(year_of_months, "Burglary")
    assert abs(last / first - 1) < 0.08
    assert poisson_change_test(last, first) > 0.01


def test_planted_shoplifting_rises_in_the_last_four_months_only(year_of_months: dict) -> None:
    def kingsmere(month: date) -> int:
        frame = year_of_months[month]
        return int(((frame["Crime type"] == world.LATE_RISE_TYPE)
                    & frame["LSOA name"].str.startswith("Kingsmere")).sum())

    last_year = SPEC.months[-12:]
    before = np.mean([kingsmere(m) for m in last_year[:-4]])
    late = [kingsmere(m) for m in last_year[-4:]]
    # expected about 1.15, 1.30, 1.45 and 1.60 times the months before (about 110 a month)
    assert 1.3 < np.mean(late[-3:]) / before < 1.7
    assert np.mean(late[-2:]) > np.mean(late[:2])


def test_kingsmere_monthly_volume_like_a_unitary_csp(year_of_months: dict) -> None:
    frame = year_of_months[SPEC.months[0]]
    kingsmere = frame["LSOA name"].str.startswith("Kingsmere") & (frame["Crime type"] != world.ASB)
    assert 1_200 < kingsmere.sum() < 1_800
