"""Config mistakes name their line; a period YAML reads as a number or a date is handled; a
real area may not read the demo's fictional files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.core.config import read_yaml_with_lines
from analysis.core.errors import ConfigError
from analysis.inputs.areas import is_demo_file, load_area

ROOT = Path(__file__).resolve().parents[2]
DEMO = (ROOT / "config" / "areas" / "demo.yaml").read_text(encoding="utf-8")


def write_area(root: Path, text: str, name: str = "mine") -> Path:
    """``text`` as ``config/areas/<name>.yaml`` of the project ``root``."""
    path = root / "config" / "areas" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def line_number(text: str, starts: str) -> int:
    """The 1-based number of the first line of ``text`` starting with ``starts``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(starts))


def test_key_lines_follow_the_file() -> None:
    text = "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: 2\n    - 3\n"
    data, lines = read_yaml_with_lines(Path("x.yaml"), text)
    assert data == {"a": 1, "b": {"c": ["x", "y"], "d": [{"e": 2}, 3]}}
    assert lines[("a",)] == 1 and lines[("b",)] == 2 and lines[("b", "c")] == 3
    assert lines[("b", "d", 0)] == 5 and lines[("b", "d", 0, "e")] == 5
    assert lines[("b", "d", 1)] == 6


def test_a_bad_default_period_is_reported_at_its_line(tmp_path: Path) -> None:
    text = DEMO.replace("default_period: 2024-25", "default_period: 2024-26")
    write_area(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_area("mine", tmp_path)
    error = caught.value
    assert error.line == line_number(text, "default_period:")
    assert error.column == "default_period"
    message = error.describe()
    assert f"mine.yaml, line {error.line}, column 'default_period'" in message
    assert "financial year halves do not follow on" in message


def test_a_nested_mistake_names_the_nested_line(tmp_path: Path) -> None:
    text = DEMO.replace("  population_vintage:", "  populaton_vintage:")
    write_area(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_area("mine", tmp_path)
    assert caught.value.line == line_number(text, "  populaton_vintage:")
    assert caught.value.column == "sources.populaton_vintage"


def test_a_missing_key_is_reported_at_its_parent(tmp_path: Path) -> None:
    text = DEMO.replace("  slug: demoshire\n", "")
    write_area(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_area("mine", tmp_path)
    assert caught.value.column == "force.slug"
    assert caught.value.line == line_number(text, "force:")


def test_an_unquoted_year_is_that_calendar_year(tmp_path: Path) -> None:
    write_area(tmp_path, DEMO.replace("default_period: 2024-25", "default_period: 2022"))
    assert load_area("mine", tmp_path).default_period == "2022"


@pytest.mark.parametrize(("written", "says"), [
    ("2024-04-01", "as a date, not a period"),
    ("2024.5", "as a float, not a period"),
    ("yes", "as a bool, not a period"),
    ("20245", "20245 is not a year"),
    ("'next year'", "'next year' is not a period"),
])
def test_a_period_yaml_does_not_read_as_text_gets_the_fix(tmp_path: Path, written: str,
                                                           says: str) -> None:
    text = DEMO.replace("default_period: 2024-25", f"default_period: {written}")
    write_area(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_area("mine", tmp_path)
    assert says in caught.value.message
    assert caught.value.line == line_number(text, "default_period:")


def test_a_copied_demo_config_with_real_codes_is_refused(tmp_path: Path) -> None:
    """The issue's trap: demo.yaml copied, codes changed, is_demo dropped, demo files kept."""
    raw = yaml.safe_load(DEMO)
    raw.pop("is_demo")
    raw.update(name="southend", csp_code="E22000089", csp_name="Southend-on-Sea",
               lad_codes=["E06000033"])
    text = yaml.safe_dump(raw, sort_keys=False)
    write_area(tmp_path, text, "southend")
    with pytest.raises(ConfigError) as caught:
        load_area("southend", tmp_path)
    error = caught.value
    assert error.message == "a real (non-demo) area reads the fictional demo's data"
    assert error.file == str(tmp_path / "config" / "areas" / "southend.yaml")
    assert error.column == "sources.police_uk.0"
    assert error.line == line_number(text, "  - data/raw/demo/police_uk")
    assert "is_demo: true" in error.describe()


def test_only_the_partner_files_left_from_the_demo_are_named(tmp_path: Path) -> None:
    raw = yaml.safe_load((ROOT / "config" / "areas" / "thurrock.yaml").read_text())
    raw["sources"]["partner"] = {"mapping": "config/mappings/demo.yaml",
                                 "asb": "data/raw/demo/partner/asb.csv"}
    write_area(tmp_path, yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        load_area("mine", tmp_path)
    assert caught.value.column == "sources.partner.asb"
    assert caught.value.found == "data/raw/demo/partner/asb.csv"


def test_a_demo_area_may_read_the_demo_files(tmp_path: Path) -> None:
    write_area(tmp_path, DEMO)
    assert load_area("mine", tmp_path).is_demo


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding the demo force's config and a small generated demo."""
    from analysis.demo import DemoSpec, generate

    root = tmp_path_factory.mktemp("generated")
    (root / "config" / "forces").mkdir(parents=True)
    (root / "config" / "areas").mkdir()
    (root / "config" / "forces" / "demoshire.yaml").write_text(
        (ROOT / "config" / "forces" / "demoshire.yaml").read_text())
    generate(root / "data" / "raw" / "demo", DemoSpec(n_months=24))
    return root


def test_files_csp_demo_wrote_elsewhere_are_demo_files(generated: Path, tmp_path: Path
                                                        ) -> None:
    """Recognised by the README the generator writes, wherever the demo was generated."""
    elsewhere = generated / "data" / "raw" / "demo"
    project = tmp_path / "project"
    assert is_demo_file(elsewhere / "partner" / "asb.csv", project)
    assert is_demo_file(project / "data" / "raw" / "demo" / "not-yet-generated.csv", project)
    assert not is_demo_file(ROOT / "config" / "areas" / "thurrock.yaml", project)
    raw = yaml.safe_load((ROOT / "config" / "areas" / "thurrock.yaml").read_text())
    raw["sources"]["police_uk"] = [str(elsewhere / "police_uk")]
    write_area(project, yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ConfigError, match="fictional demo"):
        load_area("mine", project)


def test_the_demo_force_is_a_demo_and_its_csps_load(generated: Path) -> None:
    assert load_area("demoshire-ashby-fen", generated).is_demo
    force_file = generated / "config" / "forces" / "demoshire.yaml"
    force_file.write_text(force_file.read_text().replace("is_demo: true", "is_demo: false"))
    try:
        with pytest.raises(ConfigError, match="fictional demo") as caught:
            load_area("demoshire-ashby-fen", generated)
        assert caught.value.file == str(force_file)
    finally:
        force_file.write_text((ROOT / "config" / "forces" / "demoshire.yaml").read_text())
