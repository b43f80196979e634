"""Area configuration: the shipped configs load; mistakes get a message naming the key."""

from __future__ import annotations

from datetime import date
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


def test_trend_breaks_load_as_first_of_month_dates(tmp_path: Path) -> None:
    path = _write(tmp_path, {"trend_breaks": [
        {"month": "2022-04", "reason": "new incident system", "applies_to": "asb"}]})
    (item,) = load_area(str(path)).trend_breaks
    assert (item.month, item.reason, item.applies_to) == (date(2022, 4, 1),
                                                          "new incident system", "asb")
    assert load_area("demo", ROOT).trend_breaks == []
    with pytest.raises(ConfigError, match="trend_breaks"):
        load_area(str(_write(tmp_path, {"trend_breaks": [{"month": "April 2022",
                                                           "reason": "x"}]})))


def test_a_force_template_passes_its_trend_breaks_to_every_csp(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "config" / "forces" / "essex.yaml").read_text())
    raw["trend_breaks"] = [{"month": "2019-01", "reason": "force-wide change"}]
    (tmp_path / "config" / "forces").mkdir(parents=True)
    (tmp_path / "config" / "areas").mkdir()
    lookup = ROOT / raw["sources"]["lad_csp_lookup"]
    if not lookup.is_file():
        pytest.skip("the shared ONS LAD to CSP lookup is not present")
    raw["sources"]["lad_csp_lookup"] = str(lookup)
    (tmp_path / "config" / "forces" / "essex.yaml").write_text(yaml.safe_dump(raw))
    area = load_area("essex-thurrock", tmp_path)
    assert [b.month for b in area.trend_breaks] == [date(2019, 1, 1)]
