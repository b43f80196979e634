"""Run section notebooks with papermill and publish them as self-contained HTML.

The build never computes a figure: it runs each parameterised notebook (explicit ``python3``
kernel, parameters checked against what the notebook declares, ``MPLBACKEND=agg``, a timeout,
the project root as working folder), exports it with input hidden and images embedded through
an offline template; :mod:`analysis.publish.index_page` then writes the index page and
``manifest.json``. Every output is written to a temporary file first and moved into place, so a
failed run leaves the previous report as it was.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import nbformat
import papermill
from nbconvert import HTMLExporter

from analysis.core.config import area_config_path, project_root
from analysis.core.errors import AnalysisError, BuildError, ConfigError
from analysis.core.files import (
    SUMMARY_SECTION,
    TEMPLATE_DIR,
    TEMPLATE_NAME,
    TIMINGS_DIR,
    atomic_write,
    report_dir,
    section_notebooks,
    strict_json,
)
from analysis.core.locks import exclusive
from analysis.core.periods import Period
from analysis.core.safe_text import escape_html
from analysis.inputs.areas import load_area
from analysis.publish.build_log import (
    KERNEL_LOG,
    kernel_messages,
    notebook_warnings,
    section_record,
    utc_now,
    write_section_record,
)
from analysis.publish.index_page import build_index
from analysis.publish.kernel_sockets import LocalSocketKernelManager
from analysis.publish.warm_kernels import (
    close_zygotes,
    warm_kernel_manager,
    warm_kernels_enabled,
)

logger = logging.getLogger(__name__)

KERNEL_NAME = "python3"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
"""The kernel logs errors only: it listens on localhost for one section's run, and its warning
that TCP is unencrypted would otherwise print in the progress display for every section."""
EXECUTION_TIMEOUT_SECONDS = 1200
EXECUTED_DIR = "_executed"  # executed notebooks kept for debugging a section
STAGING_DIR = "_staging"  # a running section writes here; published only if it succeeds


def section_parameters(area: str, period: str, output_dir: Path,
                       extra: Mapping[str, object] | None = None) -> dict[str, object]:
    """The parameters a section notebook receives: area, period, output folder, then the
    area config's ``section_parameters`` for that section (``extra``; the config refuses any
    that would override the first three)."""
    return {"area": area, "period": period, "output_dir": str(output_dir), **(extra or {})}


def check_parameters(notebook: Path, parameters: dict[str, object]) -> None:
    """Fail if a parameter is not declared in the notebook's ``parameters`` cell.

    Papermill only warns about unknown parameters; a misspelt one would silently leave the
    notebook's default in place and produce a report for the wrong area or period.
    """
    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise BuildError("the notebook has no cell tagged 'parameters'", file=notebook,
                         hint="tag the first code cell 'parameters' in JupyterLab")
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ConfigError(
            f"unknown parameter(s): {', '.join(unknown)}",
            file=notebook,
            expected=f"one of: {', '.join(sorted(declared))}",
        )


@contextmanager
def _kernel_environment(root: Path) -> Iterator[None]:
    """Variables the kernel inherits while a section runs, restored afterwards.

    ``MPLBACKEND=agg``: no GUI and the same images everywhere; ``CSP_PROJECT_ROOT``: helpers
    resolve paths from the project being built, whatever the kernel's working folder.
    """
    wanted = {"MPLBACKEND": "agg", "CSP_PROJECT_ROOT": str(root)}
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def kernel_manager_writing_stderr_to(log: TextIO) -> type[LocalSocketKernelManager]:
    """A kernel manager class whose kernels write their stderr to ``log``, not the terminal.

    The kernel process inherits the build's stderr otherwise, and its own log lines (the
    shutdown's ``KeyboardInterrupt caught in kernel``, see :mod:`analysis.publish.build_log`)
    would land in the progress display. ``_async_launch_kernel`` is jupyter_client's
    documented place to launch kernels differently; the cells' own output is unaffected.
    """

    class KernelManagerWritingStderr(LocalSocketKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            await super()._async_launch_kernel(kernel_cmd, **{**kw, "stderr": log})

    return KernelManagerWritingStderr


def execute_section(notebook: Path, parameters: Mapping[str, object], executed: Path,
                    root: Path, kernel_log: Path, *, warm: bool = False) -> None:
    """Execute ``notebook`` into ``executed``, the kernel's stderr into ``kernel_log``; a
    failing cell raises :class:`BuildError`.

    ``warm``: the kernel is forked from this process's pre-imported zygote
    (:mod:`analysis.publish.warm_kernels`), which pays off when one process builds several
    sections; otherwise a cold kernel starts, importing only what this notebook needs.
    """
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _kernel_environment(root), kernel_log.open("w", encoding="utf-8") as log:
            manager = (warm_kernel_manager(root, kernel_log) if warm
                       else kernel_manager_writing_stderr_to(log))
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters=dict(parameters),
                kernel_name=KERNEL_NAME,
                cwd=str(root),
                execution_timeout=EXECUTION_TIMEOUT_SECONDS,
                progress_bar=False,
                request_save_on_cell_execute=False,
                extra_arguments=KERNEL_ARGUMENTS,
                kernel_manager_class=manager,
            )
    except papermill.PapermillExecutionError as exc:
        raise BuildError(
            f"cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}",
            file=notebook,
            hint=f"open {executed} in JupyterLab to see the failing cell and its traceback "
                 f"({kernel_log.name} beside it holds what the kernel wrote to stderr)",
        ) from exc


def _prepared_for_sharing(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop warning streams and number the cells, so the page is clean and reproducible.

    Warnings are for the analyst's log, not the partners' page. Papermill gives its injected
    parameters cell a random id, which would otherwise make every rebuild differ.
    """
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.name == "stderr")]
    return notebook


def _shows_nothing(cell: nbformat.NotebookNode) -> bool:
    """Whether a code cell's outputs leave nothing on the page (stderr is already dropped)."""
    return cell.cell_type == "code" and not cell.outputs


def without_empty_headings(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the markdown (heading and method text) written for a table or chart that this
    area's data cannot give: the markdown cell straight before a code cell that showed
    nothing (a section hands its notebook no item when the data is missing, and says once,
    in its own note, what data would add it). Every notebook gives each item one markdown
    cell before it, so text standing alone (markdown followed by markdown) stays.
    """
    kept: list[nbformat.NotebookNode] = []
    for cell in notebook.cells:
        if _shows_nothing(cell) and kept and kept[-1].cell_type == "markdown":
            kept.pop()
        kept.append(cell)
    notebook.cells = kept
    return notebook


@functools.cache
def _html_exporter() -> HTMLExporter:
    """The page exporter: no input, images embedded, the offline template.

    One per process: loading and compiling the template's Jinja files takes about 0.4 s,
    which a batch worker would otherwise pay again for every section. The exporter keeps no
    state from one notebook to the next (each export gets its own resources).
    """
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_filter("page_text", escape_html)  # the template's escaper (alt text)
    return exporter


def export_html(executed: Path, html_path: Path) -> None:
    """Export an executed notebook as one offline HTML file: no input, images embedded."""
    notebook = without_empty_headings(_prepared_for_sharing(nbformat.read(executed,
                                                                          as_version=4)))
    body, _ = _html_exporter().from_notebook_node(notebook)
    atomic_write(html_path, body)


def build_section(area: str, period: str, section: str, root: Path | None = None, *,
                  warm: bool = False) -> Path:
    """Run one section for an area and period; returns the published HTML page.

    ``warm``: run it in a kernel forked from this process's warm zygote (a batch builds many
    sections in one process); a single section on its own starts a cold kernel.
    """
    root = root or project_root()
    config = load_area(area, root)  # fail early, with the config's own message
    Period.parse(period)
    notebook = root / "notebooks" / f"{section}.ipynb"
    known = [p.stem for p in section_notebooks(root)]
    if not notebook.is_file():
        raise ConfigError(f"no section '{section}'", file=notebook, expected=", ".join(known))
    unknown = sorted(set(config.section_parameters) - set(known))
    if unknown:
        raise ConfigError(f"section_parameters names no section '{unknown[0]}'",
                          file=area_config_path(area, root), column="section_parameters",
                          expected=", ".join(known))
    out = report_dir(area, period, root)
    with exclusive(out / STAGING_DIR / f".{section}.lock",
                   f"the build of {section} for {area} {period}"):
        return _build_section_locked(area, period, notebook, out, root,
                                     config.section_parameters.get(section, {}), warm)


def _build_section_locked(area: str, period: str, notebook: Path, out: Path,
                          root: Path, extra: Mapping[str, object], warm: bool) -> Path:
    """Run one section into its staging folder and publish it only if everything succeeded.

    The executed notebook, tables and key figures are written in staging; the page is
    written through a temporary file. A run that fails or is killed part-way leaves every
    published file of the report as it was.
    """
    section = notebook.stem
    staging = out / STAGING_DIR / section
    shutil.rmtree(staging, ignore_errors=True)
    parameters = section_parameters(area, period, staging, extra)
    check_parameters(notebook, parameters)
    started = time.perf_counter()
    started_at = utc_now()
    logger.info("%s (%s %s): started", section, area, period)
    executed = staging / EXECUTED_DIR / notebook.name
    kernel_log = staging / EXECUTED_DIR / KERNEL_LOG
    execute_section(notebook, parameters, executed, root, kernel_log, warm=warm)
    html_path = out / f"{section}.html"
    logger.debug("%s: notebook run in %.1f s, exporting %s", section,
                 time.perf_counter() - started, html_path.name)
    export_html(executed, html_path)
    warned = notebook_warnings(nbformat.read(executed, as_version=4))
    kernel = kernel_messages(kernel_log)
    (out / EXECUTED_DIR).mkdir(parents=True, exist_ok=True)
    os.replace(executed, out / EXECUTED_DIR / notebook.name)
    _publish_outputs(section, staging, out)
    # The output folder is recorded relative to the project: the manifest goes into the
    # partner pack, and an absolute path would show the analyst's folders.
    seconds = round(time.perf_counter() - started, 2)
    timing = {"section": section, "seconds": seconds,
              "parameters": section_parameters(area, period, out.relative_to(root), extra)}
    atomic_write(out / TIMINGS_DIR / f"{section}.json", strict_json(timing))
    write_section_record(out, section,
                         section_record(section, started_at, seconds, warned, kernel))
    logger.info("%s (%s %s): finished in %.1f s", section, area, period, seconds)
    return html_path


def _publish_outputs(section: str, staging: Path, out: Path) -> None:
    """Move a successful section's tables and key figures from staging into the report.

    A section writes into its staging folder while it runs, so a failure part-way leaves the
    published tables untouched. Tables this section no longer produces are removed, so the
    report never carries stale files.
    """
    for folder, prefix in (("tables", f"{section}__"), ("key_figures", section),
                           ("disclosure", section)):
        target = out / folder
        target.mkdir(parents=True, exist_ok=True)
        fresh = {p.name: p for p in (staging / folder).glob("*")}
        for stale in target.glob(f"{prefix}*"):
            if stale.name not in fresh:
                stale.unlink()
        for name, path in fresh.items():
            os.replace(path, target / name)
    shutil.rmtree(staging)


INDEX_STEP = "index"  # the step after an area's sections: index page, manifest, build log


@dataclass(frozen=True)
class StepDone:
    """One finished step of a build (a section, or a report's index), for a progress display."""

    area: str
    period: str
    step: str  # a section name, or INDEX_STEP
    seconds: float
    page: Path | None = None  # the page written, None when the step failed
    error: str | None = None  # what went wrong, None when it succeeded


StepListener = Callable[[StepDone], None]


def _run_step(area: str, period: str, section: str, root: Path) -> StepDone:
    """Build one section (in a worker process when several run at once), timed; a failure
    the analyst can fix is returned, not raised, so the other sections carry on. A batch's
    sections run in warm kernels unless ``CSP_WARM_KERNELS=0``."""
    started = time.perf_counter()
    try:
        page = build_section(area, period, section, root, warm=warm_kernels_enabled())
    except AnalysisError as exc:
        return StepDone(area, period, section, time.perf_counter() - started,
                        error=exc.describe())
    return StepDone(area, period, section, time.perf_counter() - started, page)


Report = tuple[str, str]
"""One report of a batch: an (area, period) pair, built into ``reports/<area>/<period>``."""


class _Batch:
    """The sections of a batch still to start, in the order they may start.

    A report's executive summary reads its other sections' key figures, so it is ready only
    once they have all finished, and then goes to the front of the queue: each report
    completes (and its index is written) while the other reports are still running.
    """

    def __init__(self, reports: list[Report], names: list[str]) -> None:
        first = [name for name in names if name != SUMMARY_SECTION]
        self.summaries = [name for name in names if name == SUMMARY_SECTION]
        self.ready = deque((report, name) for report in reports for name in first)
        self.first_left = dict.fromkeys(reports, len(first))
        self.left = dict.fromkeys(reports, len(names))
        self.ready.extend((report, name) for report in reports if not first
                          for name in self.summaries)

    def finished(self, report: Report, section: str) -> bool:
        """Record that a section of ``report`` finished; True when it was the report's last."""
        self.left[report] -= 1
        if section != SUMMARY_SECTION:
            self.first_left[report] -= 1
            if self.first_left[report] == 0:
                self.ready.extendleft((report, name) for name in self.summaries)
        return self.left[report] == 0


def _index_step(area: str, period: str, root: Path) -> StepDone:
    """Write an area's index, key figures, manifest and build log, timed."""
    started = time.perf_counter()
    try:
        page = build_index(area, period, root)
    except AnalysisError as exc:
        return StepDone(area, period, INDEX_STEP, time.perf_counter() - started,
                        error=exc.describe())
    return StepDone(area, period, INDEX_STEP, time.perf_counter() - started, page)


def _finished_steps(batch: _Batch, jobs: int, root: Path) -> Iterator[StepDone]:
    """Run the batch ``jobs`` sections at a time, yielding each section as it finishes."""
    if jobs <= 1 or len(batch.ready) <= 1:
        try:
            while batch.ready:
                (area, period), section = batch.ready.popleft()
                yield _run_step(area, period, section, root)
        finally:
            close_zygotes()
        return
    # Each worker starts its own zygote on its first section; it exits with the worker.
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        running: set[Future[StepDone]] = set()
        while batch.ready or running:
            while batch.ready and len(running) < jobs:
                (area, period), section = batch.ready.popleft()
                running.add(pool.submit(_run_step, area, period, section, root))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)


def queued_sections(queue: Path, root: Path | None = None) -> list[str]:
    """The section names ``make`` queued in ``queue`` (one per line), each once, in notebook
    order; none if there is no queue. A name whose notebook has since been removed is
    dropped (a failed section renamed away must not fail every later build).

    ``make report`` queues its out-of-date pages rather than building each in its own
    process, so that one batch builds them all in warm kernels (see the Makefile). The queue
    is emptied only by :func:`settle_queue` after the batch, so a build that is interrupted
    leaves it whole and the next ``make`` builds those sections again.
    """
    if not queue.is_file():
        return []
    known = {notebook.stem for notebook in section_notebooks(root or project_root())}
    return sorted({line.strip() for line in queue.read_text(encoding="utf-8").splitlines()
                   if line.strip()} & known)


def settle_queue(queue: Path, failed: list[str]) -> None:
    """After a batch: keep in ``queue`` only the sections that ``failed`` (the next ``make``
    builds them again, their old pages untouched meanwhile); remove it when none did."""
    if failed:
        atomic_write(queue, "".join(f"{name}\n" for name in sorted(set(failed))))
    else:
        queue.unlink(missing_ok=True)


def build_areas(areas: list[str], period: str | None = None, *,
                sections: list[str] | None = None, jobs: int = 1,
                root: Path | None = None, listener: StepListener | None = None) -> list[Path]:
    """Build every area's report for ``period`` (default: each area's own default period);
    see :func:`build_reports`. Returns the index pages in the order of ``areas``."""
    root = root or project_root()
    reports = [(area, period or load_area(area, root).default_period) for area in areas]
    return build_reports(reports, sections=sections, jobs=jobs, root=root, listener=listener)


def build_reports(reports: list[Report], *, sections: list[str] | None = None, jobs: int = 1,
                  root: Path | None = None,
                  listener: StepListener | None = None) -> list[Path]:
    """Build every (area, period) report in one batch: the sections of all of them ``jobs``
    at a time, each report's executive summary once its other sections are done, then its
    index.

    One batch for many reports keeps every worker busy to the end: building them one after
    another would leave a worker idle at each report's tail (its executive summary runs
    alone) and start new workers and warm-kernel zygotes for each. ``listener`` hears of each
    step as it finishes (for a progress display). A failed section does not stop the others,
    and its previous page stays as it was; a report with a failed section gets no new index.
    Returns the index pages in the order of ``reports``; raises :class:`BuildError` naming
    every failed report and step once all have been tried.
    """
    root = root or project_root()
    names = sections or [nb.stem for nb in section_notebooks(root)]
    batch = _Batch(reports, names)
    logger.info("building %d section page(s), %d at a time", len(batch.ready), jobs)
    failed: list[StepDone] = []
    indexes: dict[Report, Path] = {}

    def record(step: StepDone) -> None:
        if listener is not None:
            listener(step)
        if step.error is not None:
            failed.append(step)
        elif step.step == INDEX_STEP and step.page is not None:
            indexes[step.area, step.period] = step.page

    for step in _finished_steps(batch, jobs, root):
        record(step)
        report = (step.area, step.period)
        if batch.finished(report, step.step) and all((f.area, f.period) != report
                                                     for f in failed):
            record(_index_step(step.area, step.period, root))
    if failed:
        listed = "; ".join(f"{f.area} {f.period} {f.step}: {(f.error or '').splitlines()[0]}"
                           for f in failed)
        raise BuildError(f"{len(failed)} step(s) failed: {listed}",
                         hint="the pages of other sections and reports were built")
    return [indexes[report] for report in reports if report in indexes]
