"""analysis.store.area population choice: the release nearest the period, on hand-made files."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.config import AreaConfig, ForceConfig, PopulationEstimate, SourcesConfig
from analysis.core.errors import DataCoverageError
from analysis.core.periods import Period
from analysis.store.area import force_populations, population_release, population_releases

LAD_CSP = (
    "LAD19CD,LAD19NM,CSP19CD,CSP19NM,PFA19CD,PFA19NM\n"
    "E06000034,Thurrock,E22000091,Thurrock,E23000028,Essex\n"
    "E06000033,Southend-on-Sea,E22000090,Southend-on-Sea,E23000028,Essex\n"
)


def _config(tmp_path: Path, **population: object) -> AreaConfig:
    (tmp_path / "lad_csp.csv").write_text(LAD_CSP)
    for year, (thurrock, southend) in {2019: (174_341, 182_463),
                                       2022: (176_877, 181_810)}.items():
        (tmp_path / f"mid-{year}.csv").write_text(
            f"area_code,population\nE06000034,{thurrock}\nE06000033,{southend}\n")
    return AreaConfig(
        name="t", title="T", csp_code="E22000091", csp_name="Thurrock", lad_codes=["E06000034"],
        force=ForceConfig(code="E23000028", name="Essex Police", slug="essex"),
        default_period="2022",
        sources=SourcesConfig(police_uk=[], lsoa_ward_lookups=[],
                              lad_csp_lookup=tmp_path / "lad_csp.csv", **population))


def test_force_populations_use_the_release_nearest_the_period(tmp_path: Path) -> None:
    config = _config(tmp_path, populations=[
        PopulationEstimate(path=tmp_path / "mid-2019.csv", year=2019),
        PopulationEstimate(path=tmp_path / "mid-2022.csv", year=2022, label="ONS mid-2022")])
    people = force_populations(config, tmp_path, period=Period.parse("2022"))
    assert set(people["population_vintage"]) == {"ONS mid-2022"}
    assert people.set_index("area_code").loc["E23000028", "population"] == 176_877 + 181_810
    earlier = force_populations(config, tmp_path, period=Period.parse("2018-19"))
    assert earlier.set_index("area_code").loc["E22000091", "population"] == 174_341
    assert population_release(config, Period.parse("2024")).label == "ONS mid-2022"
    table = population_releases(config, Period.parse("2018-19"))
    assert table["Used"].tolist() == ["yes", "no"]
    assert table["Months from the middle of the period"].tolist() == [9.0, 45.0]


def test_single_file_form_still_works(tmp_path: Path) -> None:
    config = _config(tmp_path, population=tmp_path / "mid-2019.csv")
    people = force_populations(config, tmp_path, period=Period.parse("2024"))
    assert set(people["population_vintage"]) == {"ONS mid-2019"}


def test_no_population_configured_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataCoverageError):
        force_populations(_config(tmp_path), tmp_path, period=Period.parse("2022"))
