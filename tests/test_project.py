"""Project contracts: notebooks without outputs, parameters cells, environment, no data in git."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from analysis.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# The confidentiality guard: no data file may be committed to the project's repository. Crime
# records, partner extracts and even published counts belong in ``data/`` (ignored by git) or
# outside the project. Only the versioned reference tables shipped with the package and small
# hand-made test fixtures may be tracked.
DATA_SUFFIXES = (".csv", ".tsv", ".parquet", ".gz", ".zip", ".rda", ".rds", ".xlsx", ".xls",
                 ".json", ".geojson", ".shp", ".duckdb", ".db", ".sqlite", ".sav", ".dta")
ALLOWED_FOLDERS = ("src/analysis/reference/", "src/analysis/templates/")
FIXTURE_FOLDER = "tests/"
FIXTURE_LIMIT_BYTES = 200_000


def tracked_files(repository: Path) -> list[str]:
    """Paths git tracks in ``repository`` (relative, '/'-separated)."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=repository, check=True,
                                 capture_output=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError("cannot list the files git tracks", file=repository,
                          hint="run inside a git checkout of the project") from exc
    return [name for name in listing.decode().split("\0") if name]


def tracked_data_files(repository: Path) -> list[str]:
    """Tracked files that look like data and are neither reference tables nor small fixtures."""
    offenders = []
    for name in tracked_files(repository):
        if not name.lower().endswith(DATA_SUFFIXES) or name.startswith(ALLOWED_FOLDERS):
            continue
        path = repository / name
        small_fixture = (name.startswith(FIXTURE_FOLDER) and path.is_file()
                         and path.stat().st_size <= FIXTURE_LIMIT_BYTES)
        if not small_fixture:
            offenders.append(name)
    return offenders


def test_there_are_section_notebooks() -> None:
    assert any(re.match(r"\d\d_", nb.name) for nb in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_without_outputs(notebook: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    dirty = [i for i, c in enumerate(cells)
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them before committing"


MAX_NOTEBOOK_CODE_LINES = 60
"""A notebook loads, calls section helpers, shows and explains: logic lives in src/analysis."""


def code_lines(notebook: Path) -> int:
    """Lines of code in a notebook's code cells, blank and comment-only lines not counted."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum(1 for cell in cells if cell["cell_type"] == "code"
               for line in "".join(cell["source"]).splitlines()
               if line.strip() and not line.strip().startswith("#"))


def test_code_lines_counts_code_only(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "code", "source": "# a comment\nx = 1\n\n    y = 2  # trailing\n"},
        {"cell_type": "markdown", "source": "prose\nmore prose"}]}), encoding="utf-8")
    assert code_lines(notebook) == 2


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin(notebook: Path) -> None:
    lines = code_lines(notebook)
    assert lines <= MAX_NOTEBOOK_CODE_LINES, (
        f"{notebook.name} has {lines} code lines (at most {MAX_NOTEBOOK_CODE_LINES}): move "
        "the logic into its section module in src/analysis/sections/ and test it there")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_standard_parameters_and_title(notebook: Path) -> None:
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    assert {"area", "period", "output_dir"} <= set(declared)
    # Empty: run by hand, Section.open uses the working area (the demo unless one is set)
    # and writes to reports/_lab/ (tests/unit/test_lab.py).
    assert [declared[name]["default"] for name in ("area", "period", "output_dir")] == [
        '""', '""', '""']
    metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    assert metadata.get("title"), "set metadata.title: it becomes the page title"
    assert metadata["kernelspec"]["name"] == "python3"


def test_environment_yml_mirrors_pyproject_and_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = environment["dependencies"]
    assert "python=3.11" in deps and project["requires-python"].startswith(">=3.11")
    pip_lines = next(d for d in deps if isinstance(d, dict))["pip"]
    assert "-r requirements.lock" in pip_lines and "-e ." in pip_lines
    locked = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith(" ")
    }
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    names = {re.split(r"[<>=\[ ]", d)[0].lower().replace("_", "-") for d in declared}
    assert names <= locked, f"not pinned in requirements.lock: {sorted(names - locked)}"


def test_no_data_file_is_tracked_by_git() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    offenders = tracked_data_files(ROOT)
    assert not offenders, f"data files must not be committed: {offenders}"


def test_guard_catches_a_planted_data_file(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "src" / "analysis" / "reference").mkdir(parents=True)
    (tmp_path / "src" / "analysis" / "reference" / "weights.csv").write_text("a,b\n1,2\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "tiny.csv").write_text("a\n1\n")
    (tmp_path / "tests" / "huge.csv").write_text("a\n" + "1\n" * 150_000)
    (tmp_path / "crimes.csv").write_text("Crime ID,Month\nabc,2024-01\n")
    (tmp_path / "export.xlsx").write_bytes(b"PK")
    git("add", "-A")
    assert sorted(tracked_data_files(tmp_path)) == ["crimes.csv", "export.xlsx", "tests/huge.csv"]


def test_readme_leads_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.index("make report") < readme.index("make test")
    assert "make lab" in readme


def test_make_help_lists_every_target() -> None:
    makefile = (ROOT / "Makefile").read_text()
    documented = set(re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.M))
    assert {"env", "demo-data", "report", "test", "lint", "lab", "clean", "help"} <= documented
    assert ".DELETE_ON_ERROR:" in makefile


def test_every_test_folder_is_collected() -> None:
    """pytest's default discovery skips folders named 'build': ours must not be skipped."""
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    skipped = settings["ini_options"]["norecursedirs"]
    folders = {p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert not folders & set(skipped) and "build" not in skipped


def test_test_modules_have_unique_names() -> None:
    """pytest imports test modules by basename (no packages under tests/): two files of one
    name in different folders stop the whole run at collection."""
    names = [path.name for path in (ROOT / "tests").rglob("test_*.py")]
    assert sorted({name for name in names if names.count(name) > 1}) == []
