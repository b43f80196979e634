"""The ``csp`` command: generate the demo, ingest sources, build reports.

No failure prints a traceback unless ``--debug`` is anywhere on the line. Errors an analyst can
fix (:class:`analysis.core.errors.AnalysisError`, and disk or permission failures) are a short
message naming the file and what to do, exit code 2; a usage error (misspelt command or option,
an extra argument) is one line and a pointer to ``--help``, also exit code 2; anything else is
a one-line note asking for a ``--debug`` run, exit code 1.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Annotated, Literal, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

# typer runs its own copy of click (``typer._click``): the usage errors it raises (no such
# command or option, an extra argument, a bad value) are not click's classes, so they are
# recognised through this module, the one that raises them.
from typer._click import exceptions as typer_click

from analysis.core.config import DEFAULT_DATA_DIR, project_root
from analysis.core.errors import AnalysisError, BuildError, excerpt, storage_error
from analysis.inputs.areas import load_area

app = typer.Typer(help="Community Safety Partnership strategic assessment toolkit. "
                       "Add --debug anywhere on the line to see an error's traceback.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
console = Console(stderr=True, soft_wrap=True)  # never break a message mid-line
PACKAGE = "csp-analysis"

AreaOption = Annotated[str, typer.Option("--area", "-a", help="area name in config/areas/")]


def _canonical_period(text: str) -> str:
    """A --period in its one written form ('2024/25' becomes '2024-25'), or '' if not given."""
    from analysis.core.files import canonical_period

    return canonical_period(text) if text else ""


PeriodOption = Annotated[str, typer.Option("--period", "-p", callback=_canonical_period,
                                           help="e.g. 2024-25 (financial year), 2024, R12-2025-03")]


def available_cores() -> int:
    """The cores this process may run on, as ``nproc`` (and so ``make -j``) counts them: the
    CPU affinity where the system has one, else every core."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _print_version(wanted: bool) -> None:
    """``csp --version``: the installed package's version, then stop."""
    if wanted:
        typer.echo(f"csp {metadata.version(PACKAGE)}")
        raise typer.Exit()


@app.callback()
def _global_options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="print the version and exit")] = False,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True,
                                         help="log each stage to stderr (-vv: more detail)")] = 0,
) -> None:
    """Options that come before the command (``csp --version``, ``csp -v ingest``)."""
    if verbose:
        log_to_stderr(logging.INFO if verbose == 1 else logging.DEBUG)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="folder to write")] = Path("data/raw/demo"),
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 20_240_401,
    months: Annotated[int, typer.Option(min=24, help="number of months")] = 48,
) -> None:
    """Write the fictional demo partnership in the real data.police.uk and ONS formats."""
    from analysis.demo import DemoSpec, generate

    target = out if out.is_absolute() else project_root() / out
    generate(target, DemoSpec(seed=seed, n_months=months))
    console.print(f"Demo data written to {target}")


@app.command()
def fetch(
    context: typer.Context,
    month: Annotated[list[str], typer.Option(help="a data.police.uk archive month, YYYY-MM "
                                             "(repeat for more)")] = [],  # noqa: B006
    url: Annotated[list[str], typer.Option(help="any other file, e.g. an ONS lookup "
                                           "(repeat for more)")] = [],  # noqa: B006
    to: Annotated[Path, typer.Option(help="folder to download into")] = Path("data/raw/downloads"),
    base_url: Annotated[str, typer.Option(help="where the police.uk archives are")] = "",
    force: Annotated[str, typer.Option(help="keep only this force's files of each archive "
                                       "(its police.uk name, e.g. essex)")] = "",
) -> None:
    """Download police.uk archives and lookup files (progress bar, resume, integrity check)."""
    from analysis.inputs.fetch import POLICE_UK_ARCHIVE_URL, fetch_lookup, fetch_police_archive

    if not month and not url:
        raise typer_click.UsageError("name at least one --month or --url", context)
    target = to if to.is_absolute() else project_root() / to
    for wanted in month:
        path = fetch_police_archive(wanted, target, base_url=base_url or POLICE_UK_ARCHIVE_URL,
                                    force=force or None)
        console.print(f"Downloaded {path}")
    for address in url:
        console.print(f"Downloaded {fetch_lookup(address, target)}")


@app.command()
def init(
    csp_code: Annotated[str, typer.Option(help="ONS CSP code, e.g. E22000089")] = "",
    csp_name: Annotated[str, typer.Option(help="CSP name as in the ONS lookup, any case, "
                                          "e.g. Southend-on-Sea")] = "",
    name: Annotated[str, typer.Option(help="area name (default: the CSP name as a file "
                                      "name, e.g. southend-on-sea)")] = "",
    data_dir: Annotated[Path, typer.Option(help="the downloads folder: police_uk/, "
                                           "lookups/, boundaries/, population/, imd/")]
    = DEFAULT_DATA_DIR,
    period: PeriodOption = "",
    overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing "
                                            "config/areas/<name>.yaml")] = False,
) -> None:
    """Write config/areas/<name>.yaml for a real CSP from the ONS lookups (codes, force,
    wards, paths, default period), each key commented; then `make report AREA=<name>`."""
    from analysis.inputs.area_setup import init_area

    path, config, why = init_area(project_root(), csp_code=csp_code, csp_name=csp_name,
                                  name=name, data_dir=data_dir, period=period,
                                  overwrite=overwrite)
    console.print(f"Wrote {path}: {config.csp_name} ({config.csp_code}), "
                  f"{len(config.lad_codes)} local authority(ies), {config.force.name}; "
                  f"default period {config.default_period} ({why}).", highlight=False)
    console.print(f"Next: make report AREA={config.name}", highlight=False)


@app.command()
def ingest(
    area: AreaOption = "demo",
    full: Annotated[bool, typer.Option("--full", help="read every police.uk file and partner "
                                       "extract again (by default only what changed is)")]
    = False,
) -> None:
    """Read the area's police.uk files into the canonical store, with reconciliation."""
    from analysis.publish.dependencies import write_table_stamps
    from analysis.store.area import ingest_area

    config = load_area(area)
    loaded = ingest_area(config, full=full)
    write_table_stamps(config, project_root())  # make rebuilds the pages of changed tables
    report = loaded.police_uk
    table = Table(title=f"Ingest of {area}: rows by outcome")
    for column in ("source", "rows read", "loaded", "quarantined", "duplicates dropped"):
        table.add_column(column, justify="right")
    table.add_row(f"data.police.uk ({len(report.months)} months)", f"{report.rows_read:,}",
                  f"{report.rows_loaded:,}", f"{report.rows_quarantined:,}",
                  f"{report.duplicates_dropped:,}")
    for row in (loaded.partner.itertuples() if loaded.partner is not None else ()):
        table.add_row(f"partner {row.extract}", f"{row.rows_read:,}", f"{row.rows_loaded:,}",
                      f"{row.rows_quarantined:,}", "–")
    console.print(table)


@app.command("build")
def build(
    area: AreaOption = "demo",
    period: PeriodOption = "",
    force: Annotated[str, typer.Option(help="build every CSP of config/forces/<force>.yaml")] = "",
    sections: Annotated[str, typer.Option(help="comma-separated section names (default all)")]
    = "",
    jobs: Annotated[int | None, typer.Option(min=1, show_default=False, help="sections run at "
                                             "once (default: the number of cores, as make)")]
    = None,
    queue: Annotated[Path | None, typer.Option(help="build the sections named in this file "
                                               "(make's queue of out-of-date pages), then "
                                               "the index; the file is removed")] = None,
) -> None:
    """Build the report of one area, or of every CSP of a force from one shared ingest.

    Sections run ``--jobs`` at a time in long-lived workers, each section in a fresh kernel
    forked from a worker's pre-imported zygote (``CSP_WARM_KERNELS=0``: cold kernels).
    """
    from analysis.core.config import load_force
    from analysis.core.files import canonical_period, section_notebooks
    from analysis.inputs.areas import force_csps
    from analysis.publish.build import (
        StepDone,
        build_areas,
        queued_sections,
        settle_queue,
    )
    from analysis.publish.progress import BatchProgress
    from analysis.store.area import ingest_area

    if force:
        configs = force_csps(load_force(force))
        started = time.perf_counter()
        console.print(f"Ingest of the {force} store: running", highlight=False)
        ingest_area(next(iter(configs.values())))  # one store for the whole force
        console.print(f"Ingest of the {force} store: done in "
                      f"{time.perf_counter() - started:.1f} s", highlight=False)
        areas = list(configs)
    else:
        areas = [area]
    chosen = [s for s in sections.split(",") if s] or [nb.stem for nb in section_notebooks()]
    if queue is not None:
        chosen = queued_sections(queue)
        if not chosen:  # only the index is out of date
            build_index(area, period)
            return
    failed: list[str] = []
    try:
        with BatchProgress(console, areas, len(chosen)) as progress:
            def step_done(step: StepDone) -> None:
                progress.step_done(step)
                if step.error is not None and step.step in chosen:
                    failed.append(step.step)

            try:
                indexes = build_areas(areas, period or None, sections=chosen,
                                      jobs=jobs or available_cores(), listener=step_done)
            except BuildError:  # not on Ctrl-C, which leaves the queue whole
                if queue is not None:
                    settle_queue(queue, failed)
                raise
            if queue is not None:
                settle_queue(queue, failed)
        for index in indexes:
            warn_if_incomplete(index.parent)
    finally:  # a county analyst wants the side-by-side view even if one CSP failed
        if force:
            from analysis.publish.force_overview import write_force_overview

            template = load_force(force)
            overview = write_force_overview(
                template, areas, period or canonical_period(template.default_period))
            console.print(f"Force overview: {overview}")


@app.command("build-overview")
def build_overview(
    force: Annotated[str, typer.Option(help="force name in config/forces/")],
    period: PeriodOption = "",
) -> None:
    """Write a force's side-by-side overview of its CSPs' reports already built (the last
    step of ``csp build --force``, a unit of its own for a cluster scheduler)."""
    from analysis.core.config import load_force
    from analysis.core.files import canonical_period
    from analysis.inputs.areas import force_csps
    from analysis.publish.force_overview import write_force_overview

    template = load_force(force)
    overview = write_force_overview(template, list(force_csps(template)),
                                    period or canonical_period(template.default_period))
    console.print(f"Force overview: {overview}")


@app.command("units")
def units(
    area: AreaOption = "demo",
    force: Annotated[str, typer.Option(help="every CSP of config/forces/<force>.yaml")] = "",
    period: PeriodOption = "",
    form: Annotated[Literal["json", "make", "tsv"],
                    typer.Option("--format", help="json, a make file, or tsv")] = "json",
) -> None:
    """Print the build's units of work (ingest, each area x section, index, force overview),
    each with its command, inputs and the units it awaits, for a cluster scheduler."""
    from analysis.core.config import load_force
    from analysis.core.files import canonical_period, section_notebooks
    from analysis.inputs.areas import force_csps
    from analysis.publish.work_units import build_units, render

    sections = [nb.stem for nb in section_notebooks()]
    if force:
        template = load_force(force)
        configs = force_csps(template)
        areas = {name: period or c.default_period for name, c in configs.items()}
        overview = (template.force.slug, period or canonical_period(template.default_period))
        graph = build_units(areas, template.store, f"config/forces/{force}.yaml", sections,
                            overview)
    else:
        config = load_area(area)
        graph = build_units({area: period or config.default_period}, config.store_name,
                            f"config/areas/{area}.yaml", sections)
    sys.stdout.write(render(graph, form))


@app.command("build-section")
def build_section(
    section: Annotated[str, typer.Argument(help="notebook name, e.g. 10_crime_overview")],
    area: AreaOption = "demo",
    period: PeriodOption = "",
) -> None:
    """Run one section notebook and export its HTML page (used by the Makefile)."""
    from analysis.publish.build import build_section as run

    config = load_area(area)
    chosen = period or config.default_period
    console.print(f"[bold]{section}[/] ({area} {chosen}): running", highlight=False)
    started = time.perf_counter()
    try:
        run(area, chosen, section)
    except AnalysisError:
        console.print(f"[bold]{section}[/]: [red]failed[/] after "
                      f"{time.perf_counter() - started:.1f} s", highlight=False)
        raise
    console.print(f"[bold]{section}[/]: [green]built[/] in {time.perf_counter() - started:.1f} s",
                  highlight=False)


@app.command("build-index")
def build_index(area: AreaOption = "demo", period: PeriodOption = "") -> None:
    """Write the index page, key figures and manifest for the sections already built."""
    from analysis.publish.index_page import build_index as run

    config = load_area(area)
    index = run(area, period or config.default_period)
    console.print(f"Index: {index}")
    warn_if_incomplete(index.parent)


def warn_if_incomplete(report: Path) -> None:
    """A warning line when the report's period or comparison period misses months (the
    index step writes the warning beside the report; make prints it again at the end)."""
    from analysis.publish.index_page import INCOMPLETE_NOTE

    note = report / INCOMPLETE_NOTE
    if note.is_file():
        console.print(f"[bold yellow]{escape(note.read_text(encoding='utf-8').strip())}[/]",
                      highlight=False)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    """Library warnings (e.g. unmatched lookup codes) as a plain note, without source lines.

    Takes :func:`warnings.showwarning`'s arguments; only the message is shown.
    """
    console.print(f"[yellow]Note:[/] {escape(str(message))}", highlight=False)


@app.command()
def share(area: AreaOption = "demo", period: PeriodOption = "") -> None:
    """Check disclosure control and write the partner pack (HTML, CSV, XLSX, README) as a zip."""
    from analysis.publish.share import build_share_pack

    config = load_area(area)
    console.print(f"Partner pack: {build_share_pack(area, period or config.default_period)}")


@app.command()
def pdf(area: AreaOption = "demo", period: PeriodOption = "") -> None:
    """Print the built assessment as one A4 PDF: cover, contents, page numbers, every section."""
    from analysis.publish.document import write_pdf

    config = load_area(area)
    console.print(f"PDF: {write_pdf(area, period or config.default_period)}")


@app.command()
def docx(
    area: AreaOption = "demo",
    period: PeriodOption = "",
    template: Annotated[Path | None, typer.Option(
        help="a council's Word template (.docx) to take the styles from")] = None,
) -> None:
    """Write the key findings and plan on a page as a Word document for the board pack."""
    from analysis.publish.document import write_docx

    config = load_area(area)
    console.print(f"Word: {write_docx(area, period or config.default_period, template=template)}")


def _error(message: str) -> None:
    """Print ``Error: message`` (markup in the message is shown as typed, not interpreted)."""
    console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)


def report_failure(exc: BaseException) -> int:
    """Print a failure as a short message (never a traceback); returns the exit code."""
    if isinstance(exc, AnalysisError):
        _error(exc.describe())
        return 2
    if isinstance(exc, typer_click.NoArgsIsHelpError):  # `csp` alone: the help is the answer
        exc.show()
        return exc.exit_code
    if isinstance(exc, typer_click.ClickException):
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "csp"
        _error(f"{exc.format_message()} (see `{command} --help`)")
        return exc.exit_code
    if isinstance(exc, typer.Abort | KeyboardInterrupt):
        console.print("Aborted.")
        return 130
    if isinstance(exc, OSError):
        _error(storage_error(exc, "running the command").describe())
        return 2
    _error(f"unexpected {type(exc).__name__}: {excerpt(str(exc))}\n  how to fix: run the same "
           "command with --debug to see where it failed, and report it with that output")
    return 1


def main() -> None:
    """Entry point of the ``csp`` console script."""
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    else:
        warnings.showwarning = _show_warning
    try:
        result = app(standalone_mode=False)
    except (Exception, KeyboardInterrupt) as exc:  # a message, or the traceback with --debug
        if debug:
            raise
        sys.exit(report_failure(exc))
    sys.exit(result if isinstance(result, int) else 0)


@app.command()
def deps(
    area: AreaOption = "demo",
    out: Annotated[Path | None, typer.Option(help="fragment to write (default "
                                             "data/processed/.deps/<area>.mk)")] = None,
    tables: Annotated[bool, typer.Option("--tables", help="write the store's table stamps "
                                         "instead (the ingest does this itself)")] = False,
) -> None:
    """Write the make fragment of what the area's ingest and pages read (used by the Makefile)."""
    from analysis.publish.dependencies import write_fragment, write_table_stamps

    root = project_root()
    if tables:
        changed = write_table_stamps(load_area(area, root), root)
        console.print(f"Table stamps written: {', '.join(changed) or 'none changed'}")
        return
    target = out if out is None or out.is_absolute() else root / out
    console.print(f"Build graph: {write_fragment(area, root, target)}")
def log_to_stderr(level: int) -> None:
    """Show the library's log messages (logger ``analysis``) from ``level`` up on stderr.

    The library only logs; the command decides where messages go. They are timestamped
    lines apart from the command's own output, so a verbose run still prints that unchanged.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                           datefmt="%H:%M:%S"))
    library = logging.getLogger("analysis")
    library.addHandler(handler)
    library.setLevel(level)


@app.command("check-mapping")
def check_mapping(
    file: Annotated[Path, typer.Argument(help="the partner's export (CSV)")],
    kind: Annotated[Literal["crimes", "asb", "indicators"],
                    typer.Option(help="which extract the file is")],
    mapping: Annotated[Path, typer.Option(help="the YAML column mapping, e.g. "
                                          "config/mappings/<area>.yaml")],
    area: Annotated[str, typer.Option(help="area whose ward lookup reads ward names "
                                      "(default: the mapping's area)")] = "",
    out: Annotated[Path | None, typer.Option(help="CSV of the rows that would be set aside "
                                             "(default <file name>-set-aside.csv here)")] = None,
) -> None:
    """Dry-run loading a partner export through its mapping; nothing is written to the store.

    Shows each field and the column it maps from, near-miss column names, the counts and
    dates, and writes the rows that would be set aside with their reasons to a CSV.
    """
    from analysis.store.mapping_check import check_export, report, would_stop, write_set_aside

    check = check_export(file, kind, mapping, area=area or None)
    target = None
    if check.load is not None:
        target = write_set_aside(check, out or Path(f"{file.stem}-set-aside.csv"))
    console.print(report(check, target))
    stop = would_stop(check)
    if stop is not None:
        raise stop
