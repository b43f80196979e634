"""The csp command: problems an analyst can fix are short messages with a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CSP = Path(sys.executable).parent / "csp"
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    # A narrow terminal: messages must still never be broken mid-line.
    return subprocess.run([str(CSP), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "40"})


def test_unknown_area_is_a_message_not_a_traceback() -> None:
    result = run("ingest", "--area", "nowhere_at_all")
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error:") and "no configuration for area 'nowhere_at_all'" in first
    assert "demo" in result.stderr  # the known areas are listed
    assert "Traceback" not in result.stderr + result.stdout


def test_debug_shows_the_traceback() -> None:
    result = run("ingest", "--area", "nowhere", "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_unknown_section_names_the_known_ones() -> None:
    result = run("build-section", "15_nothing", "--area", "demo", "--period", "2024-25")
    assert result.returncode == 2 and "10_crime_overview" in result.stderr


def test_bad_period_says_what_is_expected() -> None:
    result = run("build-section", "10_crime_overview", "--area", "demo", "--period", "spring")
    assert result.returncode == 2 and "spring" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exit_code() -> None:
    result = run("fetch")
    assert result.returncode == 2 and "--month" in result.stderr + result.stdout
