"""The report's front page and records: ``index.html``, ``key_figures.json``, ``manifest.json``.

Written once every section has been built (``csp build-index``). Kept apart from
:mod:`analysis.build` so this step does not load papermill and nbconvert.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from analysis.config import AreaConfig, load_area, project_root
from analysis.errors import BuildError
from analysis.layout import (
    TEMPLATE_DIR,
    TEMPLATE_NAME,
    TIMINGS_DIR,
    atomic_write,
    comparison_label,
    disclosure_statement,
    reading_order,
    report_dir,
    section_notebooks,
    section_title,
)
from analysis.periods import Period
from analysis.provenance import git_state, input_inventory, package_versions
from analysis.safe_text import escape_html


def write_manifest(config: AreaConfig, period: str, out: Path, root: Path) -> dict:
    """``manifest.json``: inputs with sha256, package versions, git state, parameters, timings."""
    timings = [json.loads(p.read_text()) for p in sorted((out / TIMINGS_DIR).glob("*.json"))]
    manifest = {
        "area": config.name,
        "period": period,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": json.loads(input_inventory(config, root).to_json(orient="records")),
        "packages": package_versions(),
        "python": platform.python_version(),
        "git": git_state(root),
        "parameters": {"area": config.name, "period": period},
        "sections": timings,
    }
    atomic_write(out / "manifest.json", json.dumps(manifest, indent=2))
    return manifest


def merge_key_figures(out: Path) -> dict:
    """Combine each section's ``key_figures/<section>.json`` into ``key_figures.json``."""
    merged = {p.stem: json.loads(p.read_text(encoding="utf-8"))["figures"]
              for p in sorted((out / "key_figures").glob("*.json"))}
    atomic_write(out / "key_figures.json", json.dumps(merged, indent=2))
    return merged


def _index_html(config: AreaConfig, period: Period, sections: Iterable[tuple[str, str]]) -> str:
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
<dt>Period</dt><dd>{escape_html(comparison_label(period))}</dd>
<dt>Disclosure control</dt><dd>{escape_html(disclosure_statement(config.disclosure))}</dd>
</dl></header>
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
    write_manifest(config, period, out, root)
    index = out / "index.html"
    atomic_write(index, _index_html(config, Period.parse(period), pages))
    return index
