"""The build log, ``reports/<area>/<period>/build.log``: what each step of a build did.

Sections run in separate processes (one ``csp build-section`` per page under make, a process
pool under ``csp build``), so each section writes its own record, ``_build/<section>.log``,
when it is published, beside its timing record. :func:`write_build_log` (run by the index
step) gathers them with the ingest check and the index step into ``build.log``, written
through a temporary file like every other report file. A failed section publishes no record,
so the log, like the pages, describes the report as it stands.

A section's record holds its timing, the warnings its cells printed (which the page leaves
out) and what the kernel process itself wrote to stderr, apart from the one line every
shutdown can print: jupyter_client interrupts the kernel before asking it to stop, and a
kernel still answering a request logs ``KeyboardInterrupt caught in kernel`` at ERROR level.
That line says nothing about the section, so it never reaches the terminal or the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core.files import TIMINGS_DIR, atomic_write, reading_order

if TYPE_CHECKING:  # the index step writes the log without loading nbformat
    import nbformat

BUILD_LOG = "build.log"
KERNEL_LOG = "kernel.log"  # the kernel's own stderr, kept in the section's staging folder
SECTION_LOG_SUFFIX = ".log"  # not .json: the manifest gathers _build/*.json
SHUTDOWN_NOISE = re.compile(r"KeyboardInterrupt caught in kernel")
"""The kernel's log line when jupyter_client's shutdown interrupt lands during a request."""


def utc_now() -> str:
    """The time of a step as the log writes it: UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def kernel_messages(path: Path) -> list[str]:
    """The non-blank lines the kernel wrote to stderr, without the shutdown noise."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if line.strip() and not SHUTDOWN_NOISE.search(line)]


def notebook_warnings(notebook: nbformat.NotebookNode) -> list[str]:
    """Each non-blank stderr line the notebook's cells printed (warnings), with its cell.

    The page drops these streams (they are for the analyst, not partners); the log keeps them.
    """
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found += [f"cell {number}: {line.strip()}"
                          for line in str(output.get("text", "")).splitlines() if line.strip()]
    return found


def section_record(section: str, started: str, seconds: float,
                   warnings: Iterable[str], kernel: Iterable[str]) -> str:
    """A section's entry in the build log: when it started, how long it took, what it warned."""
    lines = [f"{started}  {section}: built in {seconds:.1f} s"]
    lines += [f"    warning: {line}" for line in warnings]
    lines += [f"    kernel: {line}" for line in kernel]
    return "\n".join(lines) + "\n"


def write_section_record(out: Path, section: str, record: str) -> None:
    """Publish a section's record as ``_build/<section>.log`` (called once it succeeded)."""
    atomic_write(out / TIMINGS_DIR / f"{section}{SECTION_LOG_SUFFIX}", record)


def write_build_log(out: Path, title: str, ingest_check: list[str], sections: list[str],
                    index_step: str) -> Path:
    """Write ``build.log``: the title, the ingest check, each section's record in the order
    the sections started (a section built before records existed says so, first), then the
    index step."""
    untimed, timed = [], []
    for section in reading_order(sections):
        path = out / TIMINGS_DIR / f"{section}{SECTION_LOG_SUFFIX}"
        if path.is_file():  # a record starts with its time, so text order is time order
            timed.append(path.read_text(encoding="utf-8"))
        else:
            untimed.append(f"{section}: built, no record (built before build logs existed)\n")
    records = ["".join(f"  {line}" for line in record.splitlines(keepends=True))
               for record in untimed + sorted(timed)]
    text = "\n".join([
        f"Build log: {title}",
        "Each step with the time it started (UTC) and how long it took; warnings are indented "
        "under their step.",
        "",
        "Ingest check",
        *(f"  {line}" for line in ingest_check),
        "",
        "Sections",
        "".join(records).rstrip("\n"),
        "",
        "Index",
        f"  {index_step}",
        "",
    ])
    path = out / BUILD_LOG
    atomic_write(path, text)
    return path
