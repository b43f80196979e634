"""The build log beside every report, and the kernel's stderr kept off the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from analysis.core.files import section_notebooks
from analysis.publish.build import execute_section
from analysis.publish.build_log import BUILD_LOG, kernel_messages

pytestmark = pytest.mark.build
ROOT = Path(__file__).resolve().parents[2]


def test_build_log_lists_every_section_with_its_timing(built_demo_report: Path) -> None:
    log = (built_demo_report / BUILD_LOG).read_text(encoding="utf-8")
    assert log.startswith("Build log: demo 2024-25\n")
    for notebook in section_notebooks(ROOT):
        assert re.search(rf"^  \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d UTC  {notebook.stem}: built in "
                         r"\d+\.\d s$", log, re.MULTILINE), f"{notebook.stem} not in {log}"
    ingest = log[log.index("Ingest check"):log.index("Sections")]
    assert "store data/processed/demo" in ingest and "2024/25: 12 of 12 months held." in ingest
    assert "warning" not in ingest  # the demo holds every month of both periods
    assert re.search(r"^Index\n  .* written in \d+\.\d s$", log, re.MULTILINE)
    assert "KeyboardInterrupt" not in log and str(built_demo_report.parents[2]) not in log


def test_kernel_stderr_goes_to_its_log_not_the_terminal(tmp_path: Path,
                                                        capfd: pytest.CaptureFixture[str]
                                                        ) -> None:
    notebook = tmp_path / "noisy.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os\n"
        "os.write(2, b'[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.\\n')\n"
        "os.write(2, b'kernel says something\\n')")]), notebook)
    log = tmp_path / "kernel.log"
    execute_section(notebook, {}, tmp_path / "out.ipynb", tmp_path, log)
    assert "kernel says something" in log.read_text()  # the kernel process's own stderr
    assert kernel_messages(log) == ["kernel says something"]  # the shutdown noise left out
    printed = capfd.readouterr()
    assert "ERROR" not in printed.err + printed.out and "kernel says" not in printed.err
