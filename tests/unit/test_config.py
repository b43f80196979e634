"""Area configuration: the shipped configs load; mistakes get a message naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.config import load_area, project_root
from analysis.errors import ConfigError
from analysis.periods import Period

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


def test_comparison_rule_defaults_to_a_year_earlier_and_can_be_preceding(tmp_path: Path) -> None:
    from analysis.report import Section

    assert load_area("demo", ROOT).comparison == "year_earlier"
    config = load_area(str(_write(tmp_path, {"comparison": "preceding"})))
    assert config.comparison == "preceding"
    section = Section("10_x", config, Period.parse("2019-01..2019-02"), tmp_path, ROOT,
                      "2019-01..2019-02")
    assert section.previous.label == "Nov 2018 to Dec 2018"
    default = Section("10_x", load_area("demo", ROOT), Period.parse("2019-01..2019-02"),
                      tmp_path, ROOT, "2019-01..2019-02")
    assert default.previous.label == "Jan 2018 to Feb 2018"
    with pytest.raises(ConfigError):
        load_area(str(_write(tmp_path, {"comparison": "last_month"})))


def test_force_comparison_rule_reaches_every_csp() -> None:
    from analysis.config import force_csps, load_force

    template = load_force("essex", ROOT).model_copy(update={"comparison": "preceding"})
    assert {c.comparison for c in force_csps(template, ROOT).values()} == {"preceding"}
