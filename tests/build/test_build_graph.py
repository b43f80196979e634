"""What `make report` rebuilds when an input changes: make itself, on a throwaway demo project.

The project is a copy of the Makefile, configs, docs, notebooks and package source (so a module can
be touched) with the session's demo data. Pages are marked built with ``make -t`` and the
plan read from ``make -n``, so no notebook runs; the ingest is run for real (a dry run cannot
show which table stamps an ingest rewrites).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from analysis.core.files import section_notebooks

ROOT = Path(__file__).resolve().parents[2]
REPORT = "reports/demo/2024-25"
INDEX = f"{REPORT}/index.html"
KEPT_MONTHS = 4
KEPT_PARTNER_ROWS = 2000


def make(project: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run make in the project with its own copy of the package on the path."""
    environment = {**os.environ, "PYTHONPATH": str(project / "src")}
    environment.pop("CSP_PROJECT_ROOT", None)
    environment.pop("MAKEFLAGS", None)
    result = subprocess.run(["make", "--no-print-directory", *args, "JOBS=2"], cwd=project,
                            env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 or not check, f"make {' '.join(args)}: {result.stderr}"
    return result


def planned_sections(project: Path, *args: str) -> set[str]:
    """The sections a dry run of the report's pages would build: queued for the warm batch
    (the default), or each built by its own ``csp build-section`` (``WARM=0``)."""
    plan = make(project, "-n", INDEX, *args).stdout
    return set(re.findall(r"(?:echo|build-section --area \S+ --period \S+) (\d\d_\w+)", plan))


def later(path: Path) -> None:
    """Give ``path`` the time now, after everything built so far (as an edit would)."""
    moment = time.time()
    os.utime(path, (moment, moment))


@pytest.fixture(scope="module")
def graph_project(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project on the last few months of the demo data, ingested with its last police.uk
    month held back (in ``held_back/``), every page marked built."""
    project = tmp_path_factory.mktemp("graph")
    for folder in ("config", "docs", "notebooks", "src"):  # docs: the methods page
        shutil.copytree(ROOT / folder, project / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, project / name)
    (project / ".venv").symlink_to(ROOT / ".venv")
    raw = project / "data" / "raw" / "demo"
    shutil.copytree(demo_project / "data" / "raw" / "demo", raw)
    police = sorted((raw / "police_uk").iterdir())
    for month in police[:-KEPT_MONTHS]:  # a small store ingests in seconds
        shutil.rmtree(month)
    for extract in (raw / "partner").glob("*.csv"):
        lines = extract.read_text(encoding="utf-8").splitlines(keepends=True)
        extract.write_text("".join(lines[:KEPT_PARTNER_ROWS + 1]), encoding="utf-8")
    (project / "held_back").mkdir()
    shutil.move(police[-1], project / "held_back" / police[-1].name)
    make(project, "ingest")
    (project / REPORT).mkdir(parents=True)
    make(project, "-t", INDEX)
    return project


def test_a_no_op_report_is_quick_and_runs_nothing(graph_project: Path) -> None:
    assert make(graph_project, "-q", INDEX, check=False).returncode == 0
    started = time.perf_counter()
    output = make(graph_project, "report").stdout
    assert time.perf_counter() - started < 2
    assert "csp" not in output.replace(f"Report: {INDEX}", "")


def test_a_new_police_uk_month_reingests_and_rebuilds_pages_reading_police_uk(
        graph_project: Path) -> None:
    held = next((graph_project / "held_back").iterdir())
    shutil.move(held, graph_project / "data" / "raw" / "demo" / "police_uk" / held.name)
    assert "csp ingest --area demo" in make(graph_project, "-n", "report").stdout
    make(graph_project, "ingest")
    fragment = (graph_project / "data/processed/.deps/demo.mk").read_text()
    assert f"data/raw/demo/police_uk/{held.name}/" in fragment  # the new files are inputs
    assert planned_sections(graph_project) == {
        "00_data_and_methods", "10_crime_overview", "20_anti_social_behaviour", "30_places",
        "40_vawg_domestic_abuse", "50_serious_violence", "60_hate_crime",
        "70_exploitation_drugs", "80_offending_reoffending", "85_public_perception",
        "90_priorities", "99_key_findings"}  # 80: the justice outcomes of police.uk crimes
    make(graph_project, "-t", INDEX)


def test_a_touched_mapping_reingests_and_rebuilds_only_the_page_listing_inputs(
        graph_project: Path) -> None:
    later(graph_project / "config" / "mappings" / "demo.yaml")
    assert "csp ingest --area demo" in make(graph_project, "-n", "report").stdout
    make(graph_project, "ingest")
    assert make(graph_project, "-q", "ingest", check=False).returncode == 0
    # the store's tables are unchanged: only the inventory of input files differs
    assert planned_sections(graph_project) == {"00_data_and_methods", "99_key_findings"}
    make(graph_project, "-t", INDEX)


def test_a_partner_asb_change_rebuilds_only_pages_reading_partner_asb(
        graph_project: Path) -> None:
    asb = graph_project / "data" / "raw" / "demo" / "partner" / "asb.csv"
    lines = asb.read_text(encoding="utf-8").splitlines(keepends=True)
    asb.write_text("".join(lines[:-1]), encoding="utf-8")
    make(graph_project, "ingest")
    assert planned_sections(graph_project) == {
        "00_data_and_methods", "20_anti_social_behaviour", "30_places", "99_key_findings"}
    make(graph_project, "-t", INDEX)


def test_a_module_change_rebuilds_only_pages_importing_it(graph_project: Path) -> None:
    later(graph_project / "src" / "analysis" / "sections" / "reoffending.py")
    assert planned_sections(graph_project) == {"80_offending_reoffending", "99_key_findings"}
    module = graph_project / "src" / "analysis" / "sections" / "perception.py"
    module.rename(graph_project / "perception.py")  # moved away: a change, not a make error
    try:
        assert "85_public_perception" in planned_sections(graph_project)
    finally:
        (graph_project / "perception.py").rename(module)
    later(graph_project / "src" / "analysis" / "present" / "page.py")  # every notebook imports it
    assert planned_sections(graph_project) == {n.stem for n in
                                               section_notebooks(graph_project)}
    make(graph_project, "-t", INDEX)


def test_an_edited_commentary_rebuilds_its_page_and_the_key_findings(
        graph_project: Path) -> None:
    later(graph_project / "config" / "narrative" / "demo" / "10_crime_overview.md")
    assert planned_sections(graph_project) == {"10_crime_overview", "99_key_findings"}
    later(graph_project / "config" / "plan" / "demo.yaml")
    assert planned_sections(graph_project) == {"10_crime_overview", "90_priorities",
                                               "99_key_findings"}
    make(graph_project, "-t", INDEX)


def test_a_notebook_change_rebuilds_its_page_and_the_key_findings(
        graph_project: Path) -> None:
    later(graph_project / "notebooks" / "10_crime_overview.ipynb")
    assert planned_sections(graph_project) == {"10_crime_overview", "99_key_findings"}
    # the same plan with one cold process per page (the benchmarks' baseline)
    assert planned_sections(graph_project, "WARM=0") == {"10_crime_overview",
                                                         "99_key_findings"}
    make(graph_project, "-t", INDEX)


def test_a_force_csp_builds_with_every_target(graph_project: Path) -> None:
    area = ["AREA=demoshire-ashby-fen", "PERIOD=2024-25"]
    make(graph_project, "data/processed/.deps/demoshire-ashby-fen.mk", *area)
    plan = make(graph_project, "-n", "report", *area).stdout
    assert "csp ingest --area demoshire-ashby-fen" in plan
    assert ("echo 10_crime_overview >> reports/demoshire-ashby-fen/2024-25/_staging/queue.txt"
            in plan)
    assert "csp build --area demoshire-ashby-fen --period 2024-25 --jobs 2 --queue" in plan
    assert "csp share --area demoshire-ashby-fen" in make(graph_project, "-n", "share",
                                                           *area).stdout
    assert "csp ingest --area demoshire-ashby-fen" in make(graph_project, "-n", "ingest",
                                                            *area).stdout


@pytest.mark.integration
def test_an_essex_csp_builds_with_every_target(graph_project: Path, real_data: Path) -> None:
    """A CSP of a real force (config/forces/essex.yaml, no area file) on the real data."""
    force = graph_project / "config" / "forces" / "essex.yaml"
    force.write_text(force.read_text().replace("../shared/", f"{real_data.parent.parent}/"))
    area = ["AREA=essex-basildon", "PERIOD=2022"]
    make(graph_project, "data/processed/.deps/essex-basildon.mk", *area)
    fragment = (graph_project / "data/processed/.deps/essex-basildon.mk").read_text()
    assert "config/forces/essex.yaml" in fragment
    assert f"{real_data}/police_uk/essex/2022-01/" in fragment
    plan = make(graph_project, "-n", "report", *area).stdout
    assert "csp ingest --area essex-basildon" in plan
    assert "echo 10_crime_overview >> reports/essex-basildon/2022/_staging/queue.txt" in plan
    assert "csp build --area essex-basildon --period 2022 --jobs 2 --queue" in plan
    assert "csp share --area essex-basildon --period 2022" in make(
        graph_project, "-n", "share", *area).stdout
