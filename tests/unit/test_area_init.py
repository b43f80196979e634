"""``csp init`` on a small invented downloads folder laid out as ``../shared/data/real``.

Two CSPs of one invented force ("Shire Police", files named ``shire``): North Shire (two
local authorities) and South Shire (one). The real-data integration suite builds a report
from a config written by ``csp init`` (Southend-on-Sea, in ``tests/conftest.py``).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.errors import ConfigError
from analysis.core.periods import add_months
from analysis.inputs.area_setup import default_period_for, init_area
from analysis.inputs.areas import load_area

STREET_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                 "LSOA code,LSOA name,Crime type,Last outcome category,Context\n")
LAD_CSP = """LAD19CD,LAD19NM,CSP19CD,CSP19NM,PFA19CD,PFA19NM
E07999991,Northtown,E22999991,North Shire,E23999991,Shire
E07999992,Norbury,E22999991,North Shire,E23999991,Shire
E06999993,Southport-on-Sea,E22999992,South Shire,E23999991,Shire
E06999994,Elsewhere,E22999993,Elsewhere,E23999992,Other
"""
LSOA_WARD = """LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD,LAD19NM
E01999991,Northtown 001A,E05999991,Castle,E07999991,Northtown
E01999992,Norbury 001A,E05999992,Abbey,E07999992,Norbury
E01999993,Southport-on-Sea 001A,E05999993,Pier,E06999993,Southport-on-Sea
E01999994,Elsewhere 001A,E05999994,Far,E06999994,Elsewhere
"""
LA_CODES = """LADCD,LADNM,UTLACD,UTLANM
E07999991,Northtown,E10999991,Shire County
E07999992,Norbury,E10999991,Shire County
E06999993,Southport-on-Sea,E06999993,Southport-on-Sea
"""
FIRST_MONTH = date(2023, 1, 1)
MONTHS_HELD = 20  # Jan 2023 to Aug 2024: financial year 2023/24 and calendar year 2023 whole


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """The invented downloads folder, beside an empty project (``tmp_path/project``)."""
    data = tmp_path / "data"
    for name, text in {"lookups/ons/lsoa_ward.csv": LSOA_WARD,
                       "lookups/ons/lad_csp.csv": LAD_CSP, "lookups/la/la_codes.csv": LA_CODES,
                       "population/ons/mid-2022/population.csv": "area_code,population\n",
                       "imd/ons/imd.csv": "x\n"}.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(text)
    for level in ("lsoa", "ward"):
        for code in ("E10999991", "E06999993", "E06999994"):  # the last is another force's
            path = data / "boundaries" / "src" / level / f"{code}.geojson"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
    for index in range(MONTHS_HELD):
        month = f"{add_months(FIRST_MONTH, index):%Y-%m}"
        folder = data / "police_uk" / "shire" / month
        folder.mkdir(parents=True)
        (folder / f"{month}-shire-street.csv").write_text(
            STREET_HEADER + f"a1,{month},Shire Police,Shire Police,0.1,51.5,On or near X,"
                            "E01999991,Northtown 001A,Burglary,Under investigation,\n")
    (tmp_path / "project" / "config" / "areas").mkdir(parents=True)
    return data


def test_init_writes_a_config_the_build_reads(downloads: Path) -> None:
    root = downloads.parent / "project"
    path, config, why = init_area(root, csp_code="E22999991", data_dir=downloads)

    assert path == root / "config" / "areas" / "north-shire.yaml"
    assert load_area("north-shire", root) == config
    assert (config.csp_code, config.csp_name, config.lad_codes) == (
        "E22999991", "North Shire", ["E07999991", "E07999992"])
    assert config.force.model_dump() == {"code": "E23999991", "name": "Shire Police",
                                         "slug": "shire"}
    assert config.default_period == "2023-24" and why == "the latest complete financial year held"
    assert config.store == "shire" and not config.is_demo and config.sources.partner is None
    sources = config.sources
    assert sources.police_uk == [downloads / "police_uk" / "shire"]
    assert sources.lad_csp_lookup == downloads / "lookups" / "ons" / "lad_csp.csv"
    assert sources.lsoa_ward_lookups == [downloads / "lookups" / "ons" / "lsoa_ward.csv"]
    boundaries = downloads / "boundaries" / "src"
    assert sources.lsoa_boundaries == [boundaries / "lsoa" / "E06999993.geojson",
                                       boundaries / "lsoa" / "E10999991.geojson"]
    assert sources.ward_boundaries == [boundaries / "ward" / "E06999993.geojson",
                                       boundaries / "ward" / "E10999991.geojson"]
    assert [(p.year, p.label) for p in sources.populations] == [
        (2022, "ONS mid-2022 population estimates")]
    assert sources.imd == downloads / "imd" / "ons" / "imd.csv"
    text = path.read_text()
    assert 'default_period: "2023-24"' in text  # quoted, so it reads back as text
    assert "#   E05999992  Abbey\n#   E05999991  Castle\n" in text  # the CSP's wards only
    assert "Pier" not in text and "demo" not in text and "is_demo" not in text
    lines = text.splitlines()
    for before, line in pairwise(lines):
        if line and not line.startswith(("#", " ")):  # a top-level key says what it does
            assert "  # " in line or before.startswith("# "), line


def test_init_by_name_in_any_case_and_relative_paths(downloads: Path) -> None:
    root = downloads.parent / "project"
    _, config, _ = init_area(root, csp_name="south SHIRE", data_dir=Path("../data"),
                             period="2023")
    assert config.name == "south-shire" and config.lad_codes == ["E06999993"]
    assert config.default_period == "2023"
    assert config.sources.police_uk == [Path("../data/police_uk/shire")]  # as given
    assert load_area("south-shire", root).sources.police_uk == [Path("../data/police_uk/shire")]


def test_a_near_miss_gets_did_you_mean(downloads: Path) -> None:
    root = downloads.parent / "project"
    with pytest.raises(ConfigError, match="no CSP with name 'Nroth Shire'") as caught:
        init_area(root, csp_name="Nroth Shire", data_dir=downloads)
    assert str(caught.value.hint).startswith("did you mean: North Shire")  # nearest first
    with pytest.raises(ConfigError, match="no CSP with code") as caught:
        init_area(root, csp_code="E22999919", data_dir=downloads)
    assert "E22999991" in str(caught.value.hint)
    assert list((root / "config" / "areas").iterdir()) == []


def test_an_existing_config_is_kept_unless_overwrite(downloads: Path) -> None:
    root = downloads.parent / "project"
    path = root / "config" / "areas" / "north-shire.yaml"
    path.write_text("mine\n")
    with pytest.raises(ConfigError, match="already exists") as caught:
        init_area(root, csp_code="E22999991", data_dir=downloads)
    assert "--overwrite" in str(caught.value.hint)
    assert path.read_text() == "mine\n"
    init_area(root, csp_code="E22999991", data_dir=downloads, overwrite=True)
    assert yaml.safe_load(path.read_text())["csp_code"] == "E22999991"


def test_missing_lookups_are_named(downloads: Path) -> None:
    root = downloads.parent / "project"
    (downloads / "lookups" / "ons" / "lad_csp.csv").unlink()
    with pytest.raises(ConfigError, match="ONS lookups are not in") as caught:
        init_area(root, csp_code="E22999991", data_dir=downloads)
    assert caught.value.found == "an LSOA to ward lookup, no LAD to CSP lookup"
    with pytest.raises(ConfigError, match="downloads folder does not exist"):
        init_area(root, csp_code="E22999991", data_dir=downloads / "nowhere")


def test_the_command_writes_the_file(downloads: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = downloads.parent / "project"
    monkeypatch.setenv("CSP_PROJECT_ROOT", str(root))
    result = CliRunner().invoke(app, ["init", "--csp-code", "E22999992", "--name", "south",
                                      "--data-dir", str(downloads)])
    assert result.exit_code == 0, result.output
    assert "default period 2023-24" in result.output and "make report AREA=south" in result.output
    assert load_area("south", root).csp_name == "South Shire"


def months(first: str, last: str) -> list[date]:
    """Every month from ``first`` to ``last`` ('YYYY-MM'), inclusive."""
    start, end = date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01")
    held = [start]
    while held[-1] < end:
        held.append(add_months(held[-1], 1))
    return held


def test_default_period_is_the_latest_complete_financial_year() -> None:
    assert default_period_for(months("2021-04", "2024-05"))[0] == "2023-24"


def test_default_period_falls_back_to_a_complete_calendar_year() -> None:
    assert default_period_for(months("2022-01", "2022-12")) == (
        "2022", "the latest complete calendar year held")


def test_default_period_with_every_year_incomplete_is_the_fullest_financial_year() -> None:
    # The public Essex months: 2018/19 holds 9 (Apr-Jul, Oct-Feb), 2022/23 holds 8.
    held = [*months("2018-01", "2018-07"), *months("2018-10", "2019-02"),
            *months("2022-01", "2022-11"), *months("2024-01", "2024-04")]
    period, why = default_period_for(held)
    assert period == "2018-19" and "most months (9 of 12)" in why
    assert default_period_for(months("2022-04", "2022-11"))[0] == "2022-23"
