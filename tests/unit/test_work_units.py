"""The build's units of work: the right nodes and edges, an order, commands the CLI accepts."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from analysis.cli import app
from analysis.core.files import SUMMARY_SECTION
from analysis.demo.world import DEMO_CSPS, FORCE_CODE
from analysis.publish.work_units import WorkUnit, build_units, topological_order

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ["10_crime_overview", "20_hotspots", SUMMARY_SECTION]


def _edges(units: list[WorkUnit]) -> set[tuple[str, str]]:
    return {(before, unit.id) for unit in units for before in unit.after}


def test_a_force_graph_mirrors_the_batch() -> None:
    units = build_units({"f-a": "2024-25", "f-b": "2024-25"}, "f", "config/forces/f.yaml",
                        SECTIONS, ("f", "2024-25"))
    ids = [u.id for u in units]
    assert ids == ["ingest/f", "f-a/10_crime_overview", "f-a/20_hotspots",
                   f"f-a/{SUMMARY_SECTION}", "f-a/index", "f-b/10_crime_overview",
                   "f-b/20_hotspots", f"f-b/{SUMMARY_SECTION}", "f-b/index", "f/overview"]
    edges = _edges(units)
    for area in ("f-a", "f-b"):
        for section in SECTIONS:
            assert ("ingest/f", f"{area}/{section}") in edges
            assert (f"{area}/{section}", f"{area}/index") in edges
        assert (f"{area}/10_crime_overview", f"{area}/{SUMMARY_SECTION}") in edges
        assert (f"{area}/index", "f/overview") in edges
    # no unit of one area waits for another area's section
    assert not any(a.split("/")[0] != b.split("/")[0] for a, b in edges
                   if not a.startswith("ingest/") and not b.endswith("/overview"))
    assert len(edges) == 2 * (3 + 2 + 3 + 1)
    order = [u.id for u in topological_order(units)]
    assert all(order.index(a) < order.index(b) for a, b in edges)


def test_a_summary_alone_waits_only_for_the_ingest() -> None:
    units = build_units({"a": "2024"}, "a", "config/areas/a.yaml", [SUMMARY_SECTION])
    assert units[1].after == ("ingest/a",)


def test_an_unknown_dependency_is_refused() -> None:
    with pytest.raises(KeyError, match="unknown unit"):
        topological_order([WorkUnit("a", ("csp",), (), ("b",))])


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """config/, notebooks/ and the demo's LAD -> CSP lookup (a force's CSPs come from it)."""
    root = tmp_path_factory.mktemp("units")
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    lookups = root / "data" / "raw" / "demo" / "lookups"
    lookups.mkdir(parents=True)
    rows = [f"{c.lad_code},{c.name},{c.csp_code},{c.name},{FORCE_CODE},Demoshire"
            for c in DEMO_CSPS]
    (lookups / "lad_csp_pfa.csv").write_text(
        "LAD19CD,LAD19NM,CSP19CD,CSP19NM,PFA19CD,PFA19NM\n" + "\n".join(rows) + "\n",
        encoding="utf-8")
    return root


def test_the_demo_force_units_run_as_cli_commands(demo_root: Path) -> None:
    result = CliRunner().invoke(app, ["units", "--force", "demoshire"],
                                env={"CSP_PROJECT_ROOT": str(demo_root)})
    assert result.exit_code == 0, result.output
    units = json.loads(result.stdout)
    sections = sorted(p.stem for p in (demo_root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    areas = {u["id"].split("/")[0] for u in units if u["id"].endswith("/index")}
    assert len(areas) == 4 and all(a.startswith("demoshire-") for a in areas)
    assert len(units) == 1 + len(areas) * (len(sections) + 1) + 1
    seen: set[str] = set()
    command = typer.main.get_command(app)
    for unit in units:  # in topological order, each accepted by the CLI
        assert set(unit["after"]) <= seen
        seen.add(unit["id"])
        assert unit["command"][0] == "csp"
        name, *args = unit["command"][1:]
        parent = command.make_context("csp", [name, *args])
        subcommand = command.get_command(parent, name)  # type: ignore[attr-defined]
        assert subcommand is not None, name
        subcommand.make_context(name, args, parent=parent)


def test_the_make_form_runs_in_dependency_order(demo_root: Path) -> None:
    result = CliRunner().invoke(app, ["units", "--area", "demo", "--format", "make"],
                                env={"CSP_PROJECT_ROOT": str(demo_root)})
    assert result.exit_code == 0, result.output
    makefile = demo_root / "units.mk"
    makefile.write_text(result.stdout, encoding="utf-8")
    dry = subprocess.run(["make", "--no-print-directory", "-n", "-f", str(makefile)],
                         capture_output=True, text=True,
                         check=True, cwd=demo_root).stdout.splitlines()
    assert dry[0] == "csp ingest --area demo"
    assert dry[-2].endswith(SUMMARY_SECTION) and dry[-1].startswith("csp build-index")
