"""The build log's records and the batch progress lines, on hand-made steps."""

from __future__ import annotations

import io
from pathlib import Path

import nbformat
from rich.console import Console

from analysis.publish.build import INDEX_STEP, StepDone
from analysis.publish.build_log import (
    BUILD_LOG,
    kernel_messages,
    notebook_warnings,
    section_record,
    write_build_log,
    write_section_record,
)
from analysis.publish.progress import BatchProgress


def test_notebook_warnings_are_the_cells_stderr_lines() -> None:
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("prose"),
        nbformat.v4.new_code_cell("x", outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
            nbformat.v4.new_output("stream", name="stderr", text="UserWarning: few rows\n\n")]),
    ])
    assert notebook_warnings(notebook) == ["cell 1: UserWarning: few rows"]


def test_kernel_messages_leave_out_the_shutdown_interrupt(tmp_path: Path) -> None:
    log = tmp_path / "kernel.log"
    log.write_text("[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.\n\n"
                   "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel\n"
                   "Traceback: something real\n")
    assert kernel_messages(log) == ["Traceback: something real"]
    assert kernel_messages(tmp_path / "absent.log") == []


def test_build_log_lists_sections_in_the_order_they_started(tmp_path: Path) -> None:
    write_section_record(tmp_path, "20_b", section_record(
        "20_b", "2025-01-01 10:00:05 UTC", 3.25, ["cell 2: a warning"], []))
    write_section_record(tmp_path, "10_a", section_record(
        "10_a", "2025-01-01 10:00:09 UTC", 1.0, [], ["kernel line"]))
    write_build_log(tmp_path, "demo 2024-25", ["store data/processed/demo"],
                    ["10_a", "20_b", "30_old"], "2025-01-01 10:01:00 UTC  index written in 0.5 s")
    assert (tmp_path / BUILD_LOG).read_text().splitlines() == [
        "Build log: demo 2024-25",
        "Each step with the time it started (UTC) and how long it took; warnings are indented "
        "under their step.",
        "",
        "Ingest check",
        "  store data/processed/demo",
        "",
        "Sections",
        "  30_old: built, no record (built before build logs existed)",
        "  2025-01-01 10:00:05 UTC  20_b: built in 3.2 s",
        "      warning: cell 2: a warning",
        "  2025-01-01 10:00:09 UTC  10_a: built in 1.0 s",
        "      kernel: kernel line",
        "",
        "Index",
        "  2025-01-01 10:01:00 UTC  index written in 0.5 s",
    ]


def test_progress_lines_count_sections_csps_and_failures() -> None:
    printed = io.StringIO()
    console = Console(file=printed, width=200, force_terminal=False)
    with BatchProgress(console, ["a", "b"], sections_per_area=2) as progress:
        year = "2024-25"
        for step in (StepDone("a", year, "10_x", 2.0, Path("a.html")),
                     StepDone("b", year, "10_x", 1.5,
                              error="b 10_x: cell 3 failed\nhow to fix: ..."),
                     StepDone("a", year, "99_key_findings", 1.0, Path("k.html")),
                     StepDone("a", year, INDEX_STEP, 0.2, Path("reports/a/2024-25/index.html")),
                     StepDone("b", year, "99_key_findings", 1.0, Path("k.html"))):
            progress.step_done(step)
    lines = [line.split("] ", 1) for line in printed.getvalue().splitlines()]
    assert [(where.split(" ", 1)[1], what) for where, what in lines[:5]] == [
        ("sections 1/4, CSPs 0/2", "a 10_x: built in 2.0 s"),
        ("sections 2/4, CSPs 0/2, 1 failed", "b 10_x: failed after 1.5 s: b 10_x: cell 3 failed"),
        ("sections 3/4, CSPs 0/2, 1 failed", "a 99_key_findings: built in 1.0 s"),
        ("sections 3/4, CSPs 1/2, 1 failed", "a: Report: reports/a/2024-25/index.html"),
        ("sections 4/4, CSPs 1/2, 1 failed", "b 99_key_findings: built in 1.0 s"),
    ]
    assert lines[5][0].startswith("Done: sections 4/4, CSPs 1/2, 1 failed in 0:0")
