"""One throwaway demo project shared by every build test (generated and ingested once).

It holds the real notebooks and configs and 36 months of demo data (April 2022 to March 2025:
the 2024/25 assessment with its full three-year trend window), so each section's test only
runs its own notebook.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from analysis.config import load_area
from analysis.demo import DemoSpec, generate
from analysis.pipeline import ingest_area

ROOT = Path(__file__).resolve().parents[2]
DEMO_MONTHS = 36
DEMO_FIRST_MONTH = date(2022, 4, 1)


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Project root with config/, notebooks/ and an ingested 36-month demo store."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "config", root / "config")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    generate(root / "data" / "raw" / "demo",
             DemoSpec(first_month=DEMO_FIRST_MONTH, n_months=DEMO_MONTHS))
    ingest_area(load_area("demo", root), root)
    return root


@pytest.fixture(scope="session")
def built_demo_report(demo_project: Path) -> Path:
    """Every section of the demo built (executive summary last) and the index written."""
    from analysis.build import build_areas
    from analysis.layout import report_dir

    build_areas(["demo"], "2024-25", root=demo_project)
    return report_dir("demo", "2024-25", demo_project)
