"""A build killed part-way, or started twice, never damages the published report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.core.errors import BuildError
from analysis.core.files import report_dir
from analysis.core.locks import exclusive
from analysis.publish.build import STAGING_DIR, build_section

pytestmark = pytest.mark.build
SECTION = "10_crime_overview"
CSP = Path(sys.executable).parent / "csp"


def _published(out: Path) -> dict[str, bytes]:
    """Every published file of the report (staging excluded), with its bytes."""
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and STAGING_DIR not in p.parts}


def test_killed_build_leaves_previous_report_identical(demo_project: Path) -> None:
    out = report_dir("demo", "2024-25", demo_project)
    build_section("demo", "2024-25", SECTION, demo_project)
    before = _published(out)
    started = subprocess.Popen(
        [str(CSP), "build-section", SECTION, "--area", "demo", "--period", "2024-25"],
        env={**os.environ, "CSP_PROJECT_ROOT": str(demo_project)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    running = out / STAGING_DIR / SECTION / "_executed" / f"{SECTION}.ipynb"
    deadline = time.monotonic() + 60
    while not running.exists() and time.monotonic() < deadline and started.poll() is None:
        time.sleep(0.05)
    assert started.poll() is None, "the build finished before it could be interrupted"
    os.killpg(started.pid, signal.SIGKILL)  # the build and its kernel, mid-notebook
    started.wait(timeout=30)
    assert _published(out) == before
    page = (out / f"{SECTION}.html").read_text()
    assert page.rstrip().endswith("</html>")


def test_second_build_of_the_same_section_is_refused(demo_project: Path) -> None:
    out = report_dir("demo", "2024-25", demo_project)
    with exclusive(out / STAGING_DIR / f".{SECTION}.lock", "a test holding the lock"), \
            pytest.raises(BuildError, match="already running"):
        build_section("demo", "2024-25", SECTION, demo_project)
