"""Area configuration: the shipped configs load; mistakes get a message naming the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from analysis.core.config import load_force, project_root, read_yaml
from analysis.core.errors import FOUND_LIMIT, ConfigError
from analysis.core.periods import Period
from analysis.inputs.areas import load_area

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
    path = tmp_path / "config" / "areas" / "mine.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw))
    return path


def test_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _write(tmp_path, {"peer_list": ["E22000001"]})
        load_area("mine", tmp_path)
    assert "peer_list" in str(caught.value) and "mine.yaml" in str(caught.value)


def test_bad_code_is_an_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        _write(tmp_path, {"csp_code": "E06000034"})
        load_area("mine", tmp_path)
    assert "csp_code" in str(caught.value)


def test_missing_area_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        load_area("no_such_area", ROOT)
    assert "demo" in str(caught.value)


def test_section_parameters_default_to_none_and_load_by_section(tmp_path: Path) -> None:
    assert load_area("demo", ROOT).section_parameters == {}
    _write(tmp_path, {"section_parameters": {"30_places": {"offence_group": "Burglary"}}})
    assert load_area("mine", tmp_path).section_parameters == {
        "30_places": {"offence_group": "Burglary"}}


def test_section_parameter_that_is_not_a_single_value_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, {"section_parameters": {"30_places": {"offence_group": ["a", "b"]}}})
    with pytest.raises(ConfigError) as caught:
        load_area("mine", tmp_path)
    assert "section_parameters" in str(caught.value)


@pytest.mark.parametrize("area", ["../x.yaml", "/tmp/x", "x/../../etc", "Thurrock", "demo.yaml",
                                  "", "demo\n"])
def test_area_names_are_names_never_paths(area: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_area(area, ROOT)
    message = caught.value.describe()
    assert f"'{area}' is not an area name" in message and "config/areas" in message
    assert "pass the name, not a path" in message


def test_force_names_are_names_never_paths() -> None:
    with pytest.raises(ConfigError, match="is not a force name"):
        load_force("../../etc/essex", ROOT)


BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
"""


def test_yaml_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    # 45 aliases (under the limit of 50) standing for 9**6 = 531,441 "lol"s: the size limit
    # refuses it. The first five levels alone (36 aliases, 74,738 values) would load.
    path = tmp_path / "config" / "areas" / "bomb.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(BOMB + "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n")
    with pytest.raises(ConfigError) as caught:
        load_area("bomb", tmp_path)
    message = caught.value.describe()
    assert "bomb.yaml" in message and "more than 100,000 values" in message
    assert "aliases" in message and len(message) < 600


def test_yaml_with_many_aliases_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(60)))
    with pytest.raises(ConfigError) as caught:
        read_yaml(path)
    # The 51st alias is on line 52 (line 1 holds the anchor).
    assert caught.value.line == 52 and "more than 50 YAML aliases" in caught.value.message


def test_yaml_with_a_few_aliases_loads(tmp_path: Path) -> None:
    path = tmp_path / "few.yaml"
    path.write_text(BOMB.split("c:")[0])  # 9 aliases, 99 values
    loaded = read_yaml(path)
    assert isinstance(loaded, dict) and len(loaded["b"]) == 9 and loaded["b"][0][0] == "lol"


def test_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n")
    with pytest.raises(ConfigError, match="once its YAML aliases are expanded"):
        read_yaml(path)


def test_long_found_value_is_quoted_as_a_short_excerpt() -> None:
    error = ConfigError("bad", found="x" * 100_000)
    found = error.describe().split("found: ", 1)[1]
    assert len(found) <= FOUND_LIMIT and found.startswith("'xxx") and "..." in found
    nested = ConfigError("bad", found={"k": [list(range(1000))] * 1000}).describe()
    assert len(nested) < 400
    assert ConfigError("bad", found=["a", "b"]).describe().endswith("found: ['a', 'b']")


def _sources(tmp_path: Path, change: dict, drop: tuple[str, ...] = ()) -> Path:
    """A project root at ``tmp_path`` holding area 'mine': the demo config with ``change``."""
    raw = yaml.safe_load((ROOT / "config" / "areas" / "demo.yaml").read_text())
    for key in drop:
        raw["sources"].pop(key)
    raw["sources"].update(change)
    path = tmp_path / "config" / "areas" / "mine.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(raw))
    return tmp_path


def test_several_population_releases_load_with_years_and_labels(tmp_path: Path) -> None:
    path = _sources(tmp_path, {"populations": [
        {"path": "a/mid-2019.csv", "year": 2019},
        {"path": "b.csv", "year": 2022, "label": "ONS mid-2022 (April 2021 LAs)"}]},
        drop=("population", "population_vintage"))
    releases = load_area("mine", path).sources.population_releases()
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
        load_area("mine", _sources(tmp_path, change))
    assert "not both" in str(caught.value)


def test_population_year_listed_twice_is_an_error(tmp_path: Path) -> None:
    path = _sources(tmp_path, {"populations": [{"path": "a.csv", "year": 2019},
                                               {"path": "b.csv", "year": 2019}]},
                    drop=("population", "population_vintage"))
    with pytest.raises(ConfigError) as caught:
        load_area("mine", path)
    assert "more than once" in str(caught.value)


def test_deeply_nested_or_undecodable_yaml_is_a_message(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 50_000 + "]" * 50_000)
    with pytest.raises(ConfigError, match="nests values too deeply"):
        read_yaml(deep)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Caf\xe9".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_yaml(latin)


def test_comparison_rule_defaults_to_a_year_earlier_and_can_be_preceding(tmp_path: Path) -> None:
    from analysis.present.page import Section

    assert load_area("demo", ROOT).comparison == "year_earlier"
    config = (_write(tmp_path, {"comparison": "preceding"}), load_area("mine", tmp_path))[1]
    assert config.comparison == "preceding"
    section = Section("10_x", config, Period.parse("2019-01..2019-02"), tmp_path, ROOT,
                      "2019-01..2019-02")
    assert section.previous.label == "Nov 2018 to Dec 2018"
    default = Section("10_x", load_area("demo", ROOT), Period.parse("2019-01..2019-02"),
                      tmp_path, ROOT, "2019-01..2019-02")
    assert default.previous.label == "Jan 2018 to Feb 2018"
    with pytest.raises(ConfigError):
        _write(tmp_path, {"comparison": "last_month"})
        load_area("mine", tmp_path)


def test_force_comparison_rule_reaches_every_csp() -> None:
    from analysis.core.config import load_force
    from analysis.inputs.areas import force_csps

    template = load_force("essex", ROOT).model_copy(update={"comparison": "preceding"})
    assert {c.comparison for c in force_csps(template, ROOT).values()} == {"preceding"}


def test_trend_breaks_load_as_first_of_month_dates(tmp_path: Path) -> None:
    _write(tmp_path, {"trend_breaks": [
        {"month": "2022-04", "reason": "new incident system", "applies_to": "asb"}]})
    (item,) = load_area("mine", tmp_path).trend_breaks
    assert (item.month, item.reason, item.applies_to) == (date(2022, 4, 1),
                                                          "new incident system", "asb")
    assert load_area("demo", ROOT).trend_breaks == []
    with pytest.raises(ConfigError, match="trend_breaks"):
        _write(tmp_path, {"trend_breaks": [{"month": "April 2022", "reason": "x"}]})
        load_area("mine", tmp_path)


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
