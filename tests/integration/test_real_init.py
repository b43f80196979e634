"""``csp init`` against the real ONS lookups: the Southend-on-Sea config it writes (in
``real_project``, tests/conftest.py) builds every section with no further edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from analysis.core.files import section_notebooks
from analysis.inputs.areas import load_area

pytestmark = pytest.mark.integration


def test_init_writes_southend_from_the_lookups(real_project: Path, real_data: Path) -> None:
    path = real_project / "config" / "areas" / "southend-on-sea.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert (raw["csp_code"], raw["csp_name"], raw["lad_codes"]) == (
        "E22000089", "Southend-on-Sea", ["E06000033"])
    assert raw["force"] == {"code": "E23000028", "name": "Essex Police", "slug": "essex"}
    assert raw["default_period"] == "2018-19"  # the fullest financial year of the months held
    assert raw["store"] == "essex" and "is_demo" not in raw and "partner" not in raw["sources"]
    assert raw["sources"]["police_uk"] == [str(real_data / "police_uk" / "essex")]
    text = path.read_text(encoding="utf-8")
    assert "#   E05002216  Kursaal" in text  # one of the 17 wards, listed for reference
    # the force's CSPs share one store, so they read the same files as the force template
    forced = load_area("essex-southend-on-sea", real_project).sources
    written = load_area("southend-on-sea", real_project).sources
    assert sorted(map(str, written.lsoa_boundaries)) == sorted(map(str, forced.lsoa_boundaries))
    assert written.lad_csp_lookup == forced.lad_csp_lookup
    assert written.police_uk == forced.police_uk


def test_southends_default_period_builds_every_section(
        real_project: Path, real_reports: dict[tuple[str, str], Path]) -> None:
    period = load_area("southend-on-sea", real_project).default_period
    report = real_reports[("southend-on-sea", period)]
    built = {page.stem for page in report.glob("[0-9][0-9]_*.html")}
    assert built == {notebook.stem for notebook in section_notebooks(real_project)}
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["area"] == "southend-on-sea"
    assert "Southend-on-Sea Community Safety Partnership" in (report / "index.html").read_text(
        encoding="utf-8")
    assert (report / ".incomplete.txt").read_text(encoding="utf-8").startswith(
        "Warning: southend-on-sea 2018/19 is incomplete")
