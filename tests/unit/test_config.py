"""Area configuration: the shipped configs load; mistakes get a message naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.config import load_area, project_root
from analysis.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_every_shipped_area_config_loads() -> None:
    names = sorted(p.stem for p in (ROOT / "config" / "areas").glob("*.yaml"))
    assert "demo" in names
    for name in names:
        config = load_area(name, ROOT)
        assert config.name == name


def test_project_root_found_from_notebooks_folder() -> None:
    assert project_root(ROOT / "notebooks") == ROOT


def _write(tmp_path: Path, change: dict) -> Path:
    raw = yaml.safe_load((ROOT / "config" / "areas" / "demo.yaml").read_text())
    raw.update(change)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_area(str(_write(tmp_path, {"peer_list": ["E22000001"]})))
    assert "peer_list" in str(caught.value) and "mine.yaml" in str(caught.value)


def test_bad_code_is_an_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_area(str(_write(tmp_path, {"csp_code": "E06000034"})))
    assert "csp_code" in str(caught.value)


def test_missing_area_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        load_area("no_such_area", ROOT)
    assert "demo" in str(caught.value)


def test_section_parameters_default_to_none_and_load_by_section(tmp_path: Path) -> None:
    assert load_area("demo", ROOT).section_parameters == {}
    path = _write(tmp_path, {"section_parameters": {"30_places": {"offence_group": "Burglary"}}})
    assert load_area(str(path)).section_parameters == {"30_places": {"offence_group": "Burglary"}}


def test_section_parameter_that_is_not_a_single_value_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, {"section_parameters": {"30_places": {"offence_group": ["a", "b"]}}})
    with pytest.raises(ConfigError) as caught:
        load_area(str(path))
    assert "section_parameters" in str(caught.value)


def _sources(tmp_path: Path, change: dict, drop: tuple[str, ...] = ()) -> Path:
    raw = yaml.safe_load((ROOT / "config" / "areas" / "demo.yaml").read_text())
    for key in drop:
        raw["sources"].pop(key)
    raw["sources"].update(change)
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_several_population_releases_load_with_years_and_labels(tmp_path: Path) -> None:
    path = _sources(tmp_path, {"populations": [
        {"path": "a/mid-2019.csv", "year": 2019},
        {"path": "b.csv", "year": 2022, "label": "ONS mid-2022 (April 2021 LAs)"}]},
        drop=("population", "population_vintage"))
    releases = load_area(str(path)).sources.population_releases()
    assert [(r.year, r.label) for r in releases] == [
        (2019, "ONS mid-2019"), (2022, "ONS mid-2022 (April 2021 LAs)")]


def test_single_population_file_is_one_release(tmp_path: Path) -> None:
    releases = load_area("demo", ROOT).sources.population_releases()
    assert [(r.year, r.label) for r in releases] == [(2023, "Demo mid-2023 estimates (fictional)")]


@pytest.mark.parametrize("change", [
    {"populations": [{"path": "a.csv", "year": 2019}]},  # both forms at once
])
def test_population_forms_cannot_be_mixed(tmp_path: Path, change: dict) -> None:
    with pytest.raises(ConfigError) as caught:
        load_area(str(_sources(tmp_path, change)))
    assert "not both" in str(caught.value)


def test_population_year_listed_twice_is_an_error(tmp_path: Path) -> None:
    path = _sources(tmp_path, {"populations": [{"path": "a.csv", "year": 2019},
                                               {"path": "b.csv", "year": 2019}]},
                    drop=("population", "population_vintage"))
    with pytest.raises(ConfigError) as caught:
        load_area(str(path))
    assert "more than once" in str(caught.value)
