"""The report's front page and records: ``index.html``, ``key_figures.json``, ``manifest.json``,
``disclosure_register.json``, the methods page (``methods.html``) and ``build.log``
(:mod:`analysis.publish.build_log`).

Written once every section has been built (``csp build-index``). Kept apart from
:mod:`analysis.publish.build` so this step does not load papermill and nbconvert.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from analysis.core.config import AreaConfig, project_root
from analysis.core.errors import BuildError, DataCoverageError
from analysis.core.files import (
    TIMINGS_DIR,
    atomic_write,
    comparison_label,
    reading_order,
    report_dir,
    section_notebooks,
    section_title,
    standalone_page,
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
from analysis.publish.build_log import utc_now, write_build_log
from analysis.publish.methods_page import METHODS_PAGE, write_methods_page
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


HEADLINES = (
    ("10_crime_overview", "All crime", "all_crime_current", "all_crime_pct_diff",
     "all_crime_significance", "offences"),
    ("20_anti_social_behaviour", "Anti-social behaviour (police.uk)", "asb_incidents_current",
     "asb_pct_diff", "asb_significance", "incidents"),
    ("40_vawg_domestic_abuse", "Domestic abuse flagged crime", "da_current", "da_pct_diff",
     "da_significance", "offences"),
    ("50_serious_violence", "Knife or sharp instrument offences", "knife_crime_current",
     "knife_crime_pct_diff", "knife_crime_significance", "offences"),
    ("50_serious_violence", "Violence with injury", "violence_with_injury_current",
     "violence_with_injury_pct_diff", "violence_with_injury_significance", "offences"),
    ("60_hate_crime", "Hate crime", "hate_total_current", "hate_pct_diff", "hate_significance",
     "offences"),
)
"""The front page's headline figures: (section, label, key of this period's count, of the %
change, of the change's test result, unit), each as the section recorded it in its key
figures. A figure a section did not record (no extract, not built) is left out."""


def _figure(figures: dict, section: str, key: str) -> object:
    return figures.get(section, {}).get(key, {}).get("value")


def headline_figures(figures: dict) -> list[dict[str, str]]:
    """The :data:`HEADLINES` the sections recorded (``key_figures.json``), formatted for people:
    the count with thousands separators, the % change signed with one decimal ('' when none
    was given), the test result as recorded (e.g. 'significant increase'), the page it is on.
    """
    cards = []
    for section, label, current_key, pct_key, test_key, unit in HEADLINES:
        current = _figure(figures, section, current_key)
        if current is None:
            continue
        pct = _figure(figures, section, pct_key)
        test = _figure(figures, section, test_key)
        shown = f"{current:,}" if isinstance(current, int) else str(current)
        change = "" if not isinstance(pct, int | float) else (
            "no change" if pct == 0 else f"{'up' if pct > 0 else 'down'} {abs(pct):.1f} %")
        cards.append({"label": label, "value": f"{shown} {unit}", "change": change,
                      "significance": "" if test is None else str(test),
                      "page": f"{section}.html"})
    return cards


def headlines_html(cards: Iterable[dict[str, str]], period_label: str) -> str:
    """The headline figures as the index shows them (escaped), or '' when there are none."""
    items = "".join(
        f'<li><a href="{escape_html(c["page"])}">{escape_html(c["label"])}</a>'
        f'<span class="csp-headline-value">{escape_html(c["value"])}</span>'
        f'{escape_html(", ".join(p for p in (c["change"], c["significance"]) if p))}</li>'
        for c in cards)
    if not items:
        return ""
    return (f"<section class='csp-headline-figures'><h2>Headline figures, "
            f"{escape_html(period_label)}</h2><p>This period against the comparison period; "
            "'significant' means the change passed the section's statistical test (exact "
            "Poisson test, 5 % level). Each links to its page.</p>"
            f"<ul class='csp-headlines'>{items}</ul></section>")


def _index_html(config: AreaConfig, period: Period, sections: Iterable[tuple[str, str]],
                compared: MonthsCompared | None, headlines: str = "",
                built: str = "") -> str:
    links = "\n".join(f'<li><a href="{escape_html(page)}">{escape_html(title)}</a></li>'
                      for page, title in sections)
    title = f"{config.title}: strategic assessment {period.label}"
    return standalone_page(title, f"""<div class="csp-index"><header class="csp-page-header">
<h1>{escape_html(title)}</h1>
<dl class="csp-meta"><dt>Area</dt><dd>{escape_html(config.csp_name)} ({config.csp_code}),
{escape_html(config.force.name)}</dd>
<dt>Period</dt><dd>{escape_html(comparison_label(period, config.comparison))}</dd>
<dt>Disclosure control</dt><dd>{escape_html(disclosure_statement(config.disclosure))}</dd>
<dt>Built</dt><dd>{escape_html(built)}</dd>
</dl></header>
{completeness_html(compared)}
{headlines}
<h2>Sections</h2><ol>{links}</ol>
<p>The numbers behind every table and chart are in the <code>tables/</code> folder beside
this page; <code>manifest.json</code> lists the inputs (with checksums) and software used.</p>
</div>""")


def build_index(area: str, period: str, root: Path | None = None) -> Path:
    """Write ``index.html`` linking the built sections, ``key_figures.json``, the manifest and
    ``build.log``."""
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
    started, started_at = time.perf_counter(), utc_now()
    figures = merge_key_figures(out)
    write_register(out, config.disclosure)
    manifest = write_manifest(config, period, out, root)
    write_methods_page(out, config.title)
    pages.append((METHODS_PAGE, "Methods: how every figure is calculated"))
    index = out / "index.html"
    parsed = Period.parse(period)
    compared = months_compared(config, parsed, root)
    built_at = datetime.fromisoformat(manifest["built_at"])
    built = f"{built_at.day} {built_at:%B %Y}"
    atomic_write(index, _index_html(config, parsed, pages, compared,
                                    headlines_html(headline_figures(figures), parsed.label),
                                    built))
    write_incompleteness_note(out, area, compared)
    write_build_log(out, f"{config.name} {period}", ingest_check(config, root, compared),
                    list(notebooks),
                    f"{started_at}  index.html, key_figures.json, manifest.json and the "
                    f"disclosure register written in {time.perf_counter() - started:.1f} s")
    return index


def ingest_check(config: AreaConfig, root: Path, compared: MonthsCompared | None) -> list[str]:
    """The build log's ingest check: the store read and the police.uk months it holds for
    the period and its comparison, with a warning when either misses months."""
    store = store_dir(config, root).relative_to(root)
    if compared is None:
        return [f"store {store}", "warning: no data.police.uk months have been ingested"]
    lines = [f"store {store}; data.police.uk months held:", *compared.completeness()]
    if compared.basis != COMPLETE:
        lines.append(f"warning: {compared.note()}")
    return lines
