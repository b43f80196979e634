"""The report's front page and records: ``index.html``, ``key_figures.json``, ``manifest.json``
and ``disclosure_register.json``.

Written once every section has been built (``csp build-index``). Kept apart from
:mod:`analysis.publish.build` so this step does not load papermill and nbconvert.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import BuildError, DataCoverageError
from analysis.core.files import (
    TEMPLATE_DIR,
    TEMPLATE_NAME,
    TIMINGS_DIR,
    atomic_write,
    comparison_label,
    reading_order,
    report_dir,
    section_notebooks,
    section_title,
    store_dir,
    strict_json,
)
from analysis.core.periods import (
    COMPLETE,
    MonthsCompared,
    Period,
    compared_months,
    comparison_period,
)
from analysis.core.safe_text import escape_html
from analysis.inputs.areas import load_area
from analysis.present.disclosure_register import disclosure_statement, write_register
from analysis.publish.provenance import git_state, package_versions
from analysis.store import query
from analysis.store.inventory import input_inventory

INCOMPLETE_NOTE = ".incomplete.txt"
"""The warning line beside a report whose periods miss months (absent when both are whole):
``csp build-index`` prints it, and ``make report`` prints it again after the report's path,
so a year built with months missing is said in the terminal, not only on the pages."""


def incompleteness_warning(area: str, compared: MonthsCompared | None) -> str:
    """One warning line naming the months missing from the period and the comparison period,
    or '' when both are complete."""
    if compared is None:
        return f"Warning: {area}: no police.uk months are ingested, so nothing is counted."
    if compared.basis == COMPLETE:
        return ""
    return (f"Warning: {area} {compared.current.label} is incomplete (months missing; "
            f"changes are {compared.basis}): {' '.join(compared.completeness())}")


def write_incompleteness_note(out: Path, area: str, compared: MonthsCompared | None) -> None:
    """Write (or, when complete, remove) :data:`INCOMPLETE_NOTE` in the report folder."""
    warning = incompleteness_warning(area, compared)
    if warning:
        atomic_write(out / INCOMPLETE_NOTE, warning + "\n")
    else:
        (out / INCOMPLETE_NOTE).unlink(missing_ok=True)


def months_compared(config: AreaConfig, period: Period, root: Path) -> MonthsCompared | None:
    """The assessment period against its comparison period over the force's police.uk months,
    or None when no police.uk data has been ingested for the area."""
    try:
        months = query.force_months(store_dir(config, root), config.force.name)
    except DataCoverageError:
        return None
    return compared_months(period, comparison_period(period, config.comparison), months)


def write_manifest(config: AreaConfig, period: str, out: Path, root: Path) -> dict:
    """``manifest.json``: inputs with sha256, package versions, git state, parameters, timings,
    and the comparison (rule, both periods' months held, months compared)."""
    timings = [json.loads(p.read_text()) for p in sorted((out / TIMINGS_DIR).glob("*.json"))]
    compared = months_compared(config, Period.parse(period), root)
    manifest = {
        "area": config.name,
        "period": period,
        "comparison": compared.as_record(config.comparison) if compared else {
            "rule": config.comparison, "months_held": "no police.uk data ingested"},
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": json.loads(input_inventory(config, root).to_json(orient="records")),
        "packages": package_versions(),
        "python": platform.python_version(),
        "git": git_state(root),
        "parameters": {"area": config.name, "period": period},
        "sections": timings,
    }
    atomic_write(out / "manifest.json", strict_json(manifest))
    return manifest


def merge_key_figures(out: Path) -> dict:
    """Combine each section's ``key_figures/<section>.json`` into ``key_figures.json``."""
    merged = {p.stem: json.loads(p.read_text(encoding="utf-8"))["figures"]
              for p in sorted((out / "key_figures").glob("*.json"))}
    atomic_write(out / "key_figures.json", strict_json(merged))
    return merged


def completeness_html(compared: MonthsCompared | None) -> str:
    """The block the index and key-findings pages open with: months held of each period,
    missing months named, and what the changes in the report compare."""
    if compared is None:
        return ("<section class='csp-completeness'><h2>Completeness of the data</h2>"
                "<p>No data.police.uk months have been ingested for this area.</p></section>")
    items = "".join(f"<li>{escape_html(line)}</li>" for line in compared.completeness())
    return (f"<section class='csp-completeness'><h2>Completeness of the data</h2>"
            f"<p>Months of data.police.uk data held for the force in each period:</p>"
            f"<ul>{items}</ul><p>{escape_html(compared.note())} Partner extracts have their "
            "own coverage, stated on each section's page.</p></section>")


def _index_html(config: AreaConfig, period: Period, sections: Iterable[tuple[str, str]],
                compared: MonthsCompared | None) -> str:
    css = (TEMPLATE_DIR / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    links = "\n".join(f'<li><a href="{escape_html(page)}">{escape_html(title)}</a></li>'
                      for page, title in sections)
    title = f"{config.title}: strategic assessment {period.label}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{escape_html(title)}</title><style>{css}</style></head>
<body><div class="csp-index"><header class="csp-page-header"><h1>{escape_html(title)}</h1>
<dl class="csp-meta"><dt>Area</dt><dd>{escape_html(config.csp_name)} ({config.csp_code}),
{escape_html(config.force.name)}</dd>
<dt>Period</dt><dd>{escape_html(comparison_label(period, config.comparison))}</dd>
<dt>Disclosure control</dt><dd>{escape_html(disclosure_statement(config.disclosure))}</dd>
</dl></header>
{completeness_html(compared)}
<h2>Sections</h2><ol>{links}</ol>
<p>The numbers behind every table and chart are in the <code>tables/</code> folder beside
this page; <code>manifest.json</code> lists the inputs (with checksums) and software used.</p>
</div></body></html>
"""


def build_index(area: str, period: str, root: Path | None = None) -> Path:
    """Write ``index.html`` linking the built sections, ``key_figures.json`` and the manifest."""
    root = root or project_root()
    config = load_area(area, root)
    out = report_dir(area, period, root)
    notebooks = {nb.stem: nb for nb in section_notebooks(root)
                 if (out / f"{nb.stem}.html").is_file()}
    pages = [(f"{name}.html", section_title(notebooks[name]))
             for name in reading_order(list(notebooks))]
    if not pages:
        raise BuildError("no section has been built yet", file=out,
                         hint="run `make report` (or `csp build`) first")
    merge_key_figures(out)
    write_register(out, config.disclosure)
    write_manifest(config, period, out, root)
    index = out / "index.html"
    parsed = Period.parse(period)
    compared = months_compared(config, parsed, root)
    atomic_write(index, _index_html(config, parsed, pages, compared))
    write_incompleteness_note(out, area, compared)
    return index
