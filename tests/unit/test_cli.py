"""The csp command: problems an analyst can fix are short messages with a non-zero exit."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from analysis import cli
from analysis.core.files import canonical_period, report_dir

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


@pytest.mark.parametrize(("args", "says", "help_for"), [
    (("buidl",), "No such command 'buidl'. Did you mean 'build'?", "csp --help"),
    (("ingest", "--are", "demo"), "No such option: --are (Possible options: --area)",
     "csp ingest --help"),
    (("ingest", "--area", "demo", "extra"), "Got unexpected extra argument(s) (extra)",
     "csp ingest --help"),
    (("build", "--jobs", "many"), "Invalid value for '--jobs'", "csp build --help"),
])
def test_usage_errors_are_one_line_exit_2_no_traceback(args: tuple[str, ...], says: str,
                                                       help_for: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()  # one line, even in a 40-column terminal
    assert line.startswith("Error: ") and says in line and line.endswith(f"(see `{help_for}`)")
    assert "Traceback" not in result.stderr + result.stdout


def test_usage_error_with_debug_shows_the_traceback() -> None:
    result = run("buidl", "--debug")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_version_prints_the_package_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"csp {metadata.version('csp-analysis')}"


@pytest.mark.parametrize("area", ["../x.yaml", "/tmp/x"])
def test_path_as_area_is_refused_and_writes_nothing(area: str) -> None:
    before = sorted(p.relative_to(ROOT) for p in (ROOT / "reports").rglob("*"))
    result = run("build-index", "--area", area, "--period", "2024-25")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"'{area}' is not an area name" in result.stderr
    assert "pass the name, not a path" in result.stderr
    assert sorted(p.relative_to(ROOT) for p in (ROOT / "reports").rglob("*")) == before


def test_unexpected_failure_is_a_note_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(sys, "argv", ["csp", "ingest"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "unexpected ZeroDivisionError: 'division by zero'" in err
    assert "--debug" in err and "Traceback" not in err


def test_disk_full_is_a_message_naming_the_file(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/processed/demo/x.parquet")

    monkeypatch.setattr(cli, "app", full)
    monkeypatch.setattr(sys, "argv", ["csp", "ingest"])
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: /data/processed/demo/x.parquet: the disk is full")
    assert "free space on the disk" in err and "Traceback" not in err


@pytest.mark.parametrize(("given", "canonical"), [
    ("2024/25", "2024-25"), ("FY2024/25", "2024-25"), ("fy 2024-25", "2024-25"),
    ("2024-25", "2024-25"), ("2024", "2024"), ("r12-2025-03", "R12-2025-03"),
    ("2024-04..2024-09", "2024-04..2024-09"),
])
def test_a_period_has_one_folder_whatever_its_spelling(given: str, canonical: str) -> None:
    assert canonical_period(given) == canonical
    assert report_dir("demo", given, ROOT) == ROOT / "reports" / "demo" / canonical


def test_make_builds_the_canonical_folder_for_a_slashed_period() -> None:
    """Planned from scratch (-B), so the answer does not depend on what is built already."""
    planned = subprocess.run(["make", "-n", "-B", "report", "PERIOD=2024/25", "JOBS=1"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60, check=True).stdout
    assert "reports/demo/2024-25/index.html" in planned
    assert "--period 2024-25" in planned and "2024/25" not in planned
    batch = subprocess.run(["make", "-n", "reports", "FORCE=essex", "PERIOD=FY2024/25"],
                           cwd=ROOT, capture_output=True, text=True, timeout=60,
                           check=True).stdout
    assert "--period 2024-25" in batch


def test_verbose_logs_the_stages_on_stderr_and_keeps_the_message() -> None:
    quiet = run("share", "--area", "demo", "--period", "2001-02")
    verbose = run("-v", "share", "--area", "demo", "--period", "2001-02")

    assert "analysis." not in quiet.stderr  # without -v the library says nothing
    logged = [line for line in verbose.stderr.splitlines() if " analysis." in line]
    assert len(logged) == 1
    assert " INFO analysis.publish.share: partner pack for demo 2001-02: " in logged[0]
    assert [line for line in verbose.stderr.splitlines() if line not in logged] == \
        quiet.stderr.splitlines()  # the command's own output is unchanged
    assert verbose.returncode == quiet.returncode == 2


def test_log_levels_follow_the_count_of_v(capsys: pytest.CaptureFixture[str]) -> None:
    library = logging.getLogger("analysis")
    before = (library.level, list(library.handlers))
    try:
        cli.log_to_stderr(logging.INFO)
        logging.getLogger("analysis.store").debug("detail only with -vv")
        logging.getLogger("analysis.store").info("a stage")
        assert capsys.readouterr().err.endswith(" INFO analysis.store: a stage\n")
        cli.log_to_stderr(logging.DEBUG)
        logging.getLogger("analysis.publish.build").debug("detail")
        assert " DEBUG analysis.publish.build: detail\n" in capsys.readouterr().err
    finally:
        library.setLevel(before[0])
        library.handlers[:] = before[1]


def test_the_library_alone_prints_no_log_message() -> None:
    """Imported by a notebook or script, the package leaves logging to the application."""
    script = "import logging, analysis; logging.getLogger('analysis.store').warning('hidden')"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stderr == ""
