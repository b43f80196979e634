"""Every CSP of a force from one ingest: the demo force's four partnerships, in parallel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.config import load_force
from analysis.core.files import report_dir
from analysis.inputs.areas import force_csps, load_area
from analysis.store import query

pytestmark = pytest.mark.build
SECTION = "10_crime_overview"
CSP = Path(sys.executable).parent / "csp"


def test_areas_derived_from_codes_alone(demo_project: Path) -> None:
    areas = force_csps(load_force("demoshire", demo_project), demo_project)
    assert list(areas) == ["demoshire-kingsmere", "demoshire-ashby-fen",  # by CSP code
                           "demoshire-holloway-downs", "demoshire-brackenford"]
    kingsmere = load_area("demoshire-kingsmere", demo_project)
    assert (kingsmere.csp_code, kingsmere.lad_codes) == ("E22900001", ["E06900001"])
    assert kingsmere.sources.partner is None  # partner extracts are not shared by a force


def test_all_csps_build_from_one_store(demo_project: Path) -> None:
    """Run as `make reports FORCE=demoshire` runs it: `csp build --force`, output piped."""
    areas = list(force_csps(load_force("demoshire", demo_project), demo_project))
    run = subprocess.run(
        [str(CSP), "build", "--force", "demoshire", "--period", "2024-25", "--sections", SECTION,
         "--jobs", "2"],
        env={**os.environ, "CSP_PROJECT_ROOT": str(demo_project)},
        capture_output=True, text=True, timeout=900, check=False)
    printed = (run.stdout + run.stderr).splitlines()
    assert run.returncode == 0, run.stderr
    assert not [line for line in printed if "ERROR" in line or "IPKernelApp" in line]
    # One line per step as it finishes, each with the batch's counts so far.
    built = [line for line in printed if f" {SECTION}: built in " in line]
    assert sorted(line.split()[-6] for line in built) == sorted(areas)
    assert [line.split(",")[0].split()[-1] for line in built] == ["1/4", "2/4", "3/4", "4/4"]
    reports = [Path(line.split("Report: ")[1]) for line in printed if "Report: " in line]
    assert sorted(p.parent.parent.name for p in reports) == sorted(areas)
    assert printed[-2].startswith("Done: sections 4/4, CSPs 4/4 in ")
    for area in areas:
        log = (report_dir(area, "2024-25", demo_project) / "build.log").read_text()
        assert f"UTC  {SECTION}: built in " in log and "Ingest check" in log
    assert [p.name for p in (demo_project / "data" / "processed").iterdir()
            if p.name.startswith("demoshire")] == ["demoshire"]  # one ingest for all four
    folder = demo_project / "data" / "processed" / "demoshire"
    for area in areas:
        config = load_area(area, demo_project)
        table = pd.read_csv(report_dir(area, "2024-25", demo_project) / "tables"
                            / f"{SECTION}__crime_type_change.csv").set_index("Crime type")
        counts = query.monthly_counts(folder, where="csp_code = $c AND NOT is_asb",
                                      params={"c": config.csp_code})
        in_period = pd.to_datetime(counts["month"]).between("2024-04-01", "2025-03-01")
        assert table.loc["All crime", "2024/25"] == counts.loc[in_period, "count"].sum()
    assert printed[-1] == f"Force overview: {demo_project}/reports/demoshire/2024-25/index.html"
    _check_force_overview(areas, demo_project)


def _check_force_overview(areas: list[str], root: Path) -> None:
    """The overview has a row per CSP linking to its assessment, with the rate, interval and
    rank its own page shows; sections not built are dashes, with a note."""
    index = root / "reports" / "demoshire" / "2024-25" / "index.html"
    page = index.read_text()
    for area in areas:
        link = f"../../{area}/2024-25/index.html"
        assert f'href="{link}"' in page and (index.parent / link).resolve().is_file()
    overview = pd.read_csv(index.parent / "force_overview.csv").set_index("Partnership")
    rates = pd.read_csv(report_dir(areas[0], "2024-25", root) / "tables"
                        / f"{SECTION}__crime_rates.csv").set_index("Area")
    csps = rates.drop(index="Demoshire Police")
    ranked = csps.iloc[:, 2].rank(ascending=False, method="min").astype(int)
    for name, row in csps.iterrows():
        shown = overview.loc[load_area(next(a for a in areas if load_area(a, root).csp_name
                                            == name), root).csp_name]
        assert shown["Crimes"] == f"{row['Crimes']:,}"
        assert shown["Crimes per 1,000 (95 % interval)"] == (
            f"{row.iloc[2]:.1f} ({row['95 % interval']})")
        assert shown["Rank by crime rate (1 = highest)"] == f"{ranked[name]} of {len(csps)}"
        assert shown["ASB incidents"] == "–" and shown["Top three priorities"] == "–"
    assert "ASB and priorities not built" in page
