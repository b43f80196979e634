"""Run section notebooks with papermill and publish them as self-contained HTML.

The build never computes a figure: it runs each parameterised notebook (explicit ``python3``
kernel, parameters checked against what the notebook declares, ``MPLBACKEND=agg``, a timeout,
the project root as working folder), exports it with input hidden and images embedded through
an offline template; :mod:`analysis.publish.index_page` then writes the index page and
``manifest.json``. Every output is written to a temporary file first and moved into place, so a
failed run leaves the previous report as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

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
from analysis.publish.index_page import build_index

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


def execute_section(notebook: Path, parameters: Mapping[str, object], executed: Path,
                    root: Path) -> None:
    """Execute ``notebook`` into ``executed``; a failing cell raises :class:`BuildError`."""
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _kernel_environment(root):
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
            )
    except papermill.PapermillExecutionError as exc:
        raise BuildError(
            f"cell {exc.exec_count} failed: {exc.ename}: {exc.evalue}",
            file=notebook,
            hint=f"open {executed} in JupyterLab to see the failing cell and its traceback",
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


def export_html(executed: Path, html_path: Path) -> None:
    """Export an executed notebook as one offline HTML file: no input, images embedded."""
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_filter("page_text", escape_html)  # the template's escaper (alt text)
    notebook = _prepared_for_sharing(nbformat.read(executed, as_version=4))
    body, _ = exporter.from_notebook_node(notebook)
    atomic_write(html_path, body)


def build_section(area: str, period: str, section: str, root: Path | None = None) -> Path:
    """Run one section for an area and period; returns the published HTML page."""
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
                                     config.section_parameters.get(section, {}))


def _build_section_locked(area: str, period: str, notebook: Path, out: Path,
                          root: Path, extra: Mapping[str, object]) -> Path:
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
    logger.info("%s (%s %s): started", section, area, period)
    executed = staging / EXECUTED_DIR / notebook.name
    execute_section(notebook, parameters, executed, root)
    html_path = out / f"{section}.html"
    logger.debug("%s: notebook run in %.1f s, exporting %s", section,
                 time.perf_counter() - started, html_path.name)
    export_html(executed, html_path)
    (out / EXECUTED_DIR).mkdir(parents=True, exist_ok=True)
    os.replace(executed, out / EXECUTED_DIR / notebook.name)
    _publish_outputs(section, staging, out)
    # The output folder is recorded relative to the project: the manifest goes into the
    # partner pack, and an absolute path would show the analyst's folders.
    timing = {"section": section, "seconds": round(time.perf_counter() - started, 2),
              "parameters": section_parameters(area, period, out.relative_to(root), extra)}
    atomic_write(out / TIMINGS_DIR / f"{section}.json", strict_json(timing))
    logger.info("%s (%s %s): finished in %.1f s", section, area, period, timing["seconds"])
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


def _run_sections(tasks: list[tuple[str, str, str]], jobs: int, root: Path
                  ) -> list[tuple[str, str, str]]:
    """Build each (area, period, section), ``jobs`` at a time; returns the failures.

    A failed section does not stop the others: every failure is collected and reported
    together, and the failed section's previous page stays as it was.
    """
    failures: list[tuple[str, str, str]] = []
    if jobs <= 1 or len(tasks) <= 1:
        for area, period, section in tasks:
            try:
                build_section(area, period, section, root)
            except AnalysisError as exc:
                failures.append((area, section, exc.describe()))
        return failures
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        running = {pool.submit(build_section, area, period, section, root): (area, section)
                   for area, period, section in tasks}
        for future in as_completed(running):
            area, section = running[future]
            try:
                future.result()
            except AnalysisError as exc:
                failures.append((area, section, str(exc)))
    return failures


def build_areas(areas: list[str], period: str | None = None, *,
                sections: list[str] | None = None, jobs: int = 1,
                root: Path | None = None) -> list[Path]:
    """Build the report of every area (sections in parallel, each summary last), then indexes.

    ``period`` defaults to each area's own default period. Returns the index pages; raises
    :class:`BuildError` naming every failed area and section once all have been tried.
    """
    root = root or project_root()
    periods = {area: period or load_area(area, root).default_period for area in areas}
    names = sections or [nb.stem for nb in section_notebooks(root)]
    failures = []
    for wave in ([n for n in names if n != SUMMARY_SECTION],
                 [n for n in names if n == SUMMARY_SECTION]):
        tasks = [(area, periods[area], name) for area in areas for name in wave]
        logger.info("building %d section page(s), %d at a time", len(tasks), jobs)
        failures += _run_sections(tasks, jobs, root)
    failed_areas = {area for area, _, _ in failures}
    indexes = [build_index(area, periods[area], root) for area in areas
               if area not in failed_areas]
    if failures:
        listed = "; ".join(f"{area} {section}: {message.splitlines()[0]}"
                           for area, section, message in failures)
        raise BuildError(f"{len(failures)} section(s) failed: {listed}",
                         hint="the pages of other sections and areas were built")
    return indexes


