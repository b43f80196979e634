"""End to end: a small demo is generated, ingested and built with papermill and nbconvert.

The numbers printed in the HTML page are checked against the tested helper run directly on the
store, so a notebook cannot show something other than what the helper computes.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis.core.errors import BuildError, ConfigError
from analysis.core.files import report_dir
from analysis.core.periods import Period
from analysis.inputs.areas import load_area
from analysis.publish.build import build_section, check_parameters
from analysis.stats.police_uk_counts import crime_type_change
from analysis.store import query

pytestmark = pytest.mark.build
ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2024-25"
SECTION = "10_crime_overview"


class _Tables(HTMLParser):
    """Collects the cell text of every table in a page, table by table (stdlib only)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def project(built_demo_report: Path) -> Path:
    """The shared demo project with every section built (in the suite's one demo build) and
    the index written; the tests below rebuild section 10 on their own, one unit at a time."""
    return built_demo_report.parents[2]


def test_page_numbers_equal_the_helper(project: Path) -> None:
    config = load_area("demo", project)
    folder = project / "data" / "processed" / "demo"
    current = Period.parse(PERIOD)
    months = query.force_months(folder, config.force.name)
    expected = crime_type_change(
        query.monthly_counts(folder, where="csp_code = $c", params={"c": config.csp_code}),
        query.monthly_counts(folder, where="pfa_code = $f", params={"f": config.force.code}),
        current, current.previous(), months,
    )
    page = (report_dir("demo", PERIOD, project) / f"{SECTION}.html").read_text()
    parser = _Tables()
    parser.feed(page)
    # the first police.uk table (the published Home Office table leads the page)
    change_table = next(t for t in parser.tables if t[0][0] == "Crime type")
    assert change_table[0][:3] == ["Crime type", "2023/24", "2024/25"]
    shown = {row[0]: row for row in change_table[1:]}
    assert set(shown) == set(expected["crime_type"])
    for row in expected.itertuples():
        cells = shown[row.crime_type]
        assert cells[1] == f"{row.previous:,}" and cells[2] == f"{row.current:,}"
        assert cells[3] == f"{row.diff:+,}"
        assert cells[4] == f"{row.pct_diff:+.1f}"
    all_crime = expected.set_index("crime_type").loc["All crime"]
    asb = expected.set_index("crime_type").loc["Anti-social behaviour"]
    by_type = expected[expected["row_kind"] == "crime type"]
    assert all_crime["current"] == by_type["current"].sum()  # ASB is not in the total
    assert asb["current"] > 0


def test_page_is_self_contained(project: Path) -> None:
    page = (report_dir("demo", PERIOD, project) / f"{SECTION}.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script src" not in page and "@import" not in page
    images = re.findall(r'<img[^>]+src="([^"]{0,22})', page)
    assert images and all(src.startswith("data:image/png;base64") for src in images)
    assert "Disclosure control" in page and "Kingsmere" in page
    assert "from analysis" not in page and "output_dir =" not in page  # input hidden


def test_tables_index_manifest_and_key_figures(project: Path) -> None:
    out = report_dir("demo", PERIOD, project)
    assert (out / "tables" / f"{SECTION}__crime_type_change.csv").is_file()
    assert (out / "tables" / f"{SECTION}__monthly_trend.csv").is_file()
    assert f'href="{SECTION}.html"' in (out / "index.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    months = len(list((project / "data" / "raw" / "demo" / "police_uk").iterdir()))
    # the month street files and outcomes files, 3 lookups, 2 boundaries, population, IMD,
    # partner mapping, 3 extracts, 2 Home Office recorded crime tables and the most similar
    # group file
    assert len(manifest["inputs"]) == 2 * months + 3 + 2 + 1 + 1 + 4 + 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) for i in manifest["inputs"])
    police = [i for i in manifest["inputs"] if i["path"].endswith("-street.csv")]
    assert all(i["rows"] > 0 and re.fullmatch(r"\d{4}-\d{2}", i["months"]) for i in police)
    assert not any(i["path"].startswith("/") for i in manifest["inputs"])
    assert manifest["packages"]["papermill"] and manifest["parameters"]["period"] == PERIOD
    assert {"00_data_and_methods", SECTION} <= {s["section"] for s in manifest["sections"]}
    figures = json.loads((out / "key_figures.json").read_text())[SECTION]
    table = (out / "tables" / f"{SECTION}__crime_type_change.csv").read_text().splitlines()
    all_crime_row = next(line for line in table if line.startswith("All crime,"))
    assert all_crime_row.split(",")[2] == str(figures["all_crime_current"]["value"])


def test_misspelt_parameter_is_an_error() -> None:
    with pytest.raises(ConfigError, match="aera"):
        check_parameters(ROOT / "notebooks" / f"{SECTION}.ipynb",
                         {"aera": "demo", "period": PERIOD, "output_dir": ""})


def test_failing_section_names_the_cell_and_keeps_the_previous_page(project: Path) -> None:
    out = report_dir("demo", PERIOD, project)
    before = (out / f"{SECTION}.html").read_bytes()
    notebook = nbformat.read(project / "notebooks" / f"{SECTION}.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise ValueError('planted failure')"))
    nbformat.write(notebook, project / "notebooks" / f"{SECTION}.ipynb")
    try:
        with pytest.raises(BuildError, match="planted failure"):
            build_section("demo", PERIOD, SECTION, project)
    finally:
        shutil.copy(ROOT / "notebooks" / f"{SECTION}.ipynb", project / "notebooks")
    assert (out / f"{SECTION}.html").read_bytes() == before


def test_rebuild_is_byte_identical(project: Path) -> None:
    out = report_dir("demo", PERIOD, project)

    def published() -> dict[str, bytes]:
        files = [out / f"{SECTION}.html", *(out / "tables").glob("*")]
        return {p.name: p.read_bytes() for p in files}

    first = published()
    build_section("demo", PERIOD, SECTION, project)
    second = published()
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_data_and_methods_reconciles_and_shows_coverage(project: Path) -> None:
    out = report_dir("demo", PERIOD, project)
    page = (out / "00_data_and_methods.html").read_text()
    assert "Reconciliation" in page and str(project) not in page  # no absolute paths shown
    tables = out / "tables"
    reconciliation = (tables / "00_data_and_methods__reconciliation.csv").read_text()
    rows = reconciliation.strip().splitlines()[1:]
    months = len(list((project / "data" / "raw" / "demo" / "police_uk").iterdir()))
    assert months == 36  # the trend window of 2024/25: Apr 2022 to Mar 2025
    assert len(rows) == months and all(row.endswith(",True") for row in rows)
    coverage = (tables / "00_data_and_methods__coverage_force.csv").read_text()
    assert coverage.count(",present,") == months and ",missing," not in coverage
    index = (out / "index.html").read_text()
    sections = index[index.index("<h2>Sections</h2>"):]  # headline figures link pages too
    assert sections.index("00_data_and_methods.html") < sections.index(f"{SECTION}.html")


def _area_with_section_parameters(project: Path, name: str, parameters: dict) -> str:
    """A copy of the demo config under ``name`` (same store) with ``section_parameters``."""
    config = yaml.safe_load((project / "config" / "areas" / "demo.yaml").read_text())
    config.update(name=name, store="demo", section_parameters=parameters)
    (project / "config" / "areas" / f"{name}.yaml").write_text(yaml.safe_dump(config))
    return name


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"30_place": {"offence_group": "Burglary"}}, "names no section '30_place'"),
        ({SECTION: {"offence_grup": "Burglary"}}, "unknown parameter(s): offence_grup"),
        ({SECTION: {"period": "2023-24"}}, "sets 'period', which the build always sets"),
    ],
)
def test_bad_section_parameters_stop_the_build_before_it_runs(
    demo_project: Path, parameters: dict, message: str
) -> None:
    area = _area_with_section_parameters(demo_project, "demo_bad_parameters", parameters)
    with pytest.raises(ConfigError) as error:
        build_section(area, PERIOD, SECTION, demo_project)
    assert message in str(error.value)
    assert not (report_dir(area, PERIOD, demo_project) / f"{SECTION}.html").exists()
